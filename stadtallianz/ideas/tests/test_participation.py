"""Comments, replies, support and follow: the services and their rules, per role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.models import AuditEntry
from stadtallianz.ideas.models import CoAuthor, Comment, Follow, Idea, Support
from stadtallianz.ideas.participation import services as participation
from stadtallianz.notifications.models import Notification

from .participation_fixtures import *  # noqa: F403


def counts(idea):
    idea.refresh_from_db()
    return idea.support_count, idea.comment_count


# ---------------------------------------------------------------------------------------------
# Comments


@pytest.mark.parametrize("role", ["citizen", "partner_member", "lead", "coordinator", "author"])
def test_every_confirmed_person_comments(request, idea, role):
    person = request.getfixturevalue(role)
    comment = participation.comment_create(idea=idea, body="  Gute *Idee*  ", by=person)
    assert comment.body == "Gute *Idee*" and comment.parent is None
    assert counts(idea) == (0, 1)
    assert AuditEntry.objects.filter(action="idea.comment.created",
                                     object_id=str(comment.pk)).exists()


@pytest.mark.parametrize("who", ["unconfirmed", "visitor"])
def test_unconfirmed_people_and_visitors_do_not_comment(request, idea, who):
    person = AnonymousUser() if who == "visitor" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        participation.comment_create(idea=idea, body="Hallo", by=person)
    assert counts(idea) == (0, 0) and not Comment.objects.exists()


def test_hidden_idea_takes_no_comments_not_even_from_its_author(idea, author, citizen,
                                                                  coordinator):
    Idea.objects.filter(pk=idea.pk).update(hidden_at="2026-01-01T00:00Z", hidden_by=coordinator)
    idea.refresh_from_db()
    for person in (author, citizen, coordinator):
        with pytest.raises(PermissionDenied):
            participation.comment_create(idea=idea, body="Hallo", by=person)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body, code", [("", "required"), ("   \n ", "required"),
                                        ("x" * 10001, "max_length")])
def test_bad_comment_text_is_refused_naming_the_field(idea, citizen, body, code):
    with pytest.raises(ValidationError) as error:
        participation.comment_create(idea=idea, body=body, by=citizen)
    assert list(error.value.error_dict) == ["body"]
    assert error.value.error_dict["body"][0].code == code
    assert counts(idea) == (0, 0) and not Comment.objects.exists()


def test_reply_to_a_reply_answers_the_top_level_comment(idea, citizen, partner_member, lead):
    top = participation.comment_create(idea=idea, body="Oben", by=citizen)
    reply = participation.comment_create(idea=idea, body="Antwort", by=partner_member,
                                         parent=top)
    deeper = participation.comment_create(idea=idea, body="Noch eine", by=lead, parent=reply)
    assert reply.parent == top and deeper.parent == top
    assert counts(idea) == (0, 3)


def test_reply_to_a_comment_of_another_idea_or_a_hidden_one_is_refused(
        idea, make_idea, make_comment, citizen, coordinator):
    other = make_comment(make_idea("Andere"), citizen)
    with pytest.raises(ValidationError) as error:
        participation.comment_create(idea=idea, body="x", by=citizen, parent=other)
    assert list(error.value.error_dict) == ["parent"]
    hidden = make_comment(idea, citizen, hidden_at="2026-01-01T00:00Z")
    with pytest.raises(ValidationError) as error:
        participation.comment_create(idea=idea, body="x", by=citizen, parent=hidden)
    assert list(error.value.error_dict) == ["parent"]
    assert Comment.objects.count() == 2


def test_followers_and_authors_hear_of_a_comment_but_not_the_commenter(
        idea, author, citizen, partner_member, lead, make_user):
    coauthor = make_user("co@example.org", full_name="Co Author")
    CoAuthor.objects.create(idea=idea, user=coauthor, state=CoAuthor.State.ACCEPTED)
    invited = make_user("invited@example.org")
    CoAuthor.objects.create(idea=idea, user=invited)
    participation.follow(idea=idea, by=partner_member)
    participation.follow(idea=idea, by=citizen)
    comment = participation.comment_create(idea=idea, body="Geheimer Text", by=citizen)
    told = Notification.objects.filter(key=f"idea-comment:{comment.pk}")
    assert {n.recipient for n in told} == {author, coauthor, partner_member}
    note = told.get(recipient=author)
    assert idea.title in note.subject and "Geheimer Text" not in note.body + note.subject
    assert note.url.endswith(f"#comment-{comment.pk}")
    assert not Notification.objects.filter(recipient=lead).exists()


def test_the_author_of_a_comment_hears_of_a_reply_once(idea, author, citizen, partner_member):
    participation.follow(idea=idea, by=citizen)
    top = participation.comment_create(idea=idea, body="Oben", by=citizen)
    reply = participation.comment_create(idea=idea, body="Antwort", by=partner_member,
                                         parent=top)
    mine = Notification.objects.filter(recipient=citizen)
    assert [(n.kind, n.key) for n in mine] == [("idea_reply", f"idea-reply:{reply.pk}")]
    # The idea's author hears of both comments, as a follower would.
    assert Notification.objects.filter(recipient=author, kind="idea_comment").count() == 2


def test_nobody_is_told_about_their_own_reply(idea, author):
    top = participation.comment_create(idea=idea, body="Oben", by=author)
    participation.comment_create(idea=idea, body="Nachtrag", by=author, parent=top)
    assert not Notification.objects.exists()


def test_authors_edit_their_own_comment(idea, citizen, partner_member, coordinator,
                                        make_comment):
    comment = make_comment(idea, citizen, "Alt")
    edited = participation.comment_edit(comment=comment, body="Neu", by=citizen)
    assert edited.body == "Neu" and edited.edited_at is not None
    entry = AuditEntry.objects.get(action="idea.comment.edited")
    assert entry.before == {"body": "Alt"} and entry.after == {"body": "Neu"}
    for other in (partner_member, coordinator):
        with pytest.raises(PermissionDenied):
            participation.comment_edit(comment=comment, body="Fremd", by=other)
    with pytest.raises(ValidationError) as error:
        participation.comment_edit(comment=comment, body=" ", by=citizen)
    assert list(error.value.error_dict) == ["body"]
    comment.refresh_from_db()
    assert comment.body == "Neu"


def test_an_unchanged_text_is_no_edit(idea, citizen, make_comment):
    comment = make_comment(idea, citizen, "Gleich")
    assert participation.comment_edit(comment=comment, body="Gleich", by=citizen).edited_at is None


def test_a_hidden_comment_is_not_edited(idea, citizen, make_comment):
    comment = make_comment(idea, citizen, "Alt", hidden_at="2026-01-01T00:00Z")
    with pytest.raises(PermissionDenied):
        participation.comment_edit(comment=comment, body="Neu", by=citizen)


# ---------------------------------------------------------------------------------------------
# Support


@pytest.mark.parametrize("state", [Idea.State.SUBMITTED, Idea.State.DISCUSSION])
def test_support_once_and_withdraw(make_idea, citizen, state):
    idea = make_idea(state=state)
    assert participation.support(idea=idea, by=citizen) is True
    assert participation.support(idea=idea, by=citizen) is False
    assert counts(idea) == (1, 0) and Support.objects.count() == 1
    assert participation.unsupport(idea=idea, by=citizen) is True
    assert participation.unsupport(idea=idea, by=citizen) is False
    assert counts(idea) == (0, 0)
    actions = list(AuditEntry.objects.filter(action__startswith="idea.support")
                   .values_list("action", flat=True).order_by("pk"))
    assert actions == ["idea.support.added", "idea.support.withdrawn"]


@pytest.mark.parametrize("state", [Idea.State.ACCEPTED, Idea.State.DECLINED, Idea.State.MERGED])
def test_decided_ideas_take_no_support_and_say_why(make_idea, citizen, state):
    idea = make_idea(state=state)
    with pytest.raises(ValidationError) as error:
        participation.support(idea=idea, by=citizen)
    assert "eingereicht oder in Diskussion" in " ".join(error.value.messages)
    assert f"„{state.label}“" in " ".join(error.value.messages)
    assert counts(idea) == (0, 0)


def test_support_given_before_a_decision_can_still_be_withdrawn(idea, citizen):
    participation.support(idea=idea, by=citizen)
    Idea.objects.filter(pk=idea.pk).update(state=Idea.State.DECLINED)
    idea.refresh_from_db()
    assert participation.unsupport(idea=idea, by=citizen) is True
    assert counts(idea) == (0, 0)


def test_many_people_support(idea, citizen, partner_member, lead, coordinator):
    for person in (citizen, partner_member, lead, coordinator):
        participation.support(idea=idea, by=person)
    assert counts(idea) == (4, 0)
    assert participation.supported_ids(citizen, [idea.pk]) == {idea.pk}
    assert participation.supported_ids(AnonymousUser(), [idea.pk]) == set()


@pytest.mark.parametrize("who", ["unconfirmed", "visitor"])
def test_unconfirmed_people_and_visitors_do_not_support_or_follow(request, idea, who):
    person = AnonymousUser() if who == "visitor" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        participation.support(idea=idea, by=person)
    with pytest.raises(PermissionDenied):
        participation.follow(idea=idea, by=person)
    assert counts(idea) == (0, 0) and not Follow.objects.exists()


# ---------------------------------------------------------------------------------------------
# Follow


def test_follow_and_unfollow(idea, citizen):
    assert participation.follow(idea=idea, by=citizen) is True
    assert participation.follow(idea=idea, by=citizen) is False
    assert citizen in participation.followers_of(idea)
    assert participation.unfollow(idea=idea, by=citizen) is True
    assert participation.unfollow(idea=idea, by=citizen) is False
    assert citizen not in participation.followers_of(idea)


def test_followers_of_a_hidden_idea_are_its_authors_only(idea, author, citizen, coordinator,
                                                         make_user):
    coauthor = make_user("co@example.org")
    CoAuthor.objects.create(idea=idea, user=coauthor, state=CoAuthor.State.ACCEPTED)
    participation.follow(idea=idea, by=citizen)
    inactive = make_user("gone@example.org", is_active=False)
    Follow.objects.create(idea=idea, user=inactive)
    assert participation.followers_of(idea) == [author, citizen, coauthor]
    Idea.objects.filter(pk=idea.pk).update(hidden_at="2026-01-01T00:00Z", hidden_by=coordinator)
    idea.refresh_from_db()
    assert participation.followers_of(idea) == [author, coauthor]


def test_deleting_an_account_takes_its_supports_off_the_counts(idea, make_idea, citizen,
                                                                partner_member):
    from stadtallianz.accounts.services import account_delete

    other = make_idea("Zweite Idee")
    untouched = make_idea("Dritte Idee")
    for supported in (idea, other):
        participation.support(idea=supported, by=citizen)
    participation.support(idea=idea, by=partner_member)
    participation.support(idea=untouched, by=partner_member)
    participation.follow(idea=idea, by=citizen)
    account_delete(user=citizen, by=citizen)
    counts = dict(Idea.objects.values_list("pk", "support_count"))
    assert counts == {idea.pk: 1, other.pk: 0, untouched.pk: 1}
    assert Support.objects.count() == 2 and not Follow.objects.filter(idea=idea).exists()
    # The remaining support is withdrawn as usual, once.
    assert participation.unsupport(idea=idea, by=partner_member) is True
    assert Idea.objects.get(pk=idea.pk).support_count == 0
