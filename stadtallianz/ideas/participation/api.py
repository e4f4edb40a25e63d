"""REST API of taking part in ideas: comments and replies, support, follow, reports, and the
moderation (queue, hide, unhide, close). Mounted into the ideas router (`/api/v1/ideas/…`).

Visibility is the pages' rule: a hidden idea is a 404 for everyone but its authors and the
coordination office, on every path below it too; a hidden comment keeps its place without its
text (moderators get the text). Names are given to logged-in callers only. Changes go through
services.py and ideas/moderation.py, whose refusals the API's global handlers answer
(core/api_errors.py): a refusal is 403, bad input 422 naming the field, a change the current
state forbids (supporting a declined idea, hiding twice, reporting twice: core's Conflict) 409.
"""

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.accounts.names import shown_name
from stadtallianz.core.api import CHANGE_ERRORS, ErrorOut, InputSchema, Pagination
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_one
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.office import with_office

from .. import moderation, permissions
from ..models import Comment, Follow, Idea, IdeaReport, Support
from . import services

router = Router(tags=["ideas"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
MODERATION_ERRORS = {401: ErrorOut, 403: ErrorOut}


class ReplyOut(Schema):
    id: int
    idea: int
    parent: int | None
    author: str | None = Field(..., description=(
        "Name for logged-in callers; for others the public display name (a pseudonym, or "
        "\"participant\" with a number); null once the account is deleted."))
    body: str | None = Field(..., description="Markdown; null when hidden (except for "
                                              "moderators).")
    body_html: str | None = Field(..., description="Sanitised HTML; null when hidden.")
    hidden: bool
    hidden_reason: str | None = Field(..., description="Why the moderation hid it.")
    created_at: datetime
    edited_at: datetime | None
    web_url: str


class CommentOut(ReplyOut):
    replies: list[ReplyOut] = Field(..., description="All replies, oldest first.")


class ParticipationOut(Schema):
    idea: int
    support_count: int
    comment_count: int
    supported: bool = Field(..., description="Whether the caller supports the idea.")
    following: bool = Field(..., description="Whether the caller follows the idea.")


class ReportOut(Schema):
    id: int
    idea: int
    comment: int | None
    reason: str
    state: str
    created_at: datetime


class QueueItemOut(ReportOut):
    reporter: str | None
    idea_title: str
    content: str = Field(..., description="The reported idea's description or comment's text.")
    content_hidden: bool


class HiddenIdeaOut(Schema):
    id: int
    hidden: bool
    hidden_reason: str | None


class BodyIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=10000, description="Markdown.")


class CommentIn(BodyIn):
    parent: int | None = Field(None, description="The comment replied to (a reply to a reply "
                                                 "answers its top-level comment).")


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class HideIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500,
                        description="Shown in place of the hidden content.")


# ---------------------------------------------------------------------------------------------
# Helpers


def _name(user, caller) -> str:
    """The author as the caller may see them: accounts.names.shown_name, the one rule."""
    return shown_name(user, caller)


def _visible_idea(caller, idea_id: int) -> Idea:
    idea = get_object_or_404(Idea.objects.select_related("working_group"), pk=idea_id)
    if not permissions.can_view_idea(caller, idea):
        raise Http404
    return idea


def _visible_comment(caller, comment_id: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("idea__working_group", "author", "hidden_by"),
        pk=comment_id)
    if not permissions.can_view_idea(caller, comment.idea):
        raise Http404
    return comment


def _comment_out(comment: Comment, caller, can_moderate: bool, *, nested=True) -> dict:
    shown = not comment.is_hidden or can_moderate
    out = {"id": comment.pk, "idea": comment.idea_id, "parent": comment.parent_id,
           "author": _name(comment.author, caller),
           "body": comment.body if shown else None,
           "body_html": str(render_markdown(comment.body, top_level=3)) if shown else None,
           "hidden": comment.is_hidden,
           "hidden_reason": comment.hidden_reason or None,
           "created_at": comment.created_at, "edited_at": comment.edited_at,
           "web_url": comment.get_absolute_url()}
    if nested:
        out["replies"] = [_comment_out(reply, caller, can_moderate, nested=False)
                          for reply in comment.replies.all()]
    return out


class _Page:
    """Turns each item of the page, once sliced, into its output."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.convert(obj) for obj in self.queryset[item]]


def _fresh(comment_id: int) -> Comment:
    """A comment as stored now, with its replies, after a change."""
    return (Comment.objects.select_related("author").prefetch_related("replies__author")
            .get(pk=comment_id))


def _participation_out(idea_id: int, caller) -> dict:
    idea = Idea.objects.only("support_count", "comment_count").get(pk=idea_id)
    return {"idea": idea.pk, "support_count": idea.support_count,
            "comment_count": idea.comment_count,
            "supported": caller.is_authenticated
            and Support.objects.filter(idea_id=idea_id, user=caller).exists(),
            "following": caller.is_authenticated
            and Follow.objects.filter(idea_id=idea_id, user=caller).exists()}


def _report_out(report: IdeaReport) -> dict:
    return {"id": report.pk, "idea": report.idea_id, "comment": report.comment_id,
            "reason": report.reason, "state": report.state, "created_at": report.created_at}


# ---------------------------------------------------------------------------------------------
# Comments


@router.get("/{int:idea_id}/comments", response={200: list[CommentOut], **READ_ERRORS},
            summary="Comments of an idea")
@paginate(Pagination)
def comment_list(request, idea_id: int):
    """Top-level comments, newest first, each with all its replies (oldest first). A hidden
    comment keeps its place with `hidden_reason` and without its text."""
    caller = api_user(request)
    idea = _visible_idea(caller, idea_id)
    can_moderate = permissions.can_moderate_comments_of(caller, idea)
    return _Page(services.comments_with_replies(idea),
                 lambda c: _comment_out(c, caller, can_moderate))


@router.get("/comments/{int:comment_id}/replies", response={200: list[ReplyOut], **READ_ERRORS},
            summary="Replies to a comment")
@paginate(Pagination)
def comment_replies(request, comment_id: int):
    """Oldest first."""
    caller = api_user(request)
    comment = _visible_comment(caller, comment_id)
    can_moderate = permissions.can_moderate_comments_of(caller, comment.idea)
    replies = comment.replies.select_related("author").order_by("created_at", "pk")
    return _Page(replies, lambda r: _comment_out(r, caller, can_moderate, nested=False))


@router.post("/{int:idea_id}/comments", auth=write_auth,
             response={201: CommentOut, **CHANGE_ERRORS}, summary="Comment on an idea")
def comment_create(request, idea_id: int, payload: CommentIn):
    """Anyone registered with a confirmed e-mail address; with `parent` a reply. The idea's
    followers and authors are notified, and the author of the comment replied to."""
    idea = _visible_idea(request.auth, idea_id)
    parent = None
    if payload.parent is not None:
        parent = referenced_one(Comment.objects.filter(idea=idea), payload.parent, "parent",
                                lookup="pk", message=gettext("Reply to a comment of this idea."))
    comment = services.comment_create(idea=idea, body=payload.body, parent=parent,
                                      by=request.auth)
    return Status(201, _comment_out(comment, request.auth, False))


@router.patch("/comments/{int:comment_id}", auth=write_auth,
              response={200: CommentOut, **CHANGE_ERRORS}, summary="Change one's own comment")
def comment_update(request, comment_id: int, payload: BodyIn):
    """The author only, while neither comment nor idea is hidden; `edited_at` is set."""
    comment = _visible_comment(request.auth, comment_id)
    if comment.is_hidden and not permissions.can_hide_comment(request.auth, comment):
        raise Http404
    comment = services.comment_edit(comment=comment, body=payload.body,
                                    by=request.auth)
    return _comment_out(_fresh(comment.pk), request.auth, False)


# ---------------------------------------------------------------------------------------------
# Support and follow


@router.get("/{int:idea_id}/participation", response={200: ParticipationOut, **READ_ERRORS},
            summary="Support and follow state of an idea")
def participation_state(request, idea_id: int):
    """The counts, and whether the caller supports and follows the idea (false for visitors)."""
    caller = api_user(request)
    _visible_idea(caller, idea_id)
    return _participation_out(idea_id, caller)


def _change(request, idea_id: int, change) -> dict:
    idea = _visible_idea(request.auth, idea_id)
    change(idea=idea, by=request.auth)
    return _participation_out(idea.pk, request.auth)


@router.post("/{int:idea_id}/support", auth=write_auth,
             response={200: ParticipationOut, **CHANGE_ERRORS}, summary="Support an idea")
def support_add(request, idea_id: int):
    """Once per person (a repeated call changes nothing); while the idea is submitted or in
    discussion, else 409."""
    return _change(request, idea_id, services.support)


@router.delete("/{int:idea_id}/support", auth=write_auth,
               response={200: ParticipationOut, **CHANGE_ERRORS},
               summary="Withdraw one's support")
def support_remove(request, idea_id: int):
    return _change(request, idea_id, services.unsupport)


@router.post("/{int:idea_id}/follow", auth=write_auth,
             response={200: ParticipationOut, **CHANGE_ERRORS}, summary="Follow an idea")
def follow_add(request, idea_id: int):
    """Followers are told about new comments and the idea's changes."""
    return _change(request, idea_id, services.follow)


@router.delete("/{int:idea_id}/follow", auth=write_auth,
               response={200: ParticipationOut, **CHANGE_ERRORS}, summary="Stop following")
def follow_remove(request, idea_id: int):
    return _change(request, idea_id, services.unfollow)


# ---------------------------------------------------------------------------------------------
# Reports and moderation


@router.post("/{int:idea_id}/report", auth=write_auth,
             response={201: ReportOut, **CHANGE_ERRORS}, summary="Report an idea")
def idea_report(request, idea_id: int, payload: ReasonIn):
    """Once per person while the report is open (409 otherwise)."""
    idea = _visible_idea(request.auth, idea_id)
    report = moderation.report(idea=idea, reason=payload.reason, by=request.auth)
    return Status(201, _report_out(report))


@router.post("/comments/{int:comment_id}/report", auth=write_auth,
             response={201: ReportOut, **CHANGE_ERRORS}, summary="Report a comment")
def comment_report(request, comment_id: int, payload: ReasonIn):
    """A hidden comment is 404, as its text is no longer shown."""
    comment = _visible_comment(request.auth, comment_id)
    if comment.is_hidden:
        raise Http404
    report = moderation.report(idea=comment.idea, comment=comment, reason=payload.reason,
                               by=request.auth)
    return Status(201, _report_out(report))


@router.get("/moderation/reports", auth=write_auth,
            response={200: list[QueueItemOut], **MODERATION_ERRORS},
            summary="Moderation queue")
@paginate(Pagination)
def moderation_queue(request):
    """Open reports, oldest first, with the reported content. Coordination office only."""
    if not permissions.can_moderate_ideas(request.auth):
        raise HttpError(403, with_office(gettext("Only the %(office)s handles reports.")))
    return _Page(moderation.open_reports(), lambda r: {
        **_report_out(r), "reporter": _name(r.reporter, request.auth),
        "idea_title": r.idea.title,
        "content": r.comment.body if r.comment_id else r.idea.description,
        "content_hidden": (r.comment if r.comment_id else r.idea).is_hidden})


@router.post("/moderation/reports/{int:report_id}/close", auth=write_auth,
             response={200: ReportOut, **CHANGE_ERRORS}, summary="Close a report")
def report_close(request, report_id: int):
    """Without hiding anything. Coordination office only."""
    report = get_object_or_404(IdeaReport, pk=report_id)
    report = moderation.report_close(report=report, by=request.auth)
    return _report_out(report)


def _hidden_idea_out(idea: Idea) -> dict:
    return {"id": idea.pk, "hidden": idea.is_hidden, "hidden_reason": idea.hidden_reason or None}


@router.post("/{int:idea_id}/hide", auth=write_auth,
             response={200: HiddenIdeaOut, **CHANGE_ERRORS}, summary="Hide an idea")
def idea_hide(request, idea_id: int, payload: HideIn):
    """Coordination office only; closes the idea's open reports. 409 when hidden already."""
    idea = _visible_idea(request.auth, idea_id)
    idea = moderation.hide_idea(idea=idea, reason=payload.reason, by=request.auth)
    return _hidden_idea_out(idea)


@router.post("/{int:idea_id}/unhide", auth=write_auth,
             response={200: HiddenIdeaOut, **CHANGE_ERRORS}, summary="Show a hidden idea again")
def idea_unhide(request, idea_id: int):
    idea = _visible_idea(request.auth, idea_id)
    idea = moderation.unhide_idea(idea=idea, by=request.auth)
    return _hidden_idea_out(idea)


def _moderated_comment(request, comment_id: int, change, **kwargs) -> dict:
    comment = _visible_comment(request.auth, comment_id)
    change(comment=comment, by=request.auth, **kwargs)
    return _comment_out(_fresh(comment_id), request.auth, True)


@router.post("/comments/{int:comment_id}/hide", auth=write_auth,
             response={200: CommentOut, **CHANGE_ERRORS}, summary="Hide a comment")
def comment_hide(request, comment_id: int, payload: HideIn):
    """The coordination office and the leads of the idea's working group; takes the comment
    off the idea's comment count and closes its open reports."""
    return _moderated_comment(request, comment_id, moderation.hide_comment,
                              reason=payload.reason)


@router.post("/comments/{int:comment_id}/unhide", auth=write_auth,
             response={200: CommentOut, **CHANGE_ERRORS}, summary="Show a hidden comment again")
def comment_unhide(request, comment_id: int):
    return _moderated_comment(request, comment_id, moderation.unhide_comment)
