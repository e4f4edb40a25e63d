"""Read-side helpers shared by the pages, the API, the feeds and other apps (Mein Bereich,
search, sitemaps): the one place that knows how calls are listed and filtered."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from stadtallianz.partners.models import Organisation

from .models import Call, CallFollow, Deadline


def listed(user=None):
    """Calls for a list: programme joined, focus areas and rates prefetched, the next
    deadline annotated (constant queries however many calls)."""
    calls = Call.objects.all() if user is None else Call.objects.visible_to(user)
    return (calls.select_related("programme").with_next_deadline()
            .prefetch_related("focus_areas", "rates"))


def filter_calls(calls, *, q="", state="", focus_area="", level="", applicant_type=""):
    """The list's filters; no state means open and forthcoming, "all" every state."""
    if state == "all":
        pass
    elif state:
        calls = calls.filter(state=state)
    else:
        calls = calls.current()
    if focus_area:
        calls = calls.filter(pk__in=Call.focus_areas.through.objects.filter(
            focusarea__slug=focus_area).values("call_id"))
    if level:
        calls = calls.filter(programme__level=level)
    if applicant_type:
        calls = calls.for_applicant(applicant_type)
    for word in (q or "").split()[:8]:
        calls = calls.filter(Q(title_de__icontains=word) | Q(title_en__icontains=word)
                             | Q(source_id__icontains=word) | Q(keywords__icontains=word)
                             | Q(summary_de__icontains=word) | Q(summary_en__icontains=word)
                             | Q(programme__name_de__icontains=word)
                             | Q(programme__funder__icontains=word))
    return calls


def upcoming_deadlines(calls=None, *, now=None):
    """Deadlines still ahead of open and forthcoming calls (or of `calls`), soonest first, with
    their call and programme."""
    now = now or timezone.now()
    calls = Call.objects.current() if calls is None else calls
    return (Deadline.objects.filter(due_at__gte=now, call__in=calls)
            .select_related("call", "call__programme").order_by("due_at", "pk"))


def followed_calls(user):
    """Mein Bereich: the calls a person follows, with their next deadline, newest follow
    first."""
    if not user.is_authenticated:
        return Call.objects.none()
    return (listed().filter(follows__user=user).order_by("-follows__created_at", "pk"))


def followed_deadlines(user, *, now=None, limit: int | None = None):
    """Mein Bereich and the personal feed: deadlines ahead of the calls a person follows."""
    if not user.is_authenticated:
        return Deadline.objects.none()
    deadlines = upcoming_deadlines(Call.objects.filter(follows__user=user), now=now)
    return deadlines[:limit] if limit else deadlines


def interested_organisations(call):
    """Alliance partners some of whose people follow the call (organisations only, never who)."""
    people = CallFollow.objects.filter(call=call).values("user_id")
    return (Organisation.objects.public().filter(memberships__user__in=people)
            .distinct().order_by("name"))


def focus_area_fit(call):
    """The call's focus areas, each with how many alliance partners and projects work in it
    (`partner_count`, `project_count`): the call's fit with the alliance, in one query."""
    from stadtallianz.core.models import FocusArea

    return list(FocusArea.objects.filter(funding_calls=call).annotate(
        partner_count=Count("organisations", distinct=True, filter=Q(
            organisations__status__in=Organisation.PUBLIC_STATUSES)),
        project_count=Count("projects", distinct=True)).order_by("position", "slug"))


def follower_ids(call) -> set[int]:
    return set(CallFollow.objects.filter(call=call).values_list("user_id", flat=True))


def detail_prefetch():
    return [Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at", "pk")),
            "rates", "focus_areas"]
