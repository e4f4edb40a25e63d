"""REST API of the discussions: a group's threads, one thread, and its posts (read only).

Visibility is the pages' rule: a members-only thread is a 404 for anyone who is not a member of
the group or the coordination office. Names are given to logged-in callers only, and a hidden
post's text to nobody.
"""

from datetime import datetime
from enum import StrEnum

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from stadtallianz.core.api import ErrorOut, Pagination
from stadtallianz.core.api_auth import api_user
from stadtallianz.core.markdown import render_markdown
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions
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


def _name(user, caller) -> str | None:
    if user is None or not caller.is_authenticated:
        return None
    return user.full_name or None


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
