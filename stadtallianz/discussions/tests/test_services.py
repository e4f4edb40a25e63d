import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.models import AuditEntry
from stadtallianz.discussions import services
from stadtallianz.discussions.models import Mention, Post, PostReport, Thread
from stadtallianz.workinggroups.models import WorkingGroup

pytestmark = pytest.mark.django_db
PUBLIC = Thread.Visibility.PUBLIC


def test_member_creates_thread_with_first_post_and_audit(group, member):
    """A member opens a thread; its first post, last activity and audit entry are written."""
    thread = services.thread_create(group=group, title=" Titel ", body="Text",
                                    visibility=PUBLIC, by=member)
    assert thread.title == "Titel"
    assert thread.posts.get().body == "Text"
    assert thread.last_activity_at is not None
    assert AuditEntry.objects.filter(action="discussion.thread.created").count() == 1


def test_coordinator_creates_thread_but_citizen_and_other_lead_cannot(group, coordinator,
                                                                       citizen, other_lead):
    """The coordinator may open a thread in any group; a citizen or another group's lead not."""
    services.thread_create(group=group, title="T", body="B", visibility=PUBLIC, by=coordinator)
    for user in (citizen, other_lead):
        with pytest.raises(PermissionDenied):
            services.thread_create(group=group, title="T", body="B", visibility=PUBLIC, by=user)
    assert Thread.objects.count() == 1


def test_thread_create_without_title_writes_nothing(group, member):
    """A missing title is an error on that field, and no thread or post is stored."""
    with pytest.raises(ValidationError) as error:
        services.thread_create(group=group, title=" ", body="B", visibility=PUBLIC, by=member)
    assert "title" in error.value.message_dict
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_reply_moves_thread_up_and_archived_group_refuses(group, member, lead, public_thread):
    """A reply updates last activity; once the group is archived nobody replies."""
    before = public_thread.last_activity_at
    post = services.post_reply(thread=public_thread, body="Ich!", by=lead)
    public_thread.refresh_from_db()
    assert public_thread.last_activity_at >= before and post.thread == public_thread
    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    public_thread.group.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.post_reply(thread=public_thread, body="Zu spät", by=member)


def test_citizen_cannot_reply_to_public_thread(public_thread, citizen):
    """Reading a public thread does not let a non-member reply."""
    with pytest.raises(PermissionDenied):
        services.post_reply(thread=public_thread, body="Hallo", by=citizen)


def test_edit_keeps_every_previous_body(public_thread, member, lead):
    """Each edit by the author keeps the text before it; nobody else edits."""
    post = public_thread.posts.get()
    services.post_edit(post=post, body="Zweite Fassung", by=member)
    services.post_edit(post=post, body="Dritte Fassung", by=member)
    post.refresh_from_db()
    assert post.body == "Dritte Fassung" and post.edited_at
    assert [r.body for r in post.revisions.all()] == ["Zweite Fassung", "Wer macht mit?"]
    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, body="Fremd", by=lead)
    assert AuditEntry.objects.filter(action="discussion.post.edited").count() == 2


def test_pin_by_lead_and_coordinator_not_member(public_thread, lead, coordinator, member):
    """Leads and the coordinator pin and unpin; a member cannot."""
    services.thread_pin(thread=public_thread, pinned=True, by=lead)
    assert Thread.objects.get().pinned
    services.thread_pin(thread=public_thread, pinned=False, by=coordinator)
    assert not Thread.objects.get().pinned
    with pytest.raises(PermissionDenied):
        services.thread_pin(thread=public_thread, pinned=True, by=member)
    assert AuditEntry.objects.filter(action__startswith="discussion.thread.").count() == 3


def test_hide_needs_reason_and_moderator_and_closes_reports(public_thread, lead, member,
                                                            citizen):
    """Hiding needs a reason and a moderator; it closes the post's open reports."""
    post = public_thread.posts.get()
    services.post_report(post=post, reason="Beleidigend", by=citizen)
    with pytest.raises(ValidationError):
        services.post_hide(post=post, reason="", by=lead)
    with pytest.raises(PermissionDenied):
        services.post_hide(post=post, reason="Spam", by=member)
    services.post_hide(post=post, reason="Spam", by=lead)
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by == lead and post.hidden_reason == "Spam"
    assert PostReport.objects.get().state == PostReport.State.CLOSED


def test_report_needs_login_and_visibility(private_thread, public_thread, citizen, member):
    """A logged-in person reports what they can see; a members-only post not as a citizen."""
    services.post_report(post=public_thread.posts.get(), reason="Falsch", by=citizen)
    with pytest.raises(PermissionDenied):
        services.post_report(post=private_thread.posts.get(), reason="x", by=citizen)
    with pytest.raises(ValidationError):
        services.post_report(post=public_thread.posts.get(), reason=" ", by=member)
    assert PostReport.objects.count() == 1


def test_parse_mentions_rule():
    """Names in @[...] and full addresses after @ are mentions; a bare address is not."""
    names, emails = services.parse_mentions(
        "Hallo @[Lena  Lead] und @Mia@Example.org. Schreib an x@example.org")
    assert names == {"Lena Lead"} and emails == {"mia@example.org"}


def test_mention_notifies_members_once_in_their_language(group, member, lead, citizen,
                                                         django_capture_on_commit_callbacks):
    """Mentioned members get one e-mail per post in their language; non-members get none."""
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_create(
            group=group, title="Treffen", visibility=PUBLIC, by=member,
            body=f"@[Lena Lead] und @{citizen.email} und @{member.email}")
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "mentioned you" in mail.outbox[0].subject  # lead prefers English
    post = thread.posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(post=post, body=post.body + " @[Lena Lead]!", by=member)
    assert len(mail.outbox) == 1
    assert list(Mention.objects.values_list("user__email", flat=True)) == [lead.email]


def test_mention_email_in_german(group, member, lead, django_capture_on_commit_callbacks):
    """A member who prefers German gets the mention e-mail in German."""
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_create(group=group, title="Treffen", visibility=PUBLIC, by=lead,
                               body="Hallo @[Mia Member]")
    assert mail.outbox[0].to == [member.email]
    assert "erwähnt" in mail.outbox[0].subject


def test_every_change_is_audited(public_thread, member, lead, citizen):
    """Reply, pin, report, hide and closing a report each write their audit entry."""
    post = services.post_reply(thread=public_thread, body="Antwort", by=lead)
    services.thread_pin(thread=public_thread, pinned=True, by=lead)
    report = services.post_report(post=post, reason="Grund", by=citizen)
    services.report_close(report=report, by=lead)
    services.post_hide(post=post, reason="Grund", by=lead)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"discussion.post.created", "discussion.thread.pinned", "discussion.post.reported",
            "discussion.report.closed", "discussion.post.hidden"} <= actions


def test_inactive_account_is_not_mentioned(group, member, lead,
                                           django_capture_on_commit_callbacks):
    """A deactivated member is not mentioned and gets no e-mail."""
    lead.is_active = False
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_create(group=group, title="T", visibility=PUBLIC, by=member,
                               body="@[Lena Lead]")
    assert mail.outbox == [] and not Mention.objects.exists()
