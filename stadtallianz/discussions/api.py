"""REST API of the discussions: a group's threads, one thread, its posts, and the changes the
web pages make (start a thread, reply, edit one's own post, report; pin and hide for moderators).

Visibility is the pages' rule: a members-only thread is a 404 for anyone who is not a member of
the group or the coordination office, on every path below it too. Names are given to logged-in
callers only, and a hidden post's text to nobody. Changes go through `services.py`: a refusal is
403 on a visible thread, bad input 422 naming the field.
"""

from datetime import datetime
from enum import StrEnum

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.accounts.names import shown_name
from stadtallianz.core.api import CHANGE_ERRORS, ErrorOut, InputSchema, Pagination
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.markdown import render_markdown
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions, services
from .models import Post, Thread

router = Router(tags=["discussions"])

Visibility = StrEnum("Visibility", [(c.name, c.value) for c in Thread.Visibility])


class ThreadOut(Schema):
    id: int
    group: str
    title: str
    visibility: Visibility
    pinned: bool
    author: str | None
    post_count: int
    created_at: datetime
    last_activity_at: datetime
    web_url: str


class PostOut(Schema):
    id: int
    author: str | None
    body: str | None = Field(..., description="Markdown; null when the post is hidden.")
    body_html: str | None = Field(..., description="Sanitised HTML; null when hidden.")
    hidden: bool
    created_at: datetime
    edited_at: datetime | None


def _name(user, caller) -> str:
    """The author as the caller may see them: accounts.names.shown_name, the one rule."""
    return shown_name(user, caller)


def _thread_out(thread: Thread, caller) -> dict:
    return {"id": thread.pk, "group": thread.group.slug, "title": thread.title,
            "visibility": thread.visibility, "pinned": thread.pinned,
            "author": _name(thread.author, caller), "post_count": thread.post_count,
            "created_at": thread.created_at, "last_activity_at": thread.last_activity_at,
            "web_url": thread.get_absolute_url()}


def _visible_thread(caller, thread_id: int) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("group", "author")
                               .annotate(post_count=Count("posts")), pk=thread_id)
    if not permissions.can_view_thread(caller, thread):
        raise Http404
    return thread


@router.get("/groups/{slug}/threads", response={200: list[ThreadOut], 404: ErrorOut},
            summary="Threads of a working group")
@paginate(Pagination)
def thread_list(request, slug: str):
    """Pinned threads first, then by latest activity; members-only ones for members only."""
    caller = api_user(request)
    group = get_object_or_404(WorkingGroup, slug=slug)
    threads = (Thread.objects.visible_to(caller, group).listed()
               .select_related("group", "author").annotate(post_count=Count("posts")))
    return _ThreadPage(threads, caller)


class _ThreadPage:
    """Turns each thread of the page, once sliced, into its output (names only for callers
    who are logged in)."""

    def __init__(self, queryset, caller):
        self.queryset, self.caller = queryset, caller

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_thread_out(t, self.caller) for t in self.queryset[item]]


@router.get("/threads/{thread_id}", response={200: ThreadOut, 404: ErrorOut},
            summary="One thread")
def thread_detail(request, thread_id: int):
    caller = api_user(request)
    return _thread_out(_visible_thread(caller, thread_id), caller)


@router.get("/threads/{thread_id}/posts", response={200: list[PostOut], 404: ErrorOut},
            summary="Posts of a thread")
@paginate(Pagination)
def thread_posts(request, thread_id: int):
    """Oldest first. A hidden post keeps its place, without its text."""
    caller = api_user(request)
    thread = _visible_thread(caller, thread_id)
    return _PostPage(thread.posts.select_related("author"), caller)


class _PostPage(_ThreadPage):
    def __getitem__(self, item):
        return [_post_out(p, self.caller) for p in self.queryset[item]]


def _post_out(post: Post, caller) -> dict:
    hidden = post.is_hidden
    return {"id": post.pk, "author": _name(post.author, caller),
            "body": None if hidden else post.body,
            "body_html": None if hidden else str(render_markdown(post.body, top_level=3)),
            "hidden": hidden, "created_at": post.created_at, "edited_at": post.edited_at}


# ---------------------------------------------------------------------------------------------
# Changes


class ThreadIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=20000,
                      description="The first post. Markdown; mention members with "
                                  "@[Full Name] or @name@example.org.")
    visibility: Visibility = Visibility.MEMBERS


class PostBodyIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=20000, description="Markdown.")


class PostReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class PostHideIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500,
                        description="Shown in place of the post's text.")


class PostReportOut(Schema):
    id: int
    post: int
    state: str
    created_at: datetime


class RevisionOut(Schema):
    body: str = Field(..., description="The text before this change (Markdown).")
    body_html: str
    replaced_at: datetime


def _thread_with_count(thread_id: int, caller) -> dict:
    return _thread_out(_visible_thread(caller, thread_id), caller)


def _visible_post(caller, post_id: int) -> Post:
    """A post whose thread the caller may read; 404 otherwise, as on the pages."""
    post = get_object_or_404(Post.objects.select_related("author", "thread__group"), pk=post_id)
    if not permissions.can_view_thread(caller, post.thread):
        raise Http404
    return post


@router.post("/groups/{slug}/threads", auth=write_auth,
             response={201: ThreadOut, **CHANGE_ERRORS}, summary="Start a thread")
def thread_create(request, slug: str, payload: ThreadIn):
    """Members of an active group (and the coordinator) start a thread with its first post;
    members-only by default."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    thread = services.thread_create(group=group, title=payload.title, body=payload.body,
                                    visibility=payload.visibility.value, by=request.auth)
    return Status(201, _thread_with_count(thread.pk, request.auth))


@router.post("/threads/{thread_id}/posts", auth=write_auth,
             response={201: PostOut, **CHANGE_ERRORS}, summary="Reply in a thread")
def post_create(request, thread_id: int, payload: PostBodyIn):
    """Members of an active group reply; others who can read the thread get 403."""
    thread = _visible_thread(request.auth, thread_id)
    post = services.post_reply(thread=thread, body=payload.body, by=request.auth)
    return Status(201, _post_out(post, request.auth))


@router.patch("/posts/{post_id}", auth=write_auth, response={200: PostOut, **CHANGE_ERRORS},
              summary="Change one's own post")
def post_update(request, post_id: int, payload: PostBodyIn):
    """The author only, while the group is active and the post not hidden. The previous text
    is kept (see the revisions)."""
    post = _visible_post(request.auth, post_id)
    post = services.post_edit(post=post, body=payload.body, by=request.auth)
    return _post_out(post, request.auth)


@router.get("/posts/{post_id}/revisions", auth=write_auth,
            response={200: list[RevisionOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="Earlier texts of a post")
@paginate(Pagination)
def post_revisions(request, post_id: int):
    """Newest first. For the post's author (as on the edit page) and the group's moderators;
    a hidden post's history for the moderators only."""
    post = _visible_post(request.auth, post_id)
    own = post.author_id == request.auth.pk and not post.is_hidden
    if not own and not permissions.can_moderate(request.auth, post.thread.group):
        raise HttpError(403, gettext(
            "Only the author and the group's moderators see earlier texts."))
    return _RevisionPage(post.revisions.all(), request.auth)


class _RevisionPage(_ThreadPage):
    def __getitem__(self, item):
        return [{"body": r.body, "body_html": str(render_markdown(r.body, top_level=3)),
                 "replaced_at": r.created_at} for r in self.queryset[item]]


@router.post("/posts/{post_id}/report", auth=write_auth,
             response={201: PostReportOut, **CHANGE_ERRORS}, summary="Report a post")
def post_report(request, post_id: int, payload: PostReasonIn):
    """Anyone logged in who can read the post tells the group's moderators what is wrong. A
    hidden post is 404, as on its report page."""
    post = _visible_post(request.auth, post_id)
    if not permissions.can_report(request.auth, post):
        raise Http404
    report = services.post_report(post=post, reason=payload.reason, by=request.auth)
    return Status(201, {"id": report.pk, "post": post.pk, "state": report.state,
                        "created_at": report.created_at})


def _pin(request, thread_id: int, pinned: bool) -> dict:
    thread = _visible_thread(request.auth, thread_id)
    services.thread_pin(thread=thread, pinned=pinned, by=request.auth)
    return _thread_with_count(thread_id, request.auth)


@router.post("/threads/{thread_id}/pin", auth=write_auth,
             response={200: ThreadOut, **CHANGE_ERRORS}, summary="Pin a thread")
def thread_pin(request, thread_id: int):
    """The group's leads and the coordinator keep a thread at the top of the list."""
    return _pin(request, thread_id, True)


@router.post("/threads/{thread_id}/unpin", auth=write_auth,
             response={200: ThreadOut, **CHANGE_ERRORS}, summary="Unpin a thread")
def thread_unpin(request, thread_id: int):
    return _pin(request, thread_id, False)


@router.post("/posts/{post_id}/hide", auth=write_auth, response={200: PostOut, **CHANGE_ERRORS},
             summary="Hide a post")
def post_hide(request, post_id: int, payload: PostHideIn):
    """The group's leads and the coordinator hide a post with a reason; its open reports are
    closed. The post keeps its place without its text."""
    post = _visible_post(request.auth, post_id)
    post = services.post_hide(post=post, reason=payload.reason, by=request.auth)
    return _post_out(post, request.auth)
