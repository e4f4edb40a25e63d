"""Pages and calendar files of events. A members-only event that the person may not see is a 404
everywhere, exactly like an event that does not exist.

Who may do what is decided in `permissions.py`; the services check it for every change, so a
page asks it only to decide what to show (a form, a button) and otherwise leaves the 403 to the
service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import slug_re
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.workinggroups.models import WorkingGroup

from . import ics, permissions, services
from .forms import CoordinatorEventForm, EventFilterForm, EventForm
from .models import Event, Registration

PAST_LIMIT = 50


def _events(user):
    return Event.objects.visible_to(user).select_related("group")


def _event(request, slug) -> Event:
    return get_object_or_404(_events(request.user), slug=slug)


def event_list(request):
    groups = list(WorkingGroup.objects.only("slug", "name_de", "name_en"))
    form = EventFilterForm(request.GET or None, groups=groups)
    events = _events(request.user).with_registration_counts()
    selected = ""
    if form.is_bound and form.is_valid():
        selected = form.cleaned_data["group"]
    if selected == "alliance":
        events = events.filter(group__isnull=True)
    elif selected:
        events = events.filter(group__slug=selected)
    now = timezone.now()
    return render(request, "events/list.html", {
        "form": form, "selected": selected,
        "upcoming": list(events.filter(ends_at__gte=now).order_by("starts_at", "pk")),
        "past": list(events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_LIMIT]),
        "can_create": permissions.can_plan_for_any_group(request.user),
    })


def detail(request, slug):
    event = _event(request, slug)
    registration = permissions.registration_of(request.user, event)
    if registration is not None and registration.state == Registration.State.CANCELLED:
        registration = None
    counts = {state: 0 for state in Registration.State.values}
    counts.update(event.registrations.order_by().values_list("state").annotate(n=Count("pk")))
    free = None if event.capacity is None else max(event.capacity - counts["registered"], 0)
    return render(request, "events/detail.html", {
        "event": event, "registration": registration,
        "show_link": permissions.can_see_online_link(request.user, event, registration),
        "description_html": render_markdown(event.description, top_level=3),
        "agenda_html": render_markdown(event.agenda, top_level=3),
        "minutes_html": render_markdown(event.minutes, top_level=3),
        "registered_count": counts["registered"], "waiting_count": counts["waiting"],
        "free_places": free, "is_past": event.ends_at < timezone.now(),
        "can_edit": permissions.can_edit(request.user, event),
        "has_map": (event.has_room and event.latitude is not None
                    and event.longitude is not None),
    })


def _group_for_new(request):
    slug = request.GET.get("group") or request.POST.get("group") or ""
    if not slug.strip():
        return None
    if not slug_re.match(slug):
        # Not a slug (a NUL character, say, which PostgreSQL cannot even compare): no group.
        raise Http404
    return get_object_or_404(WorkingGroup, slug=slug)


@login_required
def create(request):
    group = _group_for_new(request)
    if not permissions.can_create_for(request.user, group):
        raise PermissionDenied
    if permissions.can_plan_for_any_group(request.user):
        form = CoordinatorEventForm(request.POST or None,
                                    initial={"group": group.slug if group else None})
    else:
        form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        group = data.pop("group", group)
        try:
            event = services.event_create(by=request.user, group=group, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event has been created."))
            return redirect(event)
    return render(request, "events/form.html", {"form": form, "group": group, "event": None},
                  status=400 if form.errors else 200)


@login_required
def edit(request, slug):
    event = _event(request, slug)
    if not permissions.can_edit(request.user, event):
        raise PermissionDenied
    form = EventForm(request.POST or None, instance=get_object_or_404(Event, pk=event.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, by=request.user,
                                  data={name: form.cleaned_data[name] for name in form.fields})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event has been saved."))
            return redirect(event)
    return render(request, "events/form.html",
                  {"form": form, "group": event.group, "event": event},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def cancel_event(request, slug):
    event = _event(request, slug)
    try:
        services.event_cancel(event=event, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The event has been cancelled. Registered people are "
                                    "informed by e-mail."))
    return redirect(event)


@login_required
@require_POST
def register(request, slug):
    event = _event(request, slug)
    try:
        registration = services.registration_register(event=event, by=request.user)
    except Event.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if registration.state == Registration.State.REGISTERED:
            messages.success(request, _("You are registered."))
        else:
            messages.success(request, _("The event is full. You are on the waiting list."))
    return redirect(event)


@login_required
@require_POST
def unregister(request, slug):
    event = _event(request, slug)
    try:
        services.registration_cancel(event=event, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect(event)


@login_required
def attendance(request, slug):
    event = _event(request, slug)
    registrations = services.attendance(event=event, by=request.user)
    return render(request, "events/attendance.html",
                  {"event": event, "registrations": registrations})


def event_ics(request, slug):
    event = _event(request, slug)
    return ics.ics_response([event], event.title, f"{event.slug}.ics")


def group_ics(request, slug):
    group = get_object_or_404(WorkingGroup, slug=slug)
    events = _events(request.user).filter(group=group).order_by("starts_at", "pk")
    return ics.ics_response(events, group.name, f"{group.slug}.ics")


def alliance_ics(request):
    """The alliance feed holds public events only, whoever asks: feed URLs get shared."""
    events = Event.objects.public().select_related("group").order_by("starts_at", "pk")
    return ics.ics_response(events, _("Events of the alliance"), "events.ics")
