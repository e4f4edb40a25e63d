"""The key figures of the impact dashboard, computed from the live data.

Every figure counts only what a visitor may see: public partners (confirmed signatures), public
threads and events, ideas not hidden, accepted (published) assessments, applications that are
published or granted (never a budget; sums only of granted funding, `Grant.objects.acquired`),
public and aggregated datastreams (never a restricted one) and published datasets. The number
of queries is fixed, whatever the amount of data (tested), and the result is cached (cache.py):
the cache's version changes whenever one of the counted models changes, and the nightly
`compute_impact_figures` recomputes what moves with time alone (docs/impact.md).

`key_figures(focus_area=…, year=…)` is the one entry point, for the page, the CSV files and the
syndication widget.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, ExtractYear, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stadtallianz.assessments.models import Assessment, Score
from stadtallianz.core.i18n import active_language
from stadtallianz.core.models import FocusArea
from stadtallianz.core.office import with_office
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event, Registration
from stadtallianz.ideas.models import Idea
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.opendata.models import Dataset, ValidationRun
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project, ProjectSDG
from stadtallianz.proposals.models import Application, Grant
from stadtallianz.sensorthings.models import Datastream, HourlyAggregate, PrivacyLevel
from stadtallianz.workinggroups.models import WorkingGroup

from . import cache
from .charts import number
from .keys import KIND_OF, TITLES

# Datastreams whose data leaves the platform; restricted ones are never counted.
OPEN_LEVELS = (PrivacyLevel.PUBLIC, PrivacyLevel.AGGREGATED)
# Data availability: the window counted, and the longer one a datastream's cadence is read from.
AVAILABILITY_DAYS = 30
CADENCE_DAYS = 90
# Working groups' activity without a year filter: the last twelve months.
ACTIVITY_DAYS = 365
# Applications that went to the funder (planned and prepared ones are not "applied for").
APPLIED_STATES = (Application.State.SUBMITTED, Application.State.GRANTED,
                  Application.State.REJECTED)

CENT = Decimal("0.01")
REACHED, ON_TRACK, BEHIND = "reached", "on_track", "behind"
FOCUS_AREA, YEAR = "focus_area", "year"


@dataclass
class Point:
    label: str
    value: int | float | Decimal
    year: int | None = None


@dataclass
class Figure:
    key: str
    title: str
    value: int | float | Decimal | None
    unit: str
    kind: str  # keys.INPUT, OUTPUT or OUTCOME
    how: str  # one sentence: how the figure is computed
    link: str  # the public list behind it
    series: list[Point] = field(default_factory=list)  # the trend, per year
    columns: list[str] = field(default_factory=list)  # the breakdown table (and CSV)
    rows: list[list] = field(default_factory=list)
    chart: list[Point] = field(default_factory=list)  # what the chart draws
    chart_caption: str = ""
    note: str = ""  # one more line on the card (participants, validation state …)
    ignores: list[str] = field(default_factory=list)  # filters the figure does not follow
    # The series holds the figure's value per year (at the year's end when cumulative), so a
    # target for a year is compared with that year's point.
    yearly: bool = False
    cumulative: bool = False
    target: Decimal | None = None
    target_year: int | None = None
    target_note: str = ""
    status: str | None = None

    @property
    def kind_label(self) -> str:
        from .keys import KINDS
        return str(KINDS[self.kind])

    @property
    def shown_value(self) -> str:
        """The value as a reader sees it, localised, with its unit (e.g. for a widget)."""
        return f"{number(self.value)} {self.unit}".strip()

    @property
    def trend(self) -> dict | None:
        """The change from the year before to the last year of the series."""
        if not self.yearly or len(self.series) < 2:
            return None
        last, previous = self.series[-1], self.series[-2]
        return {"change": last.value - previous.value, "year": last.label,
                "previous": previous.label}

    def value_for(self, year: int):
        """The figure's value in `year`: the series' point for yearly figures, else the
        value."""
        if not self.yearly:
            return self.value or 0
        points = {p.year: p.value for p in self.series}
        if year in points:
            return points[year]
        if self.cumulative:
            earlier = [p.value for p in self.series if p.year is not None and p.year < year]
            return earlier[-1] if earlier else 0
        return 0


# ---------------------------------------------------------------------------------------------
# Helpers


def _name(row: dict, base: str) -> str:
    """A translated name read with values(): the English one on English pages when there is
    one, else the German."""
    if active_language() == "en" and row.get(f"{base}_en"):
        return row[f"{base}_en"]
    return row.get(f"{base}_de") or ""


def _by_year(queryset, field_name: str, **aggregates) -> dict[int, dict]:
    rows = (queryset.order_by().annotate(y=ExtractYear(field_name)).values("y")
            .annotate(**aggregates))
    return {row["y"]: row for row in rows if row["y"] is not None}


def _yearly_points(counts: dict[int, int | Decimal], *, cumulative=False,
                   until: int | None = None) -> list[Point]:
    """One point per year from the first year with data to `until` (this year), gaps as zero."""
    if not counts:
        return []
    until = until or timezone.localdate().year
    first = min(counts)
    points, running = [], 0
    for year in range(first, max(until, max(counts)) + 1):
        value = counts.get(year, 0)
        running = running + value if cumulative else value
        points.append(Point(str(year), running, year))
    return points


def _period(year: int | None) -> tuple[datetime, datetime]:
    if year:
        zone = timezone.get_current_timezone()
        return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    now = timezone.now()
    return now - timedelta(days=ACTIVITY_DAYS), now


def _share(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# ---------------------------------------------------------------------------------------------
# The figures, one function each (`focus` a FocusArea or None, `year` an int or None)


def partners(focus, year) -> Figure:
    orgs = Organisation.objects.public()
    if focus:
        orgs = orgs.filter(focus_areas=focus)
    joined = {y: row["n"] for y, row in _by_year(orgs, "partner_since", n=Count("pk")).items()}
    if year:
        orgs = orgs.filter(Q(partner_since__year__lte=year) | Q(partner_since__isnull=True))
    types = dict(Organisation.Type.choices)
    by_type = {row["type"]: row["n"] for row in
               orgs.order_by().values("type").annotate(n=Count("pk"))}
    series = _yearly_points(joined, cumulative=True)
    return Figure(
        key="partners", title="", value=sum(by_type.values()), unit=_("partners"),
        kind="", link=reverse("partners:directory"),
        how=with_office(_("Organisations whose signature of the letter of intent the "
                          "%(office)s confirmed, by the year they became partners; with a "
                          "year, the partners at that year's end.")),
        series=series, columns=[_("Type"), _("Partners")],
        rows=[[str(types[value]), by_type[value]] for value in types if by_type.get(value)],
        chart=series, chart_caption=_("Partners at the end of each year"),
        yearly=True, cumulative=True)


def signatures(focus, year) -> Figure:
    signed = Signature.objects.confirmed().filter(
        organisation__status__in=Organisation.PUBLIC_STATUSES)
    if focus:
        signed = signed.filter(organisation__focus_areas=focus)
    per_year = {y: row["n"] for y, row in _by_year(signed, "signed_at", n=Count("pk")).items()}
    if year:
        signed = signed.filter(signed_at__year=year)
    by_version = list(signed.order_by("version__number").values("version__number")
                      .annotate(n=Count("pk")))
    series = _yearly_points(per_year)
    return Figure(
        key="signatures", title="", value=sum(row["n"] for row in by_version),
        unit=_("signatures"), kind="", link=reverse("letter_of_intent:current"),
        how=_("Confirmed signatures of the letter of intent by alliance partners, counted in "
              "the year they were signed."),
        series=series, columns=[_("Version of the letter"), _("Signatures")],
        rows=[[row["version__number"], row["n"]] for row in by_version],
        chart=series, chart_caption=_("Signatures per year"), yearly=True)


def working_groups(focus, year) -> Figure:
    groups = WorkingGroup.objects.active()
    if focus:
        groups = groups.filter(focus_areas=focus)
    posts = Post.objects.filter(thread__in=Thread.objects.public().values("pk"), hidden_at=None,
                                thread__group__in=groups.values("pk"))
    meetings = (Event.objects.public().exclude(state=Event.State.CANCELLED)
                .filter(group__in=groups.values("pk"), starts_at__lte=timezone.now()))
    per_year: dict[int, int] = defaultdict(int)
    for source, field_name in ((posts, "created_at"), (meetings, "starts_at")):
        for y, row in _by_year(source, field_name, n=Count("pk")).items():
            per_year[y] += row["n"]
    start, end = _period(year)
    # Subqueries rather than joined counts: joining posts and events would multiply the rows.
    posts_in_period = (posts.filter(thread__group=OuterRef("pk"), created_at__gte=start,
                                    created_at__lt=end)
                       .order_by().values("thread__group").annotate(n=Count("pk")).values("n"))
    meetings_in_period = (meetings.filter(group=OuterRef("pk"), starts_at__gte=start,
                                          starts_at__lt=end)
                          .order_by().values("group").annotate(n=Count("pk")).values("n"))
    rows = list(groups.order_by("name_de", "pk").values("name_de", "name_en").annotate(
        posts=Coalesce(Subquery(posts_in_period), 0),
        meetings=Coalesce(Subquery(meetings_in_period), 0)))
    total_posts = sum(row["posts"] for row in rows)
    total_meetings = sum(row["meetings"] for row in rows)
    series = _yearly_points(dict(per_year))
    counts = {"groups": number(len(rows)), "posts": number(total_posts),
              "meetings": number(total_meetings), "year": year}
    if year:
        note = _("Active working groups: %(groups)s. In %(year)s: %(posts)s posts, "
                 "%(meetings)s meetings.") % counts
    else:
        note = _("Active working groups: %(groups)s. In the last 12 months: %(posts)s posts, "
                 "%(meetings)s meetings.") % counts
    return Figure(
        key="working_groups", title="", value=total_posts + total_meetings,
        unit=_("posts and meetings"), kind="", link=reverse("workinggroups:list"),
        how=_("Posts in the public threads of the active working groups and their public "
              "meetings held, in the last 12 months or in the chosen year; members-only "
              "threads and events are not counted."),
        series=series, columns=[_("Working group"), _("Posts"), _("Meetings")],
        rows=[[_name(row, "name"), row["posts"], row["meetings"]] for row in rows],
        chart=series, chart_caption=_("Posts and meetings per year"), note=note, yearly=True)


def events(focus, year) -> Figure:
    shown = Event.objects.public().exclude(state=Event.State.CANCELLED)
    if focus:
        shown = shown.filter(group__focus_areas=focus)
    per_year = _by_year(shown, "starts_at", n=Count("pk", distinct=True),
                        people=Count("registrations", filter=Q(
                            registrations__state=Registration.State.REGISTERED)))
    series = _yearly_points({y: row["n"] for y, row in per_year.items()})
    chosen = [row for y, row in per_year.items() if not year or y == year]
    people = sum(row["people"] for row in chosen)
    return Figure(
        key="events", title="", value=sum(row["n"] for row in chosen), unit=_("events"),
        kind="", link=reverse("events:list"),
        how=_("Public events that were not cancelled, by the year they take place, and the "
              "people registered for them (not those on the waiting list)."),
        series=series, columns=[_("Year"), _("Events"), _("Participants")],
        rows=[[y, per_year[y]["n"], per_year[y]["people"]] for y in sorted(per_year)
              if not year or y == year],
        chart=series, chart_caption=_("Events per year"),
        note=_("%(people)s participants registered.") % {"people": number(people)}, yearly=True)


def ideas(focus, year) -> Figure:
    listed = Idea.objects.listed_for(AnonymousUser())  # the ideas lists' rule
    if focus:
        listed = listed.filter(focus_areas=focus)
    per_year = {y: row["n"] for y, row in _by_year(listed, "created_at", n=Count("pk")).items()}
    if year:
        listed = listed.filter(created_at__year=year)
    states = dict(Idea.State.choices)
    by_state = {row["state"]: row["n"] for row in
                listed.order_by().values("state").annotate(n=Count("pk"))}
    series = _yearly_points(per_year)
    return Figure(
        key="ideas", title="", value=sum(by_state.values()), unit=_("ideas"), kind="",
        link=reverse("ideas:list"),
        how=_("Ideas submitted on the platform by the year of submission, by their state; "
              "hidden ideas are not counted."),
        series=series, columns=[_("State"), _("Ideas")],
        rows=[[str(states[value]), by_state[value]] for value in states if by_state.get(value)],
        chart=series, chart_caption=_("Ideas per year"), yearly=True)


def ideas_to_projects(focus, year, ideas_count: int) -> Figure:
    projects = Project.objects.filter(
        origin_idea__in=Idea.objects.listed_for(AnonymousUser()).values("pk"))
    if focus:
        projects = projects.filter(origin_idea__focus_areas=focus)
    per_year = {y: row["n"] for y, row in
                _by_year(projects, "origin_idea__created_at", n=Count("pk")).items()}
    value = per_year.get(year, 0) if year else sum(per_year.values())
    share = _share(value, ideas_count)
    series = _yearly_points(per_year)
    return Figure(
        key="ideas_to_projects", title="", value=value, unit=_("projects"), kind="",
        link=reverse("projects:list"),
        how=_("Projects that grew out of an idea, counted in the year the idea was submitted; "
              "the share is of the ideas counted above."),
        series=series, columns=[_("Year of the idea"), _("Projects from ideas")],
        rows=[[y, per_year[y]] for y in sorted(per_year) if not year or y == year],
        chart=series, chart_caption=_("Projects from the ideas of each year"),
        note=("" if share is None else
              _("%(share)s %% of the ideas.") % {"share": number(share)}),
        yearly=True)


def projects(focus, year) -> Figure:
    shown = Project.objects.all()
    if focus:
        shown = shown.filter(focus_areas=focus)
    per_year = {y: row["n"] for y, row in _by_year(shown, "created_at", n=Count("pk")).items()}
    if year:
        shown = shown.filter(created_at__year=year)
    phases = dict(Project.Phase.choices)
    by_phase = {row["phase"]: row["n"] for row in
                shown.order_by().values("phase").annotate(n=Count("pk"))}
    series = _yearly_points(per_year)
    return Figure(
        key="projects", title="", value=sum(by_phase.values()), unit=_("projects"), kind="",
        link=reverse("projects:list"),
        how=_("Projects of the alliance by their current phase; with a year, those started "
              "in that year."),
        series=series, columns=[_("Phase"), _("Projects")],
        rows=[[str(phases[value]), by_phase.get(value, 0)] for value in phases],
        chart=series, chart_caption=_("New projects per year"), yearly=True)


def principles(focus, year) -> Figure:
    current = Assessment.objects.accepted().filter(is_current=True)
    scores = Score.objects.filter(assessment__in=current.values("pk"))
    if focus:
        current = current.filter(project__focus_areas=focus)
        scores = scores.filter(assessment__project__focus_areas=focus)
    assessed = current.count()
    rows = list(scores.order_by("principle__number").values(
        "principle__number", "principle__name_de", "principle__name_en").annotate(
        serves=Count("pk", filter=Q(score__gt=0)), neutral=Count("pk", filter=Q(score=0)),
        harms=Count("pk", filter=Q(score__lt=0))))
    table = [[f"{row['principle__number']}. {_name(row, 'principle__name')}", row["serves"],
              row["neutral"], row["harms"]] for row in rows]
    return Figure(
        key="principles", title="", value=assessed, unit=_("assessed projects"), kind="",
        link=reverse("assessments:portfolio"),
        how=_("The current published assessment of each project: per guiding principle, how "
              "many projects serve it, are neutral or harm it."),
        columns=[_("Guiding principle"), _("Serves"), _("Neutral"), _("Harms")], rows=table,
        chart=[Point(row[0], row[1]) for row in table],
        chart_caption=_("Projects serving each principle"), ignores=[YEAR])


def sdgs(focus, year) -> Figure:
    relations = ProjectSDG.objects.all()
    if focus:
        relations = relations.filter(project__focus_areas=focus)
    linked = relations.aggregate(n=Count("project", distinct=True))["n"]
    rows = list(relations.order_by("goal__number").values(
        "goal__number", "goal__name_de", "goal__name_en").annotate(
        n=Count("project", distinct=True)))
    table = [[f"{row['goal__number']}. {_name(row, 'goal__name')}", row["n"]] for row in rows]
    return Figure(
        key="sdgs", title="", value=linked, unit=_("projects"), kind="",
        link=reverse("projects:list"),
        how=_("Projects that name at least one of the UN sustainable development goals, and "
              "how many name each goal."),
        columns=[_("Goal"), _("Projects")], rows=table,
        chart=[Point(row[0], row[1]) for row in table],
        chart_caption=_("Projects per goal"), ignores=[YEAR])


def funding_applied(focus, year) -> Figure:
    applied = Application.objects.public().filter(state__in=APPLIED_STATES)
    if focus:
        applied = applied.filter(call__focus_areas=focus)
    rows = list(applied.order_by().annotate(
        y=Coalesce(ExtractYear("submitted_on"), ExtractYear("created_at")))
        .values("y", "call__programme__funder").annotate(n=Count("pk", distinct=True))
        .order_by("y", "call__programme__funder"))
    per_year: dict[int, int] = defaultdict(int)
    for row in rows:
        per_year[row["y"]] += row["n"]
    series = _yearly_points(dict(per_year))
    shown = [row for row in rows if not year or row["y"] == year]
    return Figure(
        key="funding_applied", title="", value=sum(row["n"] for row in shown),
        unit=_("applications"), kind="", link=reverse("proposals:list"),
        how=_("Funding applications submitted to a funder, by year of submission and funder; "
              "only those the consortium published or that were granted, and never their "
              "budgets."),
        series=series, columns=[_("Year"), _("Funder"), _("Applications")],
        rows=[[row["y"], row["call__programme__funder"], row["n"]] for row in shown],
        chart=series, chart_caption=_("Applications per year"), yearly=True)


def funding_granted(focus, year) -> Figure:
    grants = Grant.objects.acquired()
    if focus:
        grants = grants.filter(application__call__focus_areas=focus)
    rows = list(grants.order_by().annotate(y=ExtractYear("starts_on"))
                .values("y", "application__call__programme__funder")
                .annotate(total=Sum("amount"), n=Count("pk", distinct=True))
                .order_by("y", "application__call__programme__funder"))
    per_year: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        # Cents, whatever the database's sum returns (SQLite drops trailing zeros).
        row["total"] = Decimal(row["total"]).quantize(CENT)
        per_year[row["y"]] += row["total"]
    series = _yearly_points(dict(per_year))
    shown = [row for row in rows if not year or row["y"] == year]
    return Figure(
        key="funding_granted", title="", value=sum((row["total"] for row in shown), Decimal(0)),
        unit=_("EUR"), kind="", link=reverse("proposals:totals"),
        how=_("The sums funders granted to the alliance's projects, by the year the funding "
              "starts and by funder."),
        series=series, columns=[_("Year"), _("Funder"), _("Grants"), _("Amount (EUR)")],
        rows=[[row["y"], row["application__call__programme__funder"], row["n"], row["total"]]
              for row in shown],
        chart=series, chart_caption=_("Funding granted per year (EUR)"), yearly=True)


def living_labs(focus, year) -> Figure:
    labs = LivingLab.objects.all()
    started = {y: row["n"] for y, row in _by_year(labs, "starts_on", n=Count("pk")).items()}
    if year:
        labs = labs.filter(starts_on__year__lte=year)
    states = dict(LivingLab.State.choices)
    by_state = {row["state"]: row["n"] for row in
                labs.order_by().values("state").annotate(n=Count("pk"))}
    series = _yearly_points(started, cumulative=True)
    return Figure(
        key="living_labs", title="", value=sum(by_state.values()), unit=_("living labs"),
        kind="", link=reverse("livinglabs:list"),
        how=_("Living labs by their state, counted from the year they start; with a year, "
              "those started by that year's end."),
        series=series, columns=[_("State"), _("Living labs")],
        rows=[[str(states[value]), by_state.get(value, 0)] for value in states],
        chart=series, chart_caption=_("Living labs started by the end of each year"),
        ignores=[FOCUS_AREA], yearly=True, cumulative=True)


def sensors(focus, year) -> Figure:
    streams = Datastream.objects.filter(privacy_level__in=OPEN_LEVELS)
    total = streams.aggregate(n=Count("sensor", distinct=True))["n"]
    rows = list(streams.order_by("lab__name_de", "lab_id").values(
        "lab_id", "lab__name_de", "lab__name_en").annotate(
        sensors=Count("sensor", distinct=True), streams=Count("pk", distinct=True)))
    table = [[_name(row, "lab__name"), row["sensors"], row["streams"]] for row in rows]
    return Figure(
        key="sensors", title="", value=total, unit=_("sensors"), kind="",
        link=reverse("livinglabs:list"),
        how=_("Sensors of the living labs that feed at least one public or aggregated "
              "datastream; sensors with restricted data only are not counted."),
        columns=[_("Living lab"), _("Sensors"), _("Datastreams")], rows=table,
        chart=[Point(row[0], row[1]) for row in table],
        chart_caption=_("Sensors per living lab"), ignores=[FOCUS_AREA, YEAR])


def data_availability(focus, year) -> Figure:
    """The figure below, cached apart from the others (cache.streams_key): it follows no
    filter, and its 90 days of hourly counts need not be read again for each filter."""
    cache_key = cache.streams_key("availability", active_language())
    figure = cache.get(cache_key)
    if figure is None:
        figure = _data_availability()
        cache.put(cache_key, figure)
    return figure


def _data_availability() -> Figure:
    """Per open datastream, its cadence is the median number of observations per hour over
    the hours of the last 90 days in which it delivered; it is expected to deliver that many
    in every hour of the last 30 days (or since its first observation, if later). The share
    is what arrived (at most what was expected) over what was expected, summed over the
    datastreams. A datastream silent for 90 days is expected nothing (and listed as silent)."""
    now_hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    since, cadence_since = (now_hour - timedelta(days=AVAILABILITY_DAYS),
                            now_hour - timedelta(days=CADENCE_DAYS))
    streams = Datastream.objects.filter(privacy_level__in=OPEN_LEVELS)
    info = list(streams.order_by("lab__name_de", "pk").values(
        "pk", "lab_id", "lab__name_de", "lab__name_en", "phenomenon_time_start"))
    hours = HourlyAggregate.objects.filter(datastream__in=streams.values("pk"),
                                           hour__lt=now_hour)
    ranked = hours.filter(hour__gte=cadence_since).annotate(
        rank=Window(RowNumber(), partition_by=[F("datastream_id")],
                    order_by=[F("count").asc(), F("hour").asc()]),
        size=Window(Count("id"), partition_by=[F("datastream_id")]))
    medians = dict(ranked.filter(rank=(F("size") + 1) / 2).values_list("datastream_id",
                                                                         "count"))
    received = dict(hours.filter(hour__gte=since).order_by().values("datastream_id")
                    .annotate(n=Sum("count")).values_list("datastream_id", "n"))
    labs: dict[int, dict] = {}
    for row in info:
        lab = labs.setdefault(row["lab_id"], {"name": _name(row, "lab__name"), "streams": 0,
                                              "silent": 0, "expected": 0, "received": 0})
        lab["streams"] += 1
        median = medians.get(row["pk"])
        if not median:
            lab["silent"] += 1
            continue
        start = since
        first = row["phenomenon_time_start"]
        if first and first > since:
            start = first.replace(minute=0, second=0, microsecond=0)
        expected = median * max(int((now_hour - start).total_seconds() // 3600), 0)
        lab["expected"] += expected
        lab["received"] += min(received.get(row["pk"], 0), expected)
    expected = sum(lab["expected"] for lab in labs.values())
    got = sum(lab["received"] for lab in labs.values())
    table = [[lab["name"], lab["streams"], lab["silent"], lab["expected"], lab["received"],
              _share(lab["received"], lab["expected"])] for lab in labs.values()]
    return Figure(
        key="data_availability", title="", value=_share(got, expected), unit="%", kind="",
        link=reverse("livinglabs:list"),
        how=_("Observations received in the last 30 days as a share of those expected from "
              "each public or aggregated datastream's usual rate (its median per hour over "
              "the last 90 days)."),
        columns=[_("Living lab"), _("Datastreams"), _("Silent for 90 days"),
                 _("Observations expected"), _("Observations received"), _("Share (%)")],
        rows=table, chart=[Point(row[0], row[5] or 0) for row in table],
        chart_caption=_("Share of expected observations received per living lab (%)"),
        ignores=[FOCUS_AREA, YEAR])


def datasets(focus, year) -> Figure:
    published = Dataset.objects.published()
    if focus:
        published = published.filter(focus_areas=focus)
    per_year = {y: row["n"] for y, row in _by_year(published, "issued", n=Count("pk")).items()}
    if year:
        published = published.filter(issued__year=year)
    kinds = dict(Dataset.Kind.choices)
    by_kind = {row["kind"]: row["n"] for row in
               published.order_by().values("kind").annotate(n=Count("pk"))}
    run = ValidationRun.objects.order_by("-checked_at").first()
    if run is None:
        note = _("DCAT-AP.de validation: not checked yet.")
    elif run.conforms:
        note = _("DCAT-AP.de validation: the catalogue conforms (%(warnings)s warnings).") % {
            "warnings": number(run.warnings)}
    else:
        note = _("DCAT-AP.de validation: %(violations)s violations.") % {
            "violations": number(run.violations)}
    series = _yearly_points(per_year)
    return Figure(
        key="datasets", title="", value=sum(by_kind.values()), unit=_("datasets"), kind="",
        link=reverse("opendata:catalogue"),
        how=_("Published datasets of the open-data catalogue by the year they were published, "
              "with the newest check of the whole catalogue against the DCAT-AP.de shapes."),
        series=series, columns=[_("Kind"), _("Datasets")],
        rows=[[str(kinds[value]), by_kind.get(value, 0)] for value in kinds],
        chart=series, chart_caption=_("Datasets published per year"), note=note, yearly=True)


# ---------------------------------------------------------------------------------------------
# All of them


def _compute(focus, year) -> list[Figure]:
    figures = [partners(focus, year), signatures(focus, year), working_groups(focus, year),
               events(focus, year)]
    idea_figure = ideas(focus, year)
    figures += [idea_figure, ideas_to_projects(focus, year, idea_figure.value),
                projects(focus, year), principles(focus, year), sdgs(focus, year),
                funding_applied(focus, year), funding_granted(focus, year),
                living_labs(focus, year), sensors(focus, year), data_availability(focus, year),
                datasets(focus, year)]
    for figure in figures:
        figure.title, figure.kind = str(TITLES[figure.key]), KIND_OF[figure.key]
        if year and YEAR not in figure.ignores and not figure.yearly:
            figure.ignores.append(YEAR)
    return figures


def _attach_targets(figures: list[Figure], year: int | None, today=None) -> None:
    from .models import ImpactTarget

    today = today or timezone.localdate()
    target_year = year or today.year
    targets = {t.key: t for t in ImpactTarget.objects.filter(year=target_year)}
    for figure in figures:
        target = targets.get(figure.key)
        if target is None:
            continue
        figure.target, figure.target_year, figure.target_note = (target.value, target.year,
                                                                 target.note)
        figure.status = status(figure, target.value, target.year, today)


def status(figure: Figure, target: Decimal, target_year: int, today) -> str:
    """Reached, on track or behind. In the running year a yearly figure is on track when it
    has come as far from last year's end as the share of the year that has passed."""
    value = Decimal(str(figure.value_for(target_year)))
    if value >= target:
        return REACHED
    if target_year != today.year or not figure.yearly:
        return BEHIND if target_year <= today.year else ON_TRACK
    start = Decimal(str(figure.value_for(target_year - 1))) if figure.cumulative else 0
    elapsed = Decimal(today.timetuple().tm_yday) / Decimal(366 if today.year % 4 == 0 else 365)
    return ON_TRACK if value >= start + (target - start) * elapsed else BEHIND


def focus_area_from(value) -> FocusArea | None:
    if value is None or value == "" or isinstance(value, FocusArea):
        return value or None
    return FocusArea.objects.filter(slug=value).first()


def key_figures(*, focus_area=None, year: int | None = None) -> list[Figure]:
    """The public key figures (a FocusArea or its slug; a year), in the page's order, with
    their targets. Cached per language and filter (cache.py)."""
    focus = focus_area_from(focus_area)
    key = cache.key("figures", active_language(), focus.slug if focus else "", year or "")
    figures = cache.get(key)
    if figures is None:
        figures = _compute(focus, year)
        cache.put(key, figures)
    _attach_targets(figures, year)
    return figures


def figure(key: str, *, focus_area=None, year: int | None = None) -> Figure | None:
    return next((f for f in key_figures(focus_area=focus_area, year=year) if f.key == key),
                None)

