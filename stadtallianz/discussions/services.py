"""Changes to discussions. Each is one transaction with an audit entry (`discussion.*`);
mentioned members, and those who wrote in a thread before a reply, are notified through the
notifications app (in-app, and by e-mail after the commit, in the recipient's language).

Mentions follow one simple rule, so that nothing is guessed: `@[Full Name]` (the exact name, in
square brackets) or `@` followed by a full e-mail address (`@name@example.org`). A mention counts
only if it names an active member of the thread's group; each member is notified at most once
per post, however often the post is edited.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.office import with_office
from stadtallianz.notifications.services import notify
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

from . import permissions
from .models import Mention, Post, PostReport, PostRevision, Thread

NAME_MENTION = re.compile(r"(?<![\w@])@\[([^\[\]\n]{1,150})\]")
EMAIL_MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def _deny(message) -> None:
    raise PermissionDenied(message)


# Each change re-reads what it changes (or adds to) under a row lock, inside its transaction:
# something another request deleted meanwhile is a 404 (issue 11, item 5, "objects deleted
# between read and write"), not a DoesNotExist, an update of no row, or a post, report or
# thread pointing at a row that is gone; and a deletion that runs at the same time waits for
# the change (or the change for it).


def _locked_group(group: WorkingGroup) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.select_for_update(), pk=group.pk)


def _locked_thread(thread: Thread) -> Thread:
    return get_object_or_404(
        Thread.objects.select_for_update(of=("self",)).select_related("group"), pk=thread.pk)


def _locked_post(post: Post) -> Post:
    return get_object_or_404(Post.objects.select_for_update(of=("self",))
                             .select_related("thread__group", "author"), pk=post.pk)


def _required(field: str, value: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    return value


def parse_mentions(body: str) -> tuple[set[str], set[str]]:
    """The names and the e-mail addresses (lower-cased) that a text mentions."""
    names = {" ".join(m.split()) for m in NAME_MENTION.findall(body)}
    emails = {m.lower().rstrip(".") for m in EMAIL_MENTION.findall(body)}
    return names, emails


def _mentioned_members(group: WorkingGroup, body: str) -> list[User]:
    names, emails = parse_mentions(body)
    if not names and not emails:
        return []
    match = Q(email__in=emails)
    for name in names:
        match |= Q(full_name__iexact=name)
    members = GroupMembership.objects.active().filter(group=group).values("user_id")
    return list(User.objects.filter(match, is_active=True, pk__in=members))


def _members_only_group(thread: Thread) -> WorkingGroup | None:
    """The group whose members alone may read a notification about this thread."""
    return None if thread.is_public else thread.group


def _record_mentions(post: Post, by) -> set[int]:
    """Records and notifies the newly mentioned members; returns who was notified."""
    already = set(post.mentions.values_list("user_id", flat=True))
    notified = set()
    for user in _mentioned_members(post.thread.group, post.body):
        if user.pk in already or user.pk == getattr(by, "pk", None):
            continue
        Mention.objects.create(post=post, user=user)
        # Members only are mentioned; the check keeps the rule if that ever changes.
        if permissions.can_view_thread(user, post.thread):
            notify(user, kind="mention", key=f"mention:post:{post.pk}",
                   template="discussions/emails/mention",
                   context={"post": post, "thread": post.thread, "author": by,
                            "group": post.thread.group},
                   url=post.get_absolute_url, members_of=_members_only_group(post.thread))
            notified.add(user.pk)
    return notified


def _notify_participants(post: Post, by, skip: set[int]) -> None:
    """Those who wrote in the thread before learn of a new reply, if they may still read it."""
    thread = post.thread
    participants = (User.objects.filter(is_active=True, discussion_posts__thread=thread)
                    .exclude(pk__in=skip | {by.pk}).distinct())
    for user in participants:
        if permissions.can_view_thread(user, thread):
            notify(user, kind="reply", key=f"reply:post:{post.pk}",
                   template="notifications/emails/reply",
                   context={"post": post, "thread": thread, "author": by,
                            "group": thread.group},
                   url=post.get_absolute_url, members_of=_members_only_group(thread))


@transaction.atomic
def thread_create(*, group: WorkingGroup, title: str, body: str, visibility: str,
                  by) -> Thread:
    """A member, lead or the coordinator opens a thread with its first post."""
    group = _locked_group(group)
    if not permissions.can_create_thread(by, group):
        _deny(_("Only members of an active working group start discussions."))
    title = _required("title", title, _("Give the thread a title."))
    body = _required("body", body, _("Write a text."))
    if visibility not in Thread.Visibility.values:
        raise ValidationError({"visibility": _("Choose a visibility.")}, code="invalid")
    now = timezone.now()
    thread = Thread.objects.create(group=group, title=title[:200], author=by,
                                   visibility=visibility, last_activity_at=now)
    post = Post.objects.create(thread=thread, author=by, body=body)
    audit_log(actor=by, action="discussion.thread.created", target=thread,
              after={"group": group.pk, "title": thread.title, "visibility": visibility})
    _record_mentions(post, by)
    return thread


@transaction.atomic
def post_reply(*, thread: Thread, body: str, by) -> Post:
    """A member answers in a thread of an active group."""
    thread = _locked_thread(thread)
    if not permissions.can_view_thread(by, thread) or not permissions.can_reply(by, thread):
        _deny(_("Only members of an active working group reply."))
    body = _required("body", body, _("Write a text."))
    post = Post.objects.create(thread=thread, author=by, body=body)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=post.created_at)
    audit_log(actor=by, action="discussion.post.created", target=post,
              after={"thread": thread.pk})
    _notify_participants(post, by, skip=_record_mentions(post, by))
    return post


@transaction.atomic
def post_edit(*, post: Post, body: str, by) -> Post:
    """The author changes a post; the previous text is kept as a revision."""
    post = _locked_post(post)
    if not permissions.can_edit_post(by, post):
        _deny(_("Only the author changes a post."))
    body = _required("body", body, _("Write a text."))
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=by)
    before = {"body": post.body}
    post.body = body
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at"])
    audit_log(actor=by, action="discussion.post.edited", target=post, before=before,
              after={"body": body})
    _record_mentions(post, by)
    return post


@transaction.atomic
def thread_pin(*, thread: Thread, pinned: bool, by) -> Thread:
    """A lead or the coordinator pins a thread to the top of the list, or unpins it."""
    thread = _locked_thread(thread)
    if not permissions.can_moderate(by, thread.group):
        _deny(with_office(_("Only the group's leads and the %(office)s pin threads.")))
    if thread.pinned != pinned:
        thread.pinned = pinned
        thread.save(update_fields=["pinned", "updated_at"])
        audit_log(actor=by, action="discussion.thread.pinned" if pinned
                  else "discussion.thread.unpinned", target=thread,
                  before={"pinned": not pinned}, after={"pinned": pinned})
    return thread


@transaction.atomic
def post_hide(*, post: Post, reason: str, by) -> Post:
    """A lead or the coordinator hides a post, giving a reason; its open reports are closed."""
    post = _locked_post(post)
    if not permissions.can_moderate(by, post.thread.group):
        _deny(with_office(_("Only the group's leads and the %(office)s hide posts.")))
    reason = _required("reason", reason, _("Give a reason for hiding the post."))[:500]
    now = timezone.now()
    post.hidden_at, post.hidden_by, post.hidden_reason = now, by, reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    post.reports.close(by=by, now=now)
    audit_log(actor=by, action="discussion.post.hidden", target=post, after={"reason": reason})
    return post


@transaction.atomic
def post_report(*, post: Post, reason: str, by) -> PostReport:
    """Anyone logged in who can see a post reports it to the group's moderators."""
    post = _locked_post(post)
    if not permissions.can_report(by, post):
        _deny(_("This post cannot be reported."))
    reason = _required("reason", reason, _("Say what is wrong with the post."))[:2000]
    report = PostReport.objects.create(post=post, reporter=by, reason=reason)
    audit_log(actor=by, action="discussion.post.reported", target=report,
              after={"post": post.pk, "reason": reason})
    return report


@transaction.atomic
def report_close(*, report: PostReport, by) -> PostReport:
    """A moderator closes a report without hiding the post. Race-safe (moderation.Report): of
    two moderators closing at once, one closes and is audited."""
    report = get_object_or_404(PostReport.objects.select_related("post__thread__group"),
                               pk=report.pk)
    if not permissions.can_moderate(by, report.post.thread.group):
        _deny(with_office(_("Only the group's leads and the %(office)s handle reports.")))
    now = timezone.now()
    if PostReport.objects.filter(pk=report.pk).close(by=by, now=now):
        report.state, report.closed_at, report.closed_by = PostReport.State.CLOSED, now, by
        audit_log(actor=by, action="discussion.report.closed", target=report)
    else:
        report.refresh_from_db()
    return report
