"""Closing a post's report is race-safe (moderation.Report's close: one UPDATE of the open
report): of two moderators closing at once, one closes it and is audited, the other changes
nothing."""

import pytest
from django.db import connection

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import in_open_transaction
from stadtallianz.discussions import services
from stadtallianz.discussions.models import PostReport
from stadtallianz.moderation.models import Report


def _closed_entries():
    return AuditEntry.objects.filter(action="discussion.report.closed").count()


@pytest.mark.django_db
def test_a_report_is_closed_once(public_thread, citizen, lead, coordinator):
    report = services.post_report(post=public_thread.posts.get(), reason="Spam", by=citizen)
    assert isinstance(report, Report) and Report.objects.get().reason == "Spam"
    closed = services.report_close(report=report, by=lead)
    assert closed.state == PostReport.State.CLOSED and closed.closed_by == lead
    again = services.report_close(report=report, by=coordinator)  # `report` still says open
    assert again.state == PostReport.State.CLOSED and again.closed_by == lead
    assert _closed_entries() == 1
    assert PostReport.objects.filter(pk=report.pk).close(by=coordinator) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_moderators_closing_at_once_close_it_once(public_thread, citizen, lead,
                                                       coordinator):
    report = services.post_report(post=public_thread.posts.get(), reason="Spam", by=citizen)
    thread, errors = in_open_transaction(lambda: services.report_close(report=report, by=lead))
    closed = services.report_close(report=report, by=coordinator)  # waits for the other
    thread.join()
    assert errors == []
    assert closed.closed_by == lead and _closed_entries() == 1
