"""Reads that the pages, the API and the exports share: the lists with their sums, the
coordination office's funding pipeline and the public totals of funding acquired.

Each is a fixed number of queries whatever the number of applications (tested).

What the public sees (the decision behind `public_totals`): the amounts granted are public
record (funders publish them too), so the alliance's total and each project's grants are shown,
with the call and the funded period. A consortium's budget, requested sums, grant references
and applications that were neither published nor granted are never shown.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import shown_language
from stadtallianz.funding.models import Deadline
from stadtallianz.knowledge.models import Document

from .models import (
    Application,
    ApplicationDocument,
    BudgetLine,
    ChecklistItem,
    Grant,
    StateChange,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def with_sums(applications):
    """Annotates `requested_total` (sum of the members' requested funding) and
    `granted_amount` (the grant's, else None) in the list's own query."""
    requested = (BudgetLine.objects.filter(member__application=OuterRef("pk")).order_by()
                 .values("member__application").annotate(total=Sum("requested"))
                 .values("total")[:1])
    return applications.annotate(
        requested_total=Coalesce(Subquery(requested, output_field=MONEY), Value(ZERO),
                                 output_field=MONEY),
        granted_amount=Subquery(Grant.objects.filter(application=OuterRef("pk"))
                                .values("amount")[:1], output_field=MONEY))


def listed():
    return Application.objects.select_related("call__programme", "project", "idea")


def my_applications(user):
    """The applications of the consortia `user` belongs to, newest change first, with their
    sums: "Mein Bereich" and the list page."""
    return with_sums(listed().of_consortium(user)).order_by("-updated_at", "-pk")


def public_applications(user):
    """The public applications besides `user`'s own: without sums but the amount granted."""
    return (with_sums(listed().public()).exclude(pk__in=Application.objects.of_consortium(user)
                                                 .values("pk"))
            .order_by("-updated_at", "-pk"))


# ---------------------------------------------------------------------------------------------
# The funding pipeline (coordination office)


@dataclass
class Bucket:
    key: str
    label: str
    count: int = 0
    requested: Decimal = ZERO
    granted: Decimal = ZERO
    lang: str = ""  # the label's language where it is not the page's (a focus area's name)

    def __post_init__(self):
        self.label = str(self.label)  # a lazy choice label, in the request's language

    def add(self, application) -> None:
        self.count += 1
        self.requested = (self.requested + (application.requested_total or ZERO)).quantize(CENT)
        self.granted = (self.granted + (application.granted_amount or ZERO)).quantize(CENT)


@dataclass
class Pipeline:
    by_state: list = field(default_factory=list)
    by_year: list = field(default_factory=list)
    by_funder: list = field(default_factory=list)
    by_focus_area: list = field(default_factory=list)
    total: Bucket | None = None
    decided: int = 0
    granted: int = 0
    deadlines: list = field(default_factory=list)
    recent: list = field(default_factory=list)

    @property
    def success_rate(self) -> Decimal | None:
        """Granted among decided (granted or rejected), in percent; None before any
        decision."""
        if not self.decided:
            return None
        return (Decimal(self.granted) * 100 / self.decided).quantize(Decimal("0.1"))


# The pipeline page lists the newest applications; the exports hold all.
RECENT = 50


def year_of(application) -> int:
    """The year an application counts in: its submission's, else its creation's."""
    return (application.submitted_on or timezone.localtime(application.created_at)).year


def pipeline_applications():
    return (with_sums(listed()).prefetch_related("call__focus_areas")
            .order_by("-created_at", "-pk"))


def pipeline(now=None) -> Pipeline:
    """Requested and granted sums by state, year, funder and focus area (an application counts
    under each of its call's focus areas), the success rate and the upcoming deadlines of the
    applications still being prepared. Four queries."""
    applications = list(pipeline_applications())
    states = {value: Bucket(value, label) for value, label in Application.State.choices}
    years: dict[int, Bucket] = {}
    funders: dict[str, Bucket] = {}
    areas: dict[int, Bucket] = {}
    total = Bucket("all", _("All applications"))
    result = Pipeline(total=total)
    for application in applications:
        total.add(application)
        states[application.state].add(application)
        year = year_of(application)
        years.setdefault(year, Bucket(str(year), str(year))).add(application)
        funder = application.call.programme.funder
        funders.setdefault(funder, Bucket(funder, funder)).add(application)
        for area in application.call.focus_areas.all():
            areas.setdefault(area.pk, Bucket(area.slug, area.name,
                                             lang=shown_language(area, "name"))).add(application)
        if application.state in Application.DECIDED_STATES:
            result.decided += 1
            result.granted += application.state == Application.State.GRANTED
    result.by_state = list(states.values())
    result.by_year = [years[year] for year in sorted(years, reverse=True)]
    result.by_funder = sorted(funders.values(), key=lambda b: (-b.requested, b.label))
    result.by_focus_area = sorted(areas.values(), key=lambda b: (-b.requested, b.label))
    result.deadlines = upcoming_deadlines(now=now)
    result.recent = applications[:RECENT]
    return result


def upcoming_deadlines(*, now=None, limit: int = 20):
    """The applications being planned or prepared, with their call's next deadline, soonest
    first (one query)."""
    now = now or timezone.now()
    due = (Deadline.objects.filter(call=OuterRef("call"), due_at__gte=now).order_by()
           .values("call").annotate(first=Min("due_at")).values("first")[:1])
    return list(listed().filter(state__in=[Application.State.PLANNED,
                                           Application.State.IN_PREPARATION])
                .annotate(next_due_at=Subquery(due)).filter(next_due_at__isnull=False)
                .order_by("next_due_at", "pk")[:limit])


EXPORT_HEADERS = [_("ID"), _("Title"), _("State"), _("Year"), _("Funder"), _("Programme"),
                  _("Call"), _("Project or idea"), _("Focus areas"),
                  _("Requested funding (EUR)"), _("Granted (EUR)"), _("Submitted on")]


def export_headers() -> list[str]:
    return [str(header) for header in EXPORT_HEADERS]


def export_rows(applications):
    """One row per application of the pipeline (numbers as numbers, for spreadsheets)."""
    for application in applications:
        target = application.project or application.idea
        yield [application.pk, application.title, application.get_state_display(),
               year_of(application), application.call.programme.funder,
               application.call.programme.name, application.call.title,
               str(target) if target else "",
               ", ".join(str(area.name) for area in application.call.focus_areas.all()),
               application.requested_total or ZERO, application.granted_amount,
               application.submitted_on]


# ---------------------------------------------------------------------------------------------
# Public totals


@dataclass
class ProjectFunding:
    project: object
    total: Decimal = ZERO
    grants: list = field(default_factory=list)


def public_totals():
    """The alliance's total funding acquired (Grant.objects.acquired) and per project, largest
    first. Two queries."""
    grants = list(Grant.objects.acquired().select_related(
        "application__project", "application__call__programme")
        .order_by("application__project__title_de", "starts_on", "pk"))
    projects: dict[int, ProjectFunding] = {}
    for grant in grants:
        project = grant.application.project
        entry = projects.setdefault(project.pk, ProjectFunding(project))
        entry.total += grant.amount
        entry.grants.append(grant)
    rows = sorted(projects.values(), key=lambda e: (-e.total, e.project.title_de))
    total = sum((grant.amount for grant in grants), ZERO)
    return {"total": total, "count": len(grants), "projects": rows,
            "by_funder": _grants_by_funder(grants)}


def _grants_by_funder(grants) -> list[tuple[str, Decimal]]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for grant in grants:
        sums[grant.application.call.programme.funder] += grant.amount
    return sorted(sums.items(), key=lambda item: (-item[1], item[0]))


def shown_documents(application: Application, user):
    """The linked documents `user` may open (the caller checked that `user` sees the
    application's confidential parts)."""
    return (application.document_links.filter(document__in=Document.objects.visible_to(user))
            .select_related("document"))


def personal_data(user) -> dict:
    """The person's rows for the privacy export (GDPR Art. 15, 20), as querysets by table:
    the applications they started, the state changes they made, the checklist items they
    ticked, the documents they linked and the grants they recorded. The applications'
    budgets are the organisations' data, not the person's. Every reference to a person is
    SET_NULL, and no text names them, so the erasure has nothing more to do here."""
    return {
        "funding_applications_started": Application.objects.filter(created_by=user),
        "funding_application_state_changes": StateChange.objects.filter(changed_by=user),
        "funding_application_checklist_ticks": ChecklistItem.objects.filter(done_by=user),
        "funding_application_documents_linked": ApplicationDocument.objects.filter(
            added_by=user),
        "funding_grants_recorded": Grant.objects.filter(recorded_by=user),
    }
