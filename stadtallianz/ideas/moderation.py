"""Moderation of ideas and comments: reports, hiding with a reason, unhiding, closing reports.

Anyone taking part reports an idea or a comment, once per person and object while that report
is open. The coordination office works through the open reports (the moderation queue) and hides
ideas and comments; the leads of an idea's working group hide and unhide its comments too. Hiding
closes the open reports of the object. Every step is audited (`idea.report.*`, `idea.hidden`,
`idea.comment.hidden`, …).

A hidden comment keeps its place with "hidden by the moderation: reason"; a hidden idea is gone
for everyone but its authors and the coordination office (lists, search, API, exports, the
sitemap: see permissions.can_view_idea and the querysets that filter `hidden_at`). Its
notifications are withdrawn from people who can no longer see it, so neither the list of
notifications nor an e-mail still to be sent carries its title.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.office import with_office
from stadtallianz.core.signals import content_changed
from stadtallianz.notifications.models import Notification

from . import permissions
from .models import CoAuthor, Comment, Idea, IdeaReport
from .participation.services import required_text

HIDE_REASON_LENGTH = Idea._meta.get_field("hidden_reason").max_length
REPORT_REASON_LENGTH = IdeaReport._meta.get_field("reason").max_length


def _deny(message) -> None:
    raise PermissionDenied(message)


# ---------------------------------------------------------------------------------------------
# Reports


@transaction.atomic
def report(*, idea: Idea, by, reason: str, comment: Comment | None = None) -> IdeaReport:
    """Reports the idea, or one of its comments, to the coordination office."""
    target = comment if comment is not None else idea
    if not permissions.can_view_idea(by, idea):
        _deny(_("This idea cannot be reported."))
    if not permissions.can_report(by, target):
        _deny(_("Only registered people with a confirmed e-mail address report content, and "
                "hidden content cannot be reported."))
    reason = required_text("reason", reason, _("Say what is wrong with it."), REPORT_REASON_LENGTH)
    # The idea's row lock makes two reports of one person at once take turns, so the check
    # below sees the first one.
    Idea.objects.select_for_update().filter(pk=idea.pk).first()
    if IdeaReport.objects.filter(idea=idea, comment=comment, reporter=by,
                                 state=IdeaReport.State.OPEN).exists():
        raise Conflict(with_office(_("You have reported this already; the %(office)s will "
                                     "look at it.")), code="duplicate")
    created = IdeaReport.objects.create(idea=idea, comment=comment, reporter=by, reason=reason)
    audit_log(actor=by, action="idea.report.created", target=created,
              after={"idea": idea.pk, "comment": comment.pk if comment else None,
                     "reason": reason})
    return created


def open_reports():
    """The moderation queue: open reports, oldest first, with what they report."""
    return (IdeaReport.objects.filter(state=IdeaReport.State.OPEN)
            .select_related("idea__author", "idea__hidden_by", "comment__author",
                            "comment__hidden_by", "reporter")
            .order_by("created_at", "pk"))


@transaction.atomic
def report_close(*, report: IdeaReport, by) -> IdeaReport:
    """Closes a report without hiding anything."""
    if not permissions.can_moderate_ideas(by):
        _deny(with_office(_("Only the %(office)s handles reports.")))
    closed = IdeaReport.objects.filter(pk=report.pk).close(by=by)
    report.refresh_from_db()
    if closed:
        audit_log(actor=by, action="idea.report.closed", target=report)
    return report


# ---------------------------------------------------------------------------------------------
# Ideas


def _idea_paths(idea: Idea) -> list[str]:
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.append(reverse("ideas:detail", kwargs={"pk": idea.pk}))
    return paths


def _withdraw_notifications(idea: Idea) -> int:
    """Removes the notifications about a hidden idea from those who no longer see it."""
    about = Q()
    for path in _idea_paths(idea):
        about |= Q(url__startswith=path)
    readers = (Q(recipient_id=idea.author_id)
               | Q(recipient__idea_coauthorships__idea=idea,
                   recipient__idea_coauthorships__state=CoAuthor.State.ACCEPTED)
               | Q(recipient__is_coordinator=True) | Q(recipient__is_superuser=True))
    keep = Notification.objects.filter(about).filter(readers).values("pk")
    deleted, _rows = Notification.objects.filter(about).exclude(pk__in=keep).delete()
    return deleted


@transaction.atomic
def hide_idea(*, idea: Idea, by, reason: str) -> Idea:
    if not permissions.can_moderate_ideas(by):
        _deny(with_office(_("Only the %(office)s hides ideas.")))
    reason = required_text("reason", reason, _("Give a reason for hiding."), HIDE_REASON_LENGTH)
    now = timezone.now()
    if not Idea.objects.filter(pk=idea.pk, hidden_at=None).update(
            hidden_at=now, hidden_by=by, hidden_reason=reason):
        raise Conflict(_("The idea is hidden already."), code="state")
    IdeaReport.objects.filter(idea=idea, comment=None).close(by=by, now=now)
    idea.refresh_from_db()
    _withdraw_notifications(idea)
    # update() sends no post_save: listeners (the search index drops a hidden idea) learn here.
    content_changed.send(sender=Idea, pks=[idea.pk])
    audit_log(actor=by, action="idea.hidden", target=idea, after={"reason": reason})
    return idea


@transaction.atomic
def unhide_idea(*, idea: Idea, by) -> Idea:
    if not permissions.can_moderate_ideas(by):
        _deny(with_office(_("Only the %(office)s shows hidden ideas again.")))
    before = {"reason": idea.hidden_reason}
    if not Idea.objects.filter(pk=idea.pk, hidden_at__isnull=False).update(
            hidden_at=None, hidden_by=None, hidden_reason=""):
        raise Conflict(_("The idea is not hidden."), code="state")
    idea.refresh_from_db()
    content_changed.send(sender=Idea, pks=[idea.pk])
    audit_log(actor=by, action="idea.unhidden", target=idea, before=before)
    return idea


# ---------------------------------------------------------------------------------------------
# Comments


@transaction.atomic
def hide_comment(*, comment: Comment, by, reason: str) -> Comment:
    """Hides a comment (its replies stay) and takes it off the idea's comment count."""
    if not permissions.can_hide_comment(by, comment):
        _deny(with_office(_("Only the %(office)s and the leads of the idea's working group hide "
                            "comments.")))
    reason = required_text("reason", reason, _("Give a reason for hiding."), HIDE_REASON_LENGTH)
    now = timezone.now()
    if not Comment.objects.filter(pk=comment.pk, hidden_at=None).update(
            hidden_at=now, hidden_by=by, hidden_reason=reason):
        raise Conflict(_("The comment is hidden already."), code="state")
    Idea.objects.filter(pk=comment.idea_id).update(comment_count=F("comment_count") - 1)
    IdeaReport.objects.filter(comment=comment).close(by=by, now=now)
    comment.refresh_from_db()
    audit_log(actor=by, action="idea.comment.hidden", target=comment, after={"reason": reason})
    return comment


@transaction.atomic
def unhide_comment(*, comment: Comment, by) -> Comment:
    if not permissions.can_hide_comment(by, comment):
        _deny(with_office(_("Only the %(office)s and the leads of the idea's working group show "
                            "hidden comments again.")))
    before = {"reason": comment.hidden_reason}
    if not Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).update(
            hidden_at=None, hidden_by=None, hidden_reason=""):
        raise Conflict(_("The comment is not hidden."), code="state")
    Idea.objects.filter(pk=comment.idea_id).update(comment_count=F("comment_count") + 1)
    comment.refresh_from_db()
    audit_log(actor=by, action="idea.comment.unhidden", target=comment, before=before)
    return comment
