"""Expired notices are archived by the daily job, their owners asked once to renew them;
renewing opens them again with a new expiry."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from stadtallianz.notifications.models import Notification
from stadtallianz.partnering import services
from stadtallianz.partnering.models import Notice

pytestmark = pytest.mark.django_db


def expire(notice, today):
    Notice.objects.filter(pk=notice.pk).update(deadline=None,
                                               expires_on=today - timedelta(days=1))


def test_the_job_archives_and_asks_once_even_when_run_twice(notice, partner_admin, today):
    expire(notice, today)
    out = io.StringIO()
    call_command("archive_expired_notices", stdout=out)
    call_command("archive_expired_notices", stdout=out)
    assert out.getvalue().splitlines() == ["1 notice(s) archived.", "0 notice(s) archived."]
    notice.refresh_from_db()
    assert notice.state == Notice.State.ARCHIVED
    asked = Notification.objects.filter(recipient=partner_admin, kind="partnering-expired")
    assert asked.count() == 1
    assert "/renew/" in asked.get().url


def test_an_open_notice_within_its_expiry_stays(notice, today):
    assert services.archive_expired() == 0
    notice.refresh_from_db()
    assert notice.state == Notice.State.OPEN


def test_an_expired_notice_is_no_longer_listed_before_the_job_runs(notice, today, client):
    expire(notice, today)
    assert not Notice.objects.public().exists()
    assert not notice.__class__.objects.get(pk=notice.pk).accepts_interest


def test_renewing_reopens_and_a_second_expiry_asks_again(notice, partner_admin, today):
    expire(notice, today)
    services.archive_expired()
    services.notice_renew(actor=partner_admin, notice=notice,
                          expires_on=today + timedelta(days=10))
    notice.refresh_from_db()
    assert notice.state == Notice.State.OPEN and notice.renewed_at is not None
    assert Notice.objects.public().filter(pk=notice.pk).exists()
    # It expires again later: the job asks again, for the new expiry.
    services.archive_expired(today=today + timedelta(days=11))
    assert Notification.objects.filter(recipient=partner_admin,
                                       kind="partnering-expired").count() == 2


def test_archived_notices_are_seen_by_owners_and_office_only(notice, today, partner_member,
                                                             coordinator, other_admin, citizen):
    expire(notice, today)
    services.archive_expired()
    from django.contrib.auth.models import AnonymousUser

    assert Notice.objects.visible_to(partner_member).filter(pk=notice.pk).exists()
    assert Notice.objects.visible_to(coordinator).filter(pk=notice.pk).exists()
    for person in (other_admin, citizen, AnonymousUser()):
        assert not Notice.objects.visible_to(person).filter(pk=notice.pk).exists()
