"""Pages and form posts of taking part in an idea: comments, support, follow, reports, and the
moderation (queue, hide, unhide, close).

Every form works without JavaScript (a post, then a redirect back to the idea page); with htmx
the support and follow buttons and the comment form swap their part of the page in place. An
idea the person may not see is a 404 on every path below it; what they see but may not do is
403; visitors are sent to the login page first.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.office import with_office

from .. import moderation, permissions
from ..models import Comment, Idea, IdeaReport
from . import services
from .forms import CommentForm, HideForm, ReportForm

REPORTS_PER_PAGE = 25


def _idea(request, pk) -> Idea:
    idea = get_object_or_404(Idea.objects.select_related("author", "working_group"), pk=pk)
    if not permissions.can_view_idea(request.user, idea):
        raise Http404
    return idea


def _comment(request, pk, comment_pk) -> Comment:
    idea = _idea(request, pk)
    comment = get_object_or_404(Comment.objects.select_related("author", "hidden_by"),
                                pk=comment_pk, idea=idea)
    comment.idea = idea
    return comment


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(idea: Idea, anchor: str = "participation"):
    return redirect(f"{idea.get_absolute_url()}#{anchor}")


def _participation_part(request, idea, template, **extra):
    """The part of the idea page that an htmx request swaps in."""
    idea.refresh_from_db(fields=["support_count", "comment_count"])
    context = services.detail_context(request, idea, **extra)
    return render(request, template, context)


# ---------------------------------------------------------------------------------------------
# Comments


@login_required
@require_POST
def comment_create(request, pk):
    idea = _idea(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], idea=idea).first()
            if parent is None:
                form.add_error("parent", _("Reply to a comment of this idea."))
        if not form.errors:
            try:
                comment = services.comment_create(
                    idea=idea, body=form.cleaned_data["body"], parent=parent, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if _is_htmx(request):
                    return _participation_part(
                        request, idea, "ideas/participation/comments.html",
                        status=_("Your comment has been published."))
                messages.success(request, _("Your comment has been published."))
                return redirect(comment.get_absolute_url())
    if _is_htmx(request):
        return _participation_part(request, idea, "ideas/participation/comments.html",
                                   comment_form=form)
    return render(request, "ideas/participation/comment_form.html", {
        "idea": idea, "form": form, "heading": _("Write a comment"),
        "action": reverse("ideas:comment_create", kwargs={"pk": idea.pk})}, status=400)


@login_required
def comment_edit(request, pk, comment_pk):
    comment = _comment(request, pk, comment_pk)
    if comment.is_hidden and not permissions.can_hide_comment(request.user, comment):
        raise Http404  # its text is gone for everyone but the moderators
    if not permissions.can_edit_comment(request.user, comment):
        raise PermissionDenied
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, body=form.cleaned_data["body"],
                                  by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment has been changed."))
            return redirect(comment.get_absolute_url())
    return render(request, "ideas/participation/comment_form.html", {
        "idea": comment.idea, "form": form, "comment": comment,
        "heading": _("Change your comment"),
        "action": reverse("ideas:comment_edit", kwargs={"pk": pk, "comment_pk": comment.pk})},
        status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Support and follow


def _toggle(request, pk, change, done_message):
    idea = _idea(request, pk)
    try:
        changed = change(idea=idea, by=request.user)
    except ValidationError as error:
        status, level = " ".join(error.messages), messages.ERROR
    else:
        status, level = (done_message if changed else ""), messages.SUCCESS
    if _is_htmx(request):
        return _participation_part(request, idea, "ideas/participation/actions.html",
                                   status=status)
    if status:
        messages.add_message(request, level, status)
    return _back(idea)


@login_required
@require_POST
def support(request, pk):
    return _toggle(request, pk, services.support, _("You support this idea."))


@login_required
@require_POST
def unsupport(request, pk):
    return _toggle(request, pk, services.unsupport,
                   _("You no longer support this idea."))


@login_required
@require_POST
def follow(request, pk):
    return _toggle(request, pk, services.follow,
                   _("You follow this idea and will be told about its changes."))


@login_required
@require_POST
def unfollow(request, pk):
    return _toggle(request, pk, services.unfollow, _("You no longer follow this idea."))


# ---------------------------------------------------------------------------------------------
# Reports


def _report_page(request, idea, comment=None):
    target = comment or idea
    if target.is_hidden or not permissions.can_report(request.user, target):
        if target.is_hidden:
            raise Http404
        raise PermissionDenied
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report(idea=idea, comment=comment, reason=form.cleaned_data["reason"],
                              by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, with_office(_("Thank you. The %(office)s will look at it.")))
            return redirect(comment.get_absolute_url() if comment else idea.get_absolute_url())
    if comment is not None:
        comment.html = render_markdown(comment.body, top_level=3)
    return render(request, "ideas/participation/report.html", {
        "idea": idea, "comment": comment, "form": form},
        status=400 if form.errors else 200)


@login_required
def idea_report(request, pk):
    return _report_page(request, _idea(request, pk))


@login_required
def comment_report(request, pk, comment_pk):
    comment = _comment(request, pk, comment_pk)
    return _report_page(request, comment.idea, comment)


# ---------------------------------------------------------------------------------------------
# Moderation


def _hide_page(request, *, idea, comment=None):
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if comment is not None:
                moderation.hide_comment(comment=comment, reason=form.cleaned_data["reason"],
                                        by=request.user)
            else:
                moderation.hide_idea(idea=idea, reason=form.cleaned_data["reason"],
                                     by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The comment has been hidden.") if comment
                             else _("The idea has been hidden."))
            if request.POST.get("next") == "queue":
                return redirect("ideas:moderation")
            return redirect(comment.get_absolute_url() if comment else idea.get_absolute_url())
    if comment is not None:
        comment.html = render_markdown(comment.body, top_level=3)
    return render(request, "ideas/participation/hide.html", {
        "idea": idea, "comment": comment, "form": form,
        "next": request.GET.get("next") or request.POST.get("next", "")},
        status=400 if form.errors else 200)


@login_required
def idea_hide(request, pk):
    idea = _idea(request, pk)
    if not permissions.can_moderate_ideas(request.user):
        raise PermissionDenied
    return _hide_page(request, idea=idea)


@login_required
def comment_hide(request, pk, comment_pk):
    comment = _comment(request, pk, comment_pk)
    if not permissions.can_hide_comment(request.user, comment):
        raise PermissionDenied
    return _hide_page(request, idea=comment.idea, comment=comment)


def _unhide(request, change, target, done_message, back):
    try:
        change(by=request.user, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect(back)


@login_required
@require_POST
def idea_unhide(request, pk):
    idea = _idea(request, pk)
    if not permissions.can_moderate_ideas(request.user):
        raise PermissionDenied
    return _unhide(request, moderation.unhide_idea, {"idea": idea},
                   _("The idea is shown again."), idea.get_absolute_url())


@login_required
@require_POST
def comment_unhide(request, pk, comment_pk):
    comment = _comment(request, pk, comment_pk)
    if not permissions.can_hide_comment(request.user, comment):
        raise PermissionDenied
    return _unhide(request, moderation.unhide_comment, {"comment": comment},
                   _("The comment is shown again."), comment.get_absolute_url())


@login_required
def moderation_queue(request):
    if not permissions.can_moderate_ideas(request.user):
        raise PermissionDenied
    page = Paginator(moderation.open_reports(), REPORTS_PER_PAGE).get_page(
        request.GET.get("page"))
    for item in page:
        source = item.comment.body if item.comment_id else item.idea.description
        item.content_html = render_markdown(source, top_level=3)
    return render(request, "ideas/participation/moderation.html", {"page": page})


@login_required
@require_POST
def report_close(request, report_pk):
    if not permissions.can_moderate_ideas(request.user):
        raise PermissionDenied
    report = get_object_or_404(IdeaReport, pk=report_pk)
    moderation.report_close(report=report, by=request.user)
    messages.success(request, _("The report has been closed."))
    return redirect("ideas:moderation")


# The paths of this module; urls.py includes them.
_comment_path = "ideas/<int:pk>/comments/<int:comment_pk>/"
urlpatterns = [
    path("ideas/moderation/", moderation_queue, name="moderation"),
    path("ideas/moderation/reports/<int:report_pk>/close/", report_close, name="report_close"),
    path("ideas/<int:pk>/comments/", comment_create, name="comment_create"),
    path(_comment_path + "edit/", comment_edit, name="comment_edit"),
    path(_comment_path + "report/", comment_report, name="comment_report"),
    path(_comment_path + "hide/", comment_hide, name="comment_hide"),
    path(_comment_path + "unhide/", comment_unhide, name="comment_unhide"),
    path("ideas/<int:pk>/support/", support, name="support"),
    path("ideas/<int:pk>/unsupport/", unsupport, name="unsupport"),
    path("ideas/<int:pk>/follow/", follow, name="follow"),
    path("ideas/<int:pk>/unfollow/", unfollow, name="unfollow"),
    path("ideas/<int:pk>/report/", idea_report, name="report"),
    path("ideas/<int:pk>/hide/", idea_hide, name="hide"),
    path("ideas/<int:pk>/unhide/", idea_unhide, name="unhide"),
]
