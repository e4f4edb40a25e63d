"""Reports, hiding and unhiding of ideas and comments, closing reports: the services, per role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.models import AuditEntry
from stadtallianz.ideas import moderation
from stadtallianz.ideas.models import Idea, IdeaReport
from stadtallianz.ideas.participation import services as participation
from stadtallianz.notifications.models import Notification
from stadtallianz.notifications.services import notify

from .participation_fixtures import *  # noqa: F403


def comment_count(idea):
    idea.refresh_from_db()
    return idea.comment_count


# ---------------------------------------------------------------------------------------------
# Reports


@pytest.mark.parametrize("role", ["citizen", "partner_member", "lead", "author"])
def test_anyone_taking_part_reports_an_idea_or_a_comment_once_while_open(request, idea, role,
                                                                         make_comment, member):
    person = request.getfixturevalue(role)
    comment = make_comment(idea, member)
    moderation.report(idea=idea, reason="Werbung", by=person)
    moderation.report(idea=idea, comment=comment, reason="Beleidigend", by=person)
    for target in (None, comment):
        with pytest.raises(ValidationError) as error:
            moderation.report(idea=idea, comment=target, reason="Nochmal", by=person)
        assert error.value.code == "duplicate"
    assert IdeaReport.objects.filter(reporter=person).count() == 2
    assert AuditEntry.objects.filter(action="idea.report.created").count() == 2


def test_after_a_report_is_closed_the_person_may_report_again(idea, citizen, coordinator):
    report = moderation.report(idea=idea, reason="Werbung", by=citizen)
    moderation.report_close(report=report, by=coordinator)
    again = moderation.report(idea=idea, reason="Immer noch Werbung", by=citizen)
    assert again.state == IdeaReport.State.OPEN


@pytest.mark.parametrize("who", ["unconfirmed", "visitor"])
def test_unconfirmed_people_and_visitors_do_not_report(request, idea, who):
    person = AnonymousUser() if who == "visitor" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        moderation.report(idea=idea, reason="x", by=person)
    assert not IdeaReport.objects.exists()


@pytest.mark.parametrize("reason, code", [("", "required"), ("x" * 2001, "max_length")])
def test_a_report_needs_a_reason(idea, citizen, reason, code):
    with pytest.raises(ValidationError) as error:
        moderation.report(idea=idea, reason=reason, by=citizen)
    assert error.value.error_dict["reason"][0].code == code
    assert not IdeaReport.objects.exists()


def test_hidden_content_is_not_reported(idea, citizen, make_comment, coordinator):
    comment = make_comment(idea, coordinator)
    moderation.hide_comment(comment=comment, reason="Spam", by=coordinator)
    with pytest.raises(PermissionDenied):
        moderation.report(idea=idea, comment=comment, reason="x", by=citizen)
    moderation.hide_idea(idea=idea, reason="Spam", by=coordinator)
    with pytest.raises(PermissionDenied):
        moderation.report(idea=idea, reason="x", by=citizen)


def test_only_the_coordination_office_closes_reports(idea, citizen, lead, author, coordinator):
    report = moderation.report(idea=idea, reason="Werbung", by=citizen)
    for person in (citizen, lead, author):
        with pytest.raises(PermissionDenied):
            moderation.report_close(report=report, by=person)
    closed = moderation.report_close(report=report, by=coordinator)
    assert closed.state == IdeaReport.State.CLOSED and closed.closed_by == coordinator
    moderation.report_close(report=report, by=coordinator)  # twice: nothing more happens
    assert AuditEntry.objects.filter(action="idea.report.closed").count() == 1


def test_the_queue_lists_open_reports_oldest_first(idea, make_idea, citizen, partner_member,
                                                   coordinator):
    first = moderation.report(idea=idea, reason="eins", by=citizen)
    second = moderation.report(idea=make_idea("Zweite"), reason="zwei", by=partner_member)
    closed = moderation.report(idea=idea, reason="drei", by=partner_member)
    moderation.report_close(report=closed, by=coordinator)
    assert list(moderation.open_reports()) == [first, second]


# ---------------------------------------------------------------------------------------------
# Comments


@pytest.mark.parametrize("role", ["coordinator", "lead"])
def test_coordinator_and_group_lead_hide_and_unhide_a_comment(request, idea, role, citizen,
                                                              partner_member, make_comment):
    moderator = request.getfixturevalue(role)
    comment = make_comment(idea, citizen, "Beleidigung")
    make_comment(idea, partner_member, "Antwort", parent=comment)
    report = moderation.report(idea=idea, comment=comment, reason="böse", by=partner_member)
    idea_report = moderation.report(idea=idea, reason="anders", by=partner_member)
    assert comment_count(idea) == 2
    hidden = moderation.hide_comment(comment=comment, reason="  Beleidigung  ", by=moderator)
    assert hidden.is_hidden and hidden.hidden_reason == "Beleidigung"
    assert hidden.hidden_by == moderator
    assert comment_count(idea) == 1  # the reply still counts
    report.refresh_from_db()
    idea_report.refresh_from_db()
    assert report.state == IdeaReport.State.CLOSED and idea_report.state == IdeaReport.State.OPEN
    with pytest.raises(ValidationError):
        moderation.hide_comment(comment=comment, reason="nochmal", by=moderator)
    assert comment_count(idea) == 1
    shown = moderation.unhide_comment(comment=comment, by=moderator)
    assert not shown.is_hidden and shown.hidden_reason == ""
    assert comment_count(idea) == 2
    with pytest.raises(ValidationError):
        moderation.unhide_comment(comment=comment, by=moderator)
    assert comment_count(idea) == 2
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"idea.comment.hidden", "idea.comment.unhidden"} <= actions


@pytest.mark.parametrize("role", ["citizen", "partner_member", "member", "other_lead", "author"])
def test_others_do_not_hide_comments(request, idea, role, make_comment, coordinator):
    person = request.getfixturevalue(role)
    comment = make_comment(idea, coordinator)
    with pytest.raises(PermissionDenied):
        moderation.hide_comment(comment=comment, reason="x", by=person)
    comment.refresh_from_db()
    assert not comment.is_hidden and comment_count(idea) == 1


def test_a_lead_does_not_hide_comments_of_ideas_of_no_or_another_group(make_idea, lead,
                                                                        citizen, make_comment):
    comment = make_comment(make_idea("Ohne Gruppe"), citizen)
    with pytest.raises(PermissionDenied):
        moderation.hide_comment(comment=comment, reason="x", by=lead)


def test_hiding_needs_a_reason(idea, coordinator, citizen, make_comment):
    comment = make_comment(idea, citizen)
    for reason, code in (("  ", "required"), ("x" * 501, "max_length")):
        with pytest.raises(ValidationError) as error:
            moderation.hide_comment(comment=comment, reason=reason, by=coordinator)
        assert error.value.error_dict["reason"][0].code == code
        with pytest.raises(ValidationError) as error:
            moderation.hide_idea(idea=idea, reason=reason, by=coordinator)
        assert error.value.error_dict["reason"][0].code == code
    comment.refresh_from_db()
    idea.refresh_from_db()
    assert not comment.is_hidden and not idea.is_hidden


# ---------------------------------------------------------------------------------------------
# Ideas


@pytest.mark.parametrize("role", ["citizen", "partner_member", "lead", "author"])
def test_only_the_coordination_office_hides_ideas(request, idea, role):
    with pytest.raises(PermissionDenied):
        moderation.hide_idea(idea=idea, reason="x", by=request.getfixturevalue(role))
    idea.refresh_from_db()
    assert not idea.is_hidden


def test_hiding_an_idea_closes_its_reports_and_unhiding_shows_it(idea, citizen, coordinator,
                                                                 make_comment):
    comment = make_comment(idea, citizen)
    on_idea = moderation.report(idea=idea, reason="Spam", by=citizen)
    on_comment = moderation.report(idea=idea, comment=comment, reason="Spam", by=citizen)
    moderation.hide_idea(idea=idea, reason="Werbung", by=coordinator)
    idea.refresh_from_db()
    assert idea.is_hidden and idea.hidden_reason == "Werbung" and idea.hidden_by == coordinator
    on_idea.refresh_from_db()
    on_comment.refresh_from_db()
    assert on_idea.state == IdeaReport.State.CLOSED and on_comment.state == IdeaReport.State.OPEN
    with pytest.raises(ValidationError):
        moderation.hide_idea(idea=idea, reason="nochmal", by=coordinator)
    moderation.unhide_idea(idea=idea, by=coordinator)
    idea.refresh_from_db()
    assert not idea.is_hidden and idea.hidden_reason == ""
    with pytest.raises(ValidationError):
        moderation.unhide_idea(idea=idea, by=coordinator)
    entries = list(AuditEntry.objects.filter(object_id=str(idea.pk),
                                             action__in=["idea.hidden", "idea.unhidden"])
                   .values_list("action", "after", "before").order_by("pk"))
    assert entries == [("idea.hidden", {"reason": "Werbung"}, None),
                       ("idea.unhidden", None, {"reason": "Werbung"})]


def test_hiding_an_idea_withdraws_its_notifications_from_those_who_no_longer_see_it(
        idea, author, citizen, coordinator, partner_member):
    participation.follow(idea=idea, by=partner_member)
    participation.comment_create(idea=idea, body="Hallo", by=citizen)
    notify(coordinator, kind="idea_comment", key="test:coordinator",
           template="ideas/notifications/comment",
           context={"idea": idea, "author": citizen}, url=idea.get_absolute_url())
    unrelated = notify(partner_member, kind="other", key="other", template=
                       "ideas/notifications/comment", context={"idea": idea, "author": citizen},
                       url="/de/ideas/")
    assert Notification.objects.count() == 4
    moderation.hide_idea(idea=idea, reason="Spam", by=coordinator)
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        author.email, coordinator.email, partner_member.email}
    assert list(Notification.objects.filter(recipient=partner_member)) == [unrelated]


def test_hidden_idea_is_seen_by_its_authors_and_the_coordination_office_only(
        idea, author, citizen, lead, coordinator, make_user):
    from stadtallianz.ideas import permissions
    from stadtallianz.ideas.models import CoAuthor

    coauthor = make_user("co@example.org")
    CoAuthor.objects.create(idea=idea, user=coauthor, state=CoAuthor.State.ACCEPTED)
    invited = make_user("invited@example.org")
    CoAuthor.objects.create(idea=idea, user=invited)
    moderation.hide_idea(idea=idea, reason="Spam", by=coordinator)
    idea = Idea.objects.get(pk=idea.pk)
    seeing = {p for p in (author, coauthor, invited, citizen, lead, coordinator)
              if permissions.can_view_idea(p, idea)}
    assert seeing == {author, coauthor, coordinator}
    assert not permissions.can_view_idea(AnonymousUser(), idea)


def test_leads_of_an_archived_group_no_longer_hide_or_unhide_comments(idea, group, lead, citizen,
                                                                       coordinator, make_comment):
    from stadtallianz.workinggroups.models import WorkingGroup

    shown = make_comment(idea, citizen, "Sichtbar")
    hidden = make_comment(idea, citizen, "Versteckt")
    moderation.hide_comment(comment=hidden, reason="Spam", by=coordinator)
    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    idea = Idea.objects.select_related("working_group").get(pk=idea.pk)
    shown.idea = hidden.idea = idea
    with pytest.raises(PermissionDenied):
        moderation.hide_comment(comment=shown, reason="x", by=lead)
    with pytest.raises(PermissionDenied):
        moderation.unhide_comment(comment=hidden, by=lead)
    shown.refresh_from_db()
    hidden.refresh_from_db()
    assert not shown.is_hidden and hidden.is_hidden
