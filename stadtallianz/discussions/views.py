"""Pages of a working group's discussions.

A members-only thread is a 404 for everyone who may not read it, on every page below it, so its
existence is not revealed. Forbidden actions on a visible thread are 403; visitors are sent to
the login page first.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions, services
from .forms import BodyForm, ReasonForm, ReportForm, ThreadForm
from .models import Post, PostReport, Thread

THREADS_PER_PAGE = 20


def _group(slug) -> WorkingGroup:
    return get_object_or_404(WorkingGroup, slug=slug)


def _thread(request, slug, pk) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("group", "author"),
                               pk=pk, group__slug=slug)
    if not permissions.can_view_thread(request.user, thread):
        raise Http404
    return thread


def _post(request, slug, pk, post_pk) -> Post:
    thread = _thread(request, slug, pk)
    post = get_object_or_404(Post.objects.select_related("author"), pk=post_pk, thread=thread)
    post.thread = thread
    return post


def thread_list(request, slug):
    group = _group(slug)
    threads = (Thread.objects.visible_to(request.user, group).listed()
               .select_related("author", "group").annotate(post_count=Count("posts")))
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/list.html", {
        "group": group, "page": page,
        "can_create": permissions.can_create_thread(request.user, group),
        "can_moderate": permissions.can_moderate(request.user, group),
    })


@login_required
def thread_new(request, slug):
    group = _group(slug)
    if not permissions.can_create_thread(request.user, group):
        raise PermissionDenied
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The thread has been started."))
            return redirect(thread)
    return render(request, "discussions/thread_form.html", {"group": group, "form": form},
                  status=400 if form.errors else 200)


def thread_detail(request, slug, pk, reply_form=None, status=200):
    thread = _thread(request, slug, pk)
    user = request.user
    can_moderate = permissions.can_moderate(user, thread.group)
    posts = list(thread.posts.select_related("author", "hidden_by")
                 .annotate(revision_count=Count("revisions")))
    for post in posts:
        post.thread = thread
        post.html = render_markdown(post.body, top_level=3)
        post.can_edit = permissions.is_editable_by(user, post)  # thread checked above
    return render(request, "discussions/thread.html", {
        "group": thread.group, "thread": thread, "posts": posts,
        "can_moderate": can_moderate,
        "can_reply": permissions.can_reply(user, thread),
        "can_report": user.is_authenticated,
        "reply_form": reply_form or BodyForm(),
    }, status=status)


@login_required
@require_POST
def reply(request, slug, pk):
    thread = _thread(request, slug, pk)
    if not permissions.can_reply(request.user, thread):
        raise PermissionDenied
    form = BodyForm(request.POST)
    if form.is_valid():
        try:
            post = services.post_reply(thread=thread, body=form.cleaned_data["body"],
                                       by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your reply has been posted."))
            return redirect(post.get_absolute_url())
    return thread_detail(request, slug, pk, reply_form=form, status=400)


@login_required
@require_POST
def pin(request, slug, pk):
    thread = _thread(request, slug, pk)
    if not permissions.can_moderate(request.user, thread.group):
        raise PermissionDenied
    pinned = request.POST.get("pinned") == "1"
    services.thread_pin(thread=thread, pinned=pinned, by=request.user)
    messages.success(request, _("The thread has been pinned.") if pinned
                     else _("The thread is no longer pinned."))
    return redirect(thread)


@login_required
def post_edit(request, slug, pk, post_pk):
    post = _post(request, slug, pk, post_pk)
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied
    form = BodyForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(post=post, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your post has been changed."))
            return redirect(post.get_absolute_url())
    revisions = list(post.revisions.select_related("edited_by"))
    for revision in revisions:
        revision.html = render_markdown(revision.body, top_level=3)
    return render(request, "discussions/post_edit.html", {
        "group": post.thread.group, "thread": post.thread, "post": post, "form": form,
        "revisions": revisions}, status=400 if form.errors else 200)


@login_required
def post_report(request, slug, pk, post_pk):
    post = _post(request, slug, pk, post_pk)
    if not permissions.can_report(request.user, post):
        raise Http404  # a hidden post, whose text this page would show
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(post=post, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. The group's moderators will look at it."))
            return redirect(post.thread)
    return render(request, "discussions/post_action.html", {
        "group": post.thread.group, "thread": post.thread, "post": post, "form": form,
        "heading": _("Report a post"), "submit": _("Send report"),
        "action": "discussions:post_report"}, status=400 if form.errors else 200)


@login_required
def post_hide(request, slug, pk, post_pk):
    post = _post(request, slug, pk, post_pk)
    if not permissions.can_moderate(request.user, post.thread.group):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_hide(post=post, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The post has been hidden."))
            return redirect(post.get_absolute_url())
    return render(request, "discussions/post_action.html", {
        "group": post.thread.group, "thread": post.thread, "post": post, "form": form,
        "heading": _("Hide a post"), "submit": _("Hide post"),
        "action": "discussions:post_hide"}, status=400 if form.errors else 200)


@login_required
def moderation(request, slug):
    group = _group(slug)
    if not permissions.can_moderate(request.user, group):
        raise PermissionDenied
    reports = list(PostReport.objects.filter(post__thread__group=group, state=PostReport.State.OPEN)
                   .select_related("post__thread__group", "post__author", "reporter")
                   .order_by("created_at", "pk"))
    for report in reports:
        report.post_html = render_markdown(report.post.body, top_level=3)
    return render(request, "discussions/moderation.html", {"group": group, "reports": reports})


@login_required
@require_POST
def report_close(request, slug, report_pk):
    group = _group(slug)
    if not permissions.can_moderate(request.user, group):
        raise PermissionDenied
    report = get_object_or_404(PostReport.objects.select_related("post__thread__group"),
                               pk=report_pk, post__thread__group=group)
    services.report_close(report=report, by=request.user)
    messages.success(request, _("The report has been closed."))
    return redirect("discussions:moderation", slug=group.slug)
