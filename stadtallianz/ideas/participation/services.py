"""Taking part in an idea: comments and replies, support, following.

Each change is one transaction with an audit entry (`idea.comment.*`, `idea.support.*`,
`idea.follow.*`). The counters on the idea (`support_count`, `comment_count`) are changed with
F() in the same transaction as the row they count, so concurrent requests never lose or double
an update; the unique constraints on Support and Follow decide which of two concurrent requests
of one person wins (the other sees an IntegrityError and changes nothing).

`comment_count` counts the visible comments and replies: hiding one takes it off, unhiding
puts it back (ideas/moderation.py).

`detail_context(request, idea)` gives the idea page (views.idea_detail) everything the include
`ideas/includes/participation.html` shows, in a constant number of queries however many
comments the idea has. `followers_of(idea)` is who hears about an idea's changes.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.markdown import render_markdown
from stadtallianz.notifications.services import notify

from .. import permissions
from ..models import CoAuthor, Comment, Follow, Idea, Support
from .forms import CommentForm

COMMENTS_PER_PAGE = 20
COMMENTS_PAGE_PARAM = "page"
# Supporting counts while the idea is still open for decision.
SUPPORTABLE_STATES = (Idea.State.SUBMITTED, Idea.State.DISCUSSION)


def _deny(message) -> None:
    raise PermissionDenied(message)


def required_text(field: str, value: str, message, max_length: int) -> str:
    """`value` stripped; refused (naming `field`) when empty or longer than `max_length`."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: ValidationError(message, code="required")})
    if len(value) > max_length:
        raise ValidationError({field: ValidationError(
            _("At most %(max)d characters, please.") % {"max": max_length}, code="max_length")})
    return value


# ---------------------------------------------------------------------------------------------
# Who hears about an idea


def followers_of(idea: Idea) -> list[User]:
    """The active people to notify about the idea: its followers, its author and its accepted
    co-authors, each once. Of a hidden idea only its authors hear (the others no longer see it).
    """
    authors = Q(pk=idea.author_id) | Q(idea_coauthorships__idea=idea,
                                        idea_coauthorships__state=CoAuthor.State.ACCEPTED)
    audience = authors if idea.is_hidden else authors | Q(idea_follows__idea=idea)
    return list(User.objects.filter(audience, is_active=True).distinct().order_by("pk"))


def _notify_comment(comment: Comment, by) -> None:
    """The author of the comment replied to hears of the reply; the idea's followers and
    authors hear of the new comment. Nobody about their own comment; the text itself is not in
    the notification (a moderator may hide it later; the link shows what is visible then)."""
    idea = comment.idea
    context = {"idea": idea, "comment": comment, "author": by}
    told = {by.pk}
    parent = comment.parent
    if parent is not None and parent.author_id and parent.author_id not in told:
        parent_author = parent.author
        if parent_author.is_active:
            notify(parent_author, kind="idea_reply", key=f"idea-reply:{comment.pk}",
                   template="ideas/notifications/reply", context=context,
                   url=comment.get_absolute_url)
        told.add(parent.author_id)
    for user in followers_of(idea):
        if user.pk not in told:
            notify(user, kind="idea_comment", key=f"idea-comment:{comment.pk}",
                   template="ideas/notifications/comment", context=context,
                   url=comment.get_absolute_url)


# ---------------------------------------------------------------------------------------------
# Comments


@transaction.atomic
def comment_create(*, idea: Idea, body: str, by, parent: Comment | None = None) -> Comment:
    """A comment, or a reply. A reply to a reply is attached to the top-level comment, so
    threads stay one level deep."""
    if not permissions.can_view_idea(by, idea):
        _deny(_("This idea cannot be commented on."))
    if not permissions.can_comment(by, idea):
        _deny(_("Only registered people with a confirmed e-mail address comment on ideas "
                "that are not hidden."))
    body = required_text("body", body, _("Write a comment."), Comment._meta.get_field(
        "body").max_length)
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError({"parent": _("Reply to a comment of this idea.")},
                                  code="invalid")
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.is_hidden:
            raise ValidationError({"parent": _("A hidden comment cannot be replied to.")},
                                  code="invalid")
    comment = Comment.objects.create(idea=idea, parent=parent, author=by, body=body)
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    audit_log(actor=by, action="idea.comment.created", target=comment,
              after={"idea": idea.pk, "parent": parent.pk if parent else None})
    comment.idea = idea
    _notify_comment(comment, by)
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, by) -> Comment:
    """The author changes their comment; it shows as edited."""
    comment = (Comment.objects.select_for_update(of=("self",)).select_related("idea")
               .get(pk=comment.pk))
    if not permissions.can_edit_comment(by, comment):
        _deny(_("Only the author changes a comment, and not once it is hidden."))
    body = required_text("body", body, _("Write a comment."),
                     Comment._meta.get_field("body").max_length)
    if body == comment.body:
        return comment
    before = {"body": comment.body}
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    audit_log(actor=by, action="idea.comment.edited", target=comment, before=before,
              after={"body": body})
    return comment


# ---------------------------------------------------------------------------------------------
# Support


@transaction.atomic
def support(*, idea: Idea, by) -> bool:
    """Supports the idea once; True if this call added the support. A second support (also a
    concurrent one) changes nothing."""
    if not permissions.can_view_idea(by, idea):
        _deny(_("This idea cannot be supported."))
    if not permissions.can_support(by, idea):
        _deny(_("Only registered people with a confirmed e-mail address support ideas."))
    if permissions.is_author(by, idea):
        # A support says that someone else wants the idea; the authors want it already.
        _deny(_("You cannot support your own idea: supports show that other people want it."))
    # Lock the idea row: a decision (services.change_state locks it too) either commits before
    # this check, which then sees the new state, or waits until this support is counted.
    state = (Idea.objects.select_for_update().filter(pk=idea.pk)
             .values_list("state", flat=True).first())
    if state not in SUPPORTABLE_STATES:
        raise Conflict(
            _("Ideas are supported while they are submitted or in discussion; this one is in "
              "the state “%(state)s”.") % {"state": Idea.State(state).label}, code="state")
    try:
        with transaction.atomic():
            Support.objects.create(idea=idea, user=by)
    except IntegrityError:
        return False  # supported already (perhaps by a concurrent request of the same person)
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    audit_log(actor=by, action="idea.support.added", target=idea)
    return True


@transaction.atomic
def unsupport(*, idea: Idea, by) -> bool:
    """Withdraws the person's support; True if there was one. Possible in every state, so that
    nobody is held to a support."""
    if not permissions.can_view_idea(by, idea):
        _deny(_("This idea cannot be supported."))
    if not by.is_authenticated:
        _deny(_("Log in to withdraw your support."))
    deleted, _rows = Support.objects.filter(idea=idea, user=by).delete()
    if not deleted:
        return False
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
    audit_log(actor=by, action="idea.support.withdrawn", target=idea)
    return True


# ---------------------------------------------------------------------------------------------
# Follow


@transaction.atomic
def follow(*, idea: Idea, by) -> bool:
    if not permissions.can_follow(by, idea):
        _deny(_("Only registered people with a confirmed e-mail address follow ideas."))
    try:
        with transaction.atomic():
            Follow.objects.create(idea=idea, user=by)
    except IntegrityError:
        return False
    audit_log(actor=by, action="idea.follow.added", target=idea)
    return True


@transaction.atomic
def unfollow(*, idea: Idea, by) -> bool:
    if not by.is_authenticated or not permissions.can_view_idea(by, idea):
        _deny(_("This idea cannot be followed."))
    deleted, _rows = Follow.objects.filter(idea=idea, user=by).delete()
    if deleted:
        audit_log(actor=by, action="idea.follow.removed", target=idea)
    return bool(deleted)


# ---------------------------------------------------------------------------------------------
# Reading


def supported_ids(user, ideas) -> set[int]:
    """Which of these ideas the person supports (one query), for lists and the API."""
    if not user.is_authenticated:
        return set()
    return set(Support.objects.filter(user=user, idea__in=ideas)
               .values_list("idea_id", flat=True))


def comments_with_replies(idea: Idea):
    """The idea's top-level comments, newest first, with their replies (oldest first) and the
    people named, in three queries for a page of them."""
    replies = Comment.objects.select_related("author", "hidden_by").order_by("created_at", "pk")
    return (Comment.objects.filter(idea=idea, parent=None)
            .select_related("author", "hidden_by")
            .prefetch_related(Prefetch("replies", queryset=replies))
            .order_by("-created_at", "-pk"))


def prepare_comment(comment: Comment, *, user, idea: Idea, can_moderate: bool) -> Comment:
    """Sets what the page shows of a comment: its HTML (not for a hidden comment unless the
    viewer moderates) and whether the viewer may edit it."""
    comment.idea = idea
    visible = not comment.is_hidden or can_moderate
    comment.html = render_markdown(comment.body, top_level=3) if visible else ""
    comment.can_edit = (user.is_authenticated and comment.author_id == user.pk
                        and not comment.is_hidden and not idea.is_hidden)
    return comment


def detail_context(request, idea: Idea, *, comment_form=None, status="") -> dict:
    """What the idea page shows of comments, supports and follows, under one key. `status` is
    the outcome of a change made with htmx, shown in the swapped part (no page load shows the
    usual messages)."""
    user = request.user
    can_moderate = permissions.can_moderate_comments_of(user, idea)
    page = Paginator(comments_with_replies(idea), COMMENTS_PER_PAGE).get_page(
        request.GET.get(COMMENTS_PAGE_PARAM))
    for comment in page:
        prepare_comment(comment, user=user, idea=idea, can_moderate=can_moderate)
        for reply in comment.replies.all():
            reply.parent = comment
            prepare_comment(reply, user=user, idea=idea, can_moderate=can_moderate)
    participating = permissions.can_participate(user)
    supported = following = own = False
    if user.is_authenticated:
        # One query for the three answers about this person.
        supported, following, coauthor = Idea.objects.filter(pk=idea.pk).annotate(
            supported=Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)),
            following=Exists(Follow.objects.filter(idea=OuterRef("pk"), user=user)),
            coauthor=Exists(CoAuthor.objects.filter(idea=OuterRef("pk"), user=user,
                                                    state=CoAuthor.State.ACCEPTED)),
        ).values_list("supported", "following", "coauthor").get()
        own = idea.author_id == user.pk or coauthor
    return {"participation": {
        "idea": idea,
        "page": page,
        "page_param": COMMENTS_PAGE_PARAM,
        "can_participate": participating,
        "can_comment": participating and not idea.is_hidden,
        "can_report": participating and not idea.is_hidden,
        "can_moderate": can_moderate,
        "can_moderate_idea": permissions.can_moderate_ideas(user),
        "supportable": idea.state in SUPPORTABLE_STATES and not idea.is_hidden,
        # The authors do not support their own idea (the service refuses it too).
        "own": own,
        "supported": supported,
        "following": following,
        "comment_form": comment_form or CommentForm(),
        "status": status,
    }}
