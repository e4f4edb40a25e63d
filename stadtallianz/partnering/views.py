"""Pages of the partner search: the list with its filters, a notice with the interest form and
the owner's answers, the forms to post, edit and renew, and a person's own notices and
interests. What a person sees of an interest comes from reveal.py only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.projects.models import Project

from . import forms, permissions, queries, reveal, services
from .models import Interest, Notice

PAGE_SIZE = 20


def _id(value: str) -> int | None:
    """A row id from a query parameter; None for anything else (also beyond the databases'
    integers, which PostgreSQL would refuse with an error)."""
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**31 else None


def _slug(value: str) -> str:
    """A slug from the query string; "" for one no slug can be (PostgreSQL refuses NUL)."""
    return "" if "\x00" in value else value


def notice_list(request):
    form = forms.NoticeFilterForm(request.GET or None)
    filters = form.filters()
    project = _slug(request.GET.get("project", ""))
    idea = request.GET.get("idea", "")
    notices = queries.listed(request.user, project=project, idea=_id(idea),
                             **({"open_only": True} | filters))
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "partnering/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {
        "form": form, "page": page, "query": query.urlencode(),
        "filtered": bool([value for value in filters.values() if value is not True])
        or bool(project or idea),
        "can_post": permissions.can_post(request.user),
    })


def _notice(request, pk) -> Notice:
    """The notice if `request.user` may see it, else 404 (an archived notice is not
    confirmed to exist)."""
    return get_object_or_404(
        Notice.objects.visible_to(request.user).select_related(
            "organisation", "created_by", "project", "idea", "call"), pk=pk)


def notice_detail(request, pk):
    notice = _notice(request, pk)
    who = reveal.viewer(request.user)
    can_manage = permissions.can_manage(request.user, notice)
    interests = reveal.with_relations(notice.interests.all())
    shown = reveal.shown_list(who, interests) if can_manage or who.organisation_ids else []
    mine = [item for item in shown if item.viewer_is_interested]
    interest_form = None
    if request.user.is_authenticated and notice.accepts_interest:
        organisations = permissions.interest_organisations(request.user, notice)
        if organisations:
            interest_form = forms.InterestForm(request.POST or None,
                                               organisations=organisations)
    if request.method == "POST":
        if interest_form is None:
            raise PermissionDenied
        if interest_form.is_valid():
            try:
                services.interest_create(
                    actor=request.user, notice=notice,
                    organisation=interest_form.cleaned_data["organisation"],
                    message=interest_form.cleaned_data["message"])
            except ValidationError as error:
                add_service_errors(interest_form, error)
            else:
                messages.success(request, _("Your interest has been sent. The notice's owner "
                                            "sees your organisation and message; your contact "
                                            "details once they accept."))
                return redirect(notice)
    return render(request, "partnering/detail.html", {
        "notice": notice,
        "description_html": render_markdown(notice.description, top_level=3),
        "focus_areas": list(notice.focus_areas.all()),
        "can_manage": can_manage,
        "interests": shown if can_manage else [],
        "mine": mine,
        "interest_form": interest_form,
        "can_post": permissions.can_post(request.user),
    }, status=400 if interest_form is not None and interest_form.errors else 200)


def _prefill(request) -> dict:
    """?project=<slug>, ?idea=<pk>, ?call=<slug> from the links on those pages."""
    initial = {}
    if slug := _slug(request.GET.get("project", "")):
        initial["project"] = Project.objects.filter(slug=slug).values_list("pk",
                                                                            flat=True).first()
    if pk := _id(request.GET.get("idea", "")):
        initial["idea"] = Idea.objects.filter(pk=pk).values_list("pk", flat=True).first()
    if slug := _slug(request.GET.get("call", "")):
        initial["call"] = Call.objects.filter(slug=slug).values_list("pk", flat=True).first()
    return {key: value for key, value in initial.items() if value}


@login_required
def notice_create(request):
    if not permissions.can_post(request.user):
        raise PermissionDenied
    organisations = permissions.postable_organisations(request.user)
    initial = _prefill(request)
    if len(organisations) == 1:
        initial["organisation"] = organisations[0].pk
    form = forms.NoticeForm(request.POST or None, user=request.user, initial=initial)
    form.fields["expires_on"].initial = services.default_expiry()
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=request.user, organisation=form.cleaned_data["organisation"],
                data=form.service_data(),
                focus_areas=form.cleaned_data["focus_areas"] or None)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The notice has been published."))
            return redirect(notice)
    return render(request, "partnering/notice_form.html", {"form": form, "notice": None},
                  status=400 if form.errors else 200)


@login_required
def notice_edit(request, pk):
    notice = _notice(request, pk)
    if not permissions.can_manage(request.user, notice):
        raise PermissionDenied
    form = forms.NoticeForm(request.POST or None, user=request.user, notice=notice,
                            initial=forms.notice_initial(notice))
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(actor=request.user, notice=notice,
                                   data=form.service_data(),
                                   focus_areas=form.cleaned_data["focus_areas"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The notice has been saved."))
            return redirect(notice)
    return render(request, "partnering/notice_form.html", {"form": form, "notice": notice},
                  status=400 if form.errors else 200)


@login_required
def notice_renew(request, pk):
    notice = _notice(request, pk)
    if not permissions.can_manage(request.user, notice):
        raise PermissionDenied
    form = forms.RenewForm(request.POST or None, initial={
        "expires_on": services.default_expiry(),
        "deadline": notice.deadline if notice.deadline and notice.deadline >= services.today()
        else None})
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_renew(actor=request.user, notice=notice,
                                  expires_on=form.cleaned_data["expires_on"],
                                  deadline=form.cleaned_data["deadline"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The notice is open again."))
            return redirect(notice)
    return render(request, "partnering/renew.html", {"form": form, "notice": notice},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def notice_close(request, pk):
    notice = _notice(request, pk)
    try:
        services.notice_close(actor=request.user, notice=notice)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The notice has been closed."))
    return redirect(notice)


@require_POST
@login_required
def interest_answer(request, pk, interest_pk, action):
    notice = _notice(request, pk)
    interest = get_object_or_404(Interest, notice=notice, pk=interest_pk)
    if action not in ("accept", "decline"):
        raise Http404
    try:
        services.interest_answer(actor=request.user, interest=interest,
                                 accept=action == "accept")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The interest has been accepted: you now see each other's "
                                    "contact person.") if action == "accept"
                         else _("The interest has been declined."))
    return redirect(notice.get_absolute_url() + "#interests")


@login_required
def mine(request):
    """My notices and interests: those of the organisations the person belongs to."""
    return render(request, "partnering/mine.html", {
        "notices": list(queries.my_notices(request.user)),
        "interests": queries.my_interests(request.user),
        "can_post": permissions.can_post(request.user),
    })
