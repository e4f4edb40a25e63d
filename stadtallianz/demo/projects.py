"""Demo projects for `stadtallianz demo` (runs after the ideas' demo): twenty German projects in
every phase. Ten come from the accepted demo ideas (the ideas' demo made them through
`create_from_idea`; here they get their consortium, dates, milestones, results, updates, budget
and places); ten more are started by partner organisations or working groups.

Idempotent: a project is enriched only while it has no consortium and no milestones, and a
standalone project is created only if its title is not there yet. Seed data, written with the ORM
(the progress computed by the service's own function).
"""

from datetime import timedelta
from decimal import Decimal

from stadtallianz.core.models import (
    FocusArea,
    Principle,
    SDGTarget,
    SustainableDevelopmentGoal,
)
from stadtallianz.core.slugs import unique_slug
from stadtallianz.partners.models import Organisation
from stadtallianz.projects import services
from stadtallianz.projects.models import (
    BudgetLine,
    ConsortiumMember,
    Milestone,
    PhasePeriod,
    Project,
    ProjectPlace,
    ProjectSDG,
    ProjectUpdate,
    Result,
)
from stadtallianz.workinggroups.models import WorkingGroup

from . import datafiles

P = Project.Phase
PHASE_ORDER = [P.CONCEPT, P.PREPARATION, P.PILOT, P.EVALUATION, P.ROLLOUT, P.COMPLETED]
# How far the results are, by phase (percent of the first, second and third result).
PROGRESS = {P.CONCEPT: (10, 0, 0), P.PREPARATION: (60, 20, 0), P.PILOT: (100, 50, 20),
            P.EVALUATION: (100, 80, 40), P.ROLLOUT: (100, 100, 70),
            P.COMPLETED: (100, 100, 100), P.STOPPED: (100, 30, 0)}


def _street(index: int) -> tuple[float, float]:
    """Latitude and longitude of a demo street."""
    street = datafiles.load("alliance")["streets"][index]
    return street["latitude"], street["longitude"]


def _square(street: int, size: float = 0.002) -> dict:
    """A small area (a closed ring) around a demo street."""
    lat, lon = _street(street)
    ring = [[lon - size, lat - size], [lon + size, lat - size], [lon + size, lat + size],
            [lon - size, lat + size], [lon - size, lat - size]]
    return {"type": "Polygon", "coordinates": [ring]}


def _point(street: int) -> dict:
    lat, lon = _street(street)
    return {"type": "Point", "coordinates": [lon, lat]}


# data/projects.json: "projects" [{key (an idea's title, or the project's own German title),
# title_en, summary, summary_en, phase, lead (organisation slug or null),
# partners [{organisation, role}], working_group, focus_areas and principles (standalone
# projects only), sdg_targets (codes),
# places [{name, street (index into the alliance's streets), area (else a point)}], results,
# milestones, budget [{source, label, amount}]}]
PROJECTS = datafiles.load("projects")["projects"]


def _organisation(slug):
    return Organisation.objects.filter(slug=slug).first() if slug else None


def _enrich(project: Project, spec, *, now) -> None:
    title_en, summary, lead = spec["title_en"], spec["summary"], spec["lead"]
    phase = P(spec["phase"])  # a member: PROGRESS is keyed by them
    partners, targets, places = spec["partners"], spec["sdg_targets"], spec["places"]
    results, milestones, budget = spec["results"], spec["milestones"], spec["budget"]
    project.title_en, project.summary_de, project.phase = title_en, summary, phase
    project.summary_en = spec["summary_en"]
    project.save(update_fields=["title_en", "summary_de", "summary_en", "phase"])
    lead_org = _organisation(lead)
    if lead_org is not None:
        ConsortiumMember.objects.create(project=project, organisation=lead_org,
                                        role=ConsortiumMember.Role.LEAD,
                                        state=ConsortiumMember.State.ACCEPTED, responded_at=now)
    for index, partner in enumerate(partners):
        organisation, role = _organisation(partner["organisation"]), partner["role"]
        if organisation is None:
            continue
        # The last partner of a project in its first phases has not answered yet.
        invited = index == len(partners) - 1 and phase in (P.CONCEPT, P.PREPARATION)
        ConsortiumMember.objects.create(
            project=project, organisation=organisation, role=role,
            state=ConsortiumMember.State.INVITED if invited else ConsortiumMember.State.ACCEPTED,
            responded_at=None if invited else now)
    # Phase dates: each phase up to the current one took about four months.
    reached = PHASE_ORDER.index(phase) if phase in PHASE_ORDER else 2
    start = (now - timedelta(days=120 * (reached + 1))).date()
    for step in range(reached + 1):
        phase_here = PHASE_ORDER[step] if step < reached or phase != P.STOPPED else P.STOPPED
        end = start + timedelta(days=119) if step < reached else None
        PhasePeriod.objects.update_or_create(project=project, phase=phase_here,
                                             defaults={"start": start, "end": end})
        start += timedelta(days=120)
    shares = PROGRESS[phase]
    for position, title in enumerate(results):
        progress = shares[position] if position < len(shares) else 0
        state = (Result.State.COMPLETED if progress == 100 else Result.State.IN_PROGRESS
                 if progress else Result.State.PLANNED)
        if phase == P.STOPPED and progress < 100:
            state = Result.State.CANCELLED
        Result.objects.create(project=project, title=title, progress=progress, state=state,
                              position=position)
    for index, title in enumerate(milestones):
        due = (now + timedelta(days=90 * (index - len(milestones) // 2 - reached // 2))).date()
        done = due < now.date()
        Milestone.objects.create(
            project=project, title=title, due=due,
            state=(Milestone.State.DONE if done else Milestone.State.OPEN) if phase != P.STOPPED
            or not done else Milestone.State.MISSED,
            done_at=due if done and phase != P.STOPPED else None)
    for line in budget:
        BudgetLine.objects.create(project=project, source=line["source"], label=line["label"],
                                  amount=Decimal(line["amount"]))
    for place in places:
        street = place["street"]
        ProjectPlace.objects.get_or_create(
            project=project, name=place["name"],
            defaults={"geometry": _square(street) if place["area"] else _point(street)})
    for code in targets:
        target = SDGTarget.objects.filter(code=code).select_related("goal").first()
        if target is not None:
            ProjectSDG.objects.filter(project=project, goal=target.goal,
                                      target__isnull=True).delete()
            ProjectSDG.objects.get_or_create(project=project, goal=target.goal, target=target)
    author = None
    if lead_org is not None:
        first = lead_org.memberships.select_related("user").first()
        author = first.user if first else None
    ProjectUpdate.objects.create(
        project=project, author=author, title="Projektstart",
        body=f"Das Projekt **{project.title_de}** ist gestartet. {summary}",
        published_at=now - timedelta(days=120 * reached + 30))
    if reached:
        ProjectUpdate.objects.create(
            project=project, author=author, title=f"Jetzt in der Phase „{P(phase).label}“",
            body="Wir haben die nächste Phase erreicht. Danke an alle Beteiligten!",
            published_at=now - timedelta(days=20))
    services.refresh_progress(project)


def load(*, now) -> int:
    """Creates what is missing and returns how many projects it created."""
    created = 0
    for spec in PROJECTS:
        key, group_slug = spec["key"], spec["working_group"]
        project = (Project.objects.filter(origin_idea__title=key).first()
                   or Project.objects.filter(title_de=key).first())
        if project is None:
            group = WorkingGroup.objects.filter(slug=group_slug).first() if group_slug else None
            if group is None and spec["lead"] is None:
                continue
            project = Project.objects.create(
                title_de=key, slug=unique_slug(Project.objects.all(), key, fallback="projekt",
                                               reserved=services.RESERVED_SLUGS),
                description_de=f"## Worum es geht\n\n{spec['summary']}\n\n## Wie wir vorgehen\n\n"
                               "Wir arbeiten in Phasen und berichten hier über jeden Schritt.",
                working_group=group)
            project.focus_areas.set(FocusArea.objects.filter(slug__in=spec["focus_areas"]))
            project.principles.set(Principle.objects.filter(number__in=spec["principles"]))
            ProjectSDG.objects.bulk_create(
                ProjectSDG(project=project, goal=goal) for goal in
                SustainableDevelopmentGoal.objects.filter(
                    number__in={int(code.split(".")[0]) for code in spec["sdg_targets"]}))
            created += 1
        if project.consortium.exists() or project.milestones.exists():
            continue
        _enrich(project, spec, now=now)
    return created
