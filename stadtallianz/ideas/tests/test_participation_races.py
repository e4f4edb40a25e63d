"""Two supports, follows, comments or reports at once: each is counted exactly once, never a
database error. Needs PostgreSQL: only it lets two connections write at once."""

import pytest
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.ideas import moderation
from stadtallianz.ideas.models import Follow, IdeaReport, Support
from stadtallianz.ideas.participation import services as participation

from .participation_fixtures import *  # noqa: F403

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_a_double_support_at_once_counts_once(idea, citizen):
    thread, errors = in_open_transaction(lambda: participation.support(idea=idea, by=citizen))
    mine = participation.support(idea=idea, by=citizen)  # waits for the other's commit
    thread.join()
    assert errors == [] and mine is False
    idea.refresh_from_db()
    assert idea.support_count == 1 and Support.objects.count() == 1


def test_two_people_supporting_at_once_count_twice(idea, citizen, partner_member):
    thread, errors = in_open_transaction(lambda: participation.support(idea=idea, by=citizen))
    assert participation.support(idea=idea, by=partner_member) is True
    thread.join()
    assert errors == []
    idea.refresh_from_db()
    assert idea.support_count == 2


def test_a_double_withdrawal_at_once_counts_once(idea, citizen, partner_member):
    participation.support(idea=idea, by=citizen)
    participation.support(idea=idea, by=partner_member)
    thread, errors = in_open_transaction(lambda: participation.unsupport(idea=idea, by=citizen))
    mine = participation.unsupport(idea=idea, by=citizen)
    thread.join()
    assert errors == [] and mine is False
    idea.refresh_from_db()
    assert idea.support_count == 1


def test_two_comments_at_once_count_twice(idea, citizen, partner_member):
    thread, errors = in_open_transaction(
        lambda: participation.comment_create(idea=idea, body="eins", by=citizen))
    participation.comment_create(idea=idea, body="zwei", by=partner_member)
    thread.join()
    assert errors == []
    idea.refresh_from_db()
    assert idea.comment_count == 2


def test_a_double_follow_at_once_is_one_follow(idea, citizen):
    thread, errors = in_open_transaction(lambda: participation.follow(idea=idea, by=citizen))
    assert participation.follow(idea=idea, by=citizen) is False
    thread.join()
    assert errors == [] and Follow.objects.count() == 1


def test_a_double_report_at_once_is_one_report(idea, citizen):
    from django.core.exceptions import ValidationError

    thread, errors = in_open_transaction(
        lambda: moderation.report(idea=idea, reason="Spam", by=citizen))
    with pytest.raises(ValidationError):
        moderation.report(idea=idea, reason="Spam", by=citizen)
    thread.join()
    assert errors == [] and IdeaReport.objects.count() == 1


def test_hiding_a_comment_twice_at_once_counts_once(idea, citizen, coordinator, lead):
    from django.core.exceptions import ValidationError

    comment = participation.comment_create(idea=idea, body="eins", by=citizen)
    thread, errors = in_open_transaction(
        lambda: moderation.hide_comment(comment=comment, reason="a", by=coordinator))
    with pytest.raises(ValidationError):
        moderation.hide_comment(comment=comment, reason="b", by=lead)
    thread.join()
    assert errors == []
    idea.refresh_from_db()
    assert idea.comment_count == 0


def test_a_support_while_the_idea_is_declined_waits_and_is_refused(idea, citizen, coordinator):
    from django.core.exceptions import ValidationError

    from stadtallianz.ideas import services
    from stadtallianz.ideas.models import Idea

    thread, errors = in_open_transaction(lambda: services.change_state(
        idea=idea, by=coordinator, state=Idea.State.DECLINED, reason="Nicht machbar"))
    with pytest.raises(ValidationError) as refused:
        participation.support(idea=idea, by=citizen)  # waits for the decision's commit
    thread.join()
    assert errors == [] and refused.value.code == "state"
    idea.refresh_from_db()
    assert idea.state == Idea.State.DECLINED
    assert idea.support_count == 0 and Support.objects.count() == 0
