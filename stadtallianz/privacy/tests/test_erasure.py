"""Erasure beyond the sweep: sessions on every device, what the person chose to delete, the
counters, what stays and under which name."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import DEMO_PASSWORD
from stadtallianz.accounts.services import account_delete
from stadtallianz.core.models import AuditEntry
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.ideas.models import Comment, Idea
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.notifications.models import Notification

from .conftest import NAME

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_deleting_ends_the_sessions_on_every_device(quirin, writer,
                                                    django_capture_on_commit_callbacks):
    laptop, phone, other = _login(quirin), _login(quirin), _login(writer)
    assert Session.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):  # the sessions go after the commit
        response = laptop.post(reverse("accounts:delete"), {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert Session.objects.count() == 1  # the other person's
    assert phone.get(reverse("accounts:profile")).status_code == 302  # to the login
    assert other.get(reverse("accounts:profile")).status_code == 200


def test_contributions_stay_under_former_participant(scenario, quirin, client):
    idea, answered, quirin_id = scenario["own_idea"], scenario["answered"], quirin.pk
    account_delete(user=quirin, by=quirin)
    idea.refresh_from_db()
    assert idea.author is None and idea.support_count == 1 and idea.comment_count == 1
    assert Comment.objects.filter(pk__in=[answered.pk, scenario["lone"].pk],
                                  author=None).count() == 2
    assert Thread.objects.filter(pk=scenario["own_thread"].pk, author=None).exists()
    page = client.get(reverse("ideas:detail", kwargs={"pk": idea.pk})).content.decode()
    assert "ehemals teilnehmende Person" in page
    signature = Signature.objects.get(pk=scenario["signature"].pk)
    assert signature.signed_by is None and signature.signatory_name == "ehemals teilnehmende Person"
    assert signature.state == Signature.State.CONFIRMED  # the organisation's record stays
    entry = AuditEntry.objects.get(action="account.profile.changed")
    assert entry.actor_repr == f"deleted account #{quirin_id}"
    assert NAME not in str(entry.after) and entry.after["full_name"] == entry.actor_repr


def test_on_request_unanswered_comments_and_posts_go_and_the_counters_follow(scenario, quirin):
    others_idea = scenario["others_idea"]
    others_idea.refresh_from_db()
    assert (others_idea.support_count, others_idea.comment_count) == (1, 3)
    account_delete(user=quirin, by=quirin, delete_contributions=True)
    others_idea.refresh_from_db()
    # The answered comment stays (anonymous), the lone one goes; quirin's support is gone.
    assert (others_idea.support_count, others_idea.comment_count) == (0, 2)
    assert not Comment.objects.filter(pk=scenario["lone"].pk).exists()
    assert Comment.objects.get(pk=scenario["answered"].pk).author is None
    # The reply in the lead's thread was answered: it stays. The own thread nobody answered goes.
    assert Post.objects.filter(pk=scenario["reply"].pk, author=None).exists()
    assert not Thread.objects.filter(pk=scenario["own_thread"].pk).exists()
    # The own idea has a supporter and another's comment: it stays.
    assert Idea.objects.filter(pk=scenario["own_idea"].pk, author=None).exists()


def test_others_notifications_no_longer_name_the_person(scenario, quirin, lead, writer):
    texts = lambda user: " ".join(n.subject + n.body for n in  # noqa: E731
                                  Notification.objects.filter(recipient=user))
    # They name the author as the recipient may see them: by the display name.
    assert "Zebrafink" in texts(lead) and "Zebrafink" in texts(writer)
    assert NAME not in texts(lead) + texts(writer)
    account_delete(user=quirin, by=quirin)
    assert "Zebrafink" not in texts(lead) + texts(writer)
    # The lead reads English: their notification says it in English.
    assert "former participant" in texts(lead)
    assert "ehemals teilnehmende Person" in texts(writer)


def test_the_delete_page_offers_the_choice_and_the_export(client_for, quirin):
    page = client_for(quirin).get(reverse("accounts:delete")).content.decode()
    assert 'name="delete_contributions"' in page
    assert reverse("privacy:overview") in page


def test_the_replacement_takes_whole_words_only_and_walks_json():
    from stadtallianz.privacy.erasure import replacer

    replace = replacer(["Anna", "anna@example.org"], "X")
    assert replace("Johanna und Anna (anna@example.org), ANNA.") == "Johanna und X (X), X."
    assert replace({"a": ["Anna", 3], "b": {"c": "Hannah"}}) == {"a": ["X", 3],
                                                                 "b": {"c": "Hannah"}}


def test_a_display_name_that_is_an_ordinary_word_leaves_others_words_alone(
        make_user, writer, lead, group, submit):
    """A display name is a pseudonym and often a plain word; it is copied nowhere but into the
    audit entries about the person, so erasing it must not rewrite what others wrote or did."""
    from stadtallianz.accounts.services import account_update_profile
    from stadtallianz.discussions import services as discussions

    person = make_user("rita@example.org", full_name="Rita Rosenbaum")
    account_update_profile(user=person, by=person, full_name="Rita Rosenbaum",
                           preferred_language="de", display_name="Radweg")
    idea = submit("Radweg an der Promenade", by=writer, working_group=group)
    thread = discussions.thread_create(group=group, title="Ring", body="Der Radweg ist zu eng.",
                                       visibility=Thread.Visibility.PUBLIC, by=lead)
    account_delete(user=person, by=person)
    assert Post.objects.get(thread=thread).body == "Der Radweg ist zu eng."
    created = AuditEntry.objects.get(action="idea.created", object_id=str(idea.pk))
    assert created.object_repr == "Radweg an der Promenade"
    assert created.after["title"] == "Radweg an der Promenade"
    profile = AuditEntry.objects.get(action="account.profile.changed")
    assert "Radweg" not in str(profile.before) + str(profile.after)


def test_a_post_that_merely_shares_the_name_is_left_alone(scenario, quirin, lead, make_user,
                                                          group):
    """Only posts that mention the person (discussions.Mention) lose the name; another Quirin
    Xylander, named in a post without a mention, keeps his name, and so does the notification
    about someone else's post."""
    from stadtallianz.discussions import services as discussions

    namesake = make_user("namesake@example.org", full_name=NAME)
    plain = discussions.post_reply(thread=scenario["thread"], by=lead,
                                   body=f"{NAME} vom Sportverein kommt auch.")
    note = Notification.objects.create(recipient=quirin, kind="x", key="x", subject="s", body="b")
    about_other = Notification.objects.create(
        recipient=lead, kind="idea_comment", key="idea-comment:999999",
        subject=f"{NAME} hat kommentiert", body=f"{NAME} hat kommentiert.")
    mentioned = Post.objects.filter(mentions__user=quirin).get()
    account_delete(user=quirin, by=quirin)
    plain.refresh_from_db()
    mentioned.refresh_from_db()
    about_other.refresh_from_db()
    assert plain.body == f"{NAME} vom Sportverein kommt auch."
    assert about_other.subject == f"{NAME} hat kommentiert"
    assert NAME not in mentioned.body
    assert not Notification.objects.filter(pk=note.pk).exists()
    assert namesake.full_name == NAME
