"""Changes to projects. Each is one transaction with an audit entry (`project.*`) and checks the
permission itself, so the pages and the API cannot differ.

Project edits use optimistic locking: the caller passes the `version` it started from; the row is
updated only if it still has that version (`filter(pk=…, version=…).update(…)`, race-free), else
EditConflict tells what is stored now.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.signals import content_changed
from stadtallianz.core.slugs import unique_slug
from stadtallianz.notifications.services import notify
from stadtallianz.partners.models import Membership, Organisation

from . import permissions
from .models import (
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

PROJECT_FIELDS = ["title_de", "title_en", "summary_de", "summary_en", "description_de",
                  "description_en", "phase", "working_group"]
# The working group is chosen at creation and stays: it decides who leads the project.
EDIT_FIELDS = [name for name in PROJECT_FIELDS if name != "working_group"]
PROJECT_RELATIONS = ["focus_areas", "principles"]
# A completed or stopped project is closed: its phase stays (a restart is a new project).
CLOSED_PHASES = {Project.Phase.COMPLETED, Project.Phase.STOPPED}
# The phases in their order. A project moves forward to any later phase (skipping is allowed:
# not every project needs a pilot), one step back to correct a mistake or after a failed
# pilot, and from any open phase to "stopped"; completed and stopped are final.
PHASE_ORDER = [Project.Phase.CONCEPT, Project.Phase.PREPARATION, Project.Phase.PILOT,
               Project.Phase.EVALUATION, Project.Phase.ROLLOUT, Project.Phase.COMPLETED]
# A new project has not been completed or stopped yet, nor evaluated anything.
START_PHASES = [Project.Phase.CONCEPT, Project.Phase.PREPARATION, Project.Phase.PILOT]
RESERVED_SLUGS = frozenset({"new", "map", "export", "geojson"})
CHILD_ACTIONS = {Milestone: "milestone", ProjectUpdate: "update", Result: "result",
                 BudgetLine: "budget_line", ProjectPlace: "place", ProjectSDG: "sdg",
                 PhasePeriod: "phase_period"}
# How many of each part one project may have: generous for real projects (a project page with
# more is unreadable), small enough that one project cannot flood its page, the API and the map
# of all projects. Phase periods need no cap: one per phase (a unique constraint).
PART_LIMITS = {ProjectPlace: 20, Milestone: 100, ProjectUpdate: 200, BudgetLine: 100,
               Result: 100, ProjectSDG: 50}


class EditConflict(Exception):
    """Someone saved the project since the editor loaded it."""

    def __init__(self, project: Project, fields: list[str]):
        super().__init__("version conflict")
        self.project = project  # as stored now
        self.fields = fields  # the fields whose stored value differs from what was sent


def _require_edit(actor, project: Project) -> None:
    if not permissions.can_edit(actor, project):
        raise PermissionDenied(_("Only the project's team changes it."))


def _slug(title: str) -> str:
    return unique_slug(Project.objects.all(), title, fallback="projekt",
                       reserved=RESERVED_SLUGS)


def _project_snapshot(project: Project) -> dict:
    data = snapshot(project, [f if f != "working_group" else "working_group_id"
                              for f in PROJECT_FIELDS])
    if project.pk:
        for name in PROJECT_RELATIONS:
            data[name] = sorted(getattr(project, name).values_list("pk", flat=True))
    return data


def phase_change_allowed(old: str, new: str) -> bool:
    if old == new:
        return True
    if old in CLOSED_PHASES:
        return False
    if new == Project.Phase.STOPPED:
        return True
    return PHASE_ORDER.index(new) >= PHASE_ORDER.index(old) - 1


def _check_phase(old: str, new: str) -> None:
    if old != new and old in CLOSED_PHASES:
        raise ValidationError({"phase": _(
            "A completed or stopped project is closed; its phase cannot change any more.")},
            code="closed")
    if not phase_change_allowed(old, new):
        raise ValidationError({"phase": _(
            "A project cannot go back from “%(old)s” to “%(new)s”: it moves forward to any "
            "later phase, or one phase back.") % {"old": Project.Phase(old).label,
                                                   "new": Project.Phase(new).label}},
            code="transition")


def _check_start_phase(phase: str) -> None:
    if phase not in START_PHASES:
        raise ValidationError({"phase": _(
            "A new project starts in concept, preparation or pilot, not in “%(phase)s”.")
            % {"phase": Project.Phase(phase).label}}, code="start")


def _record_phase_change(project: Project, old: str, new: str) -> None:
    """The timeline follows the phase: the old phase's open period ends today, the new phase
    gets a period from today (unless the team has entered its dates already)."""
    today = timezone.localdate()
    PhasePeriod.objects.filter(project=project, phase=old, end__isnull=True,
                               start__lte=today).update(end=today)
    PhasePeriod.objects.get_or_create(project=project, phase=new, defaults={"start": today})


@transaction.atomic
def create_project(*, actor, data: dict, organisation=None, group=None,
                   relations: dict | None = None) -> Project:
    """A project of `organisation` (it becomes the accepted lead) or of `group`, or both.
    The creator must administer the (public) organisation, belong to the group, or be the
    coordination office."""
    if organisation is None and group is None:
        raise ValidationError({"organisation": _(
            "Choose the organisation or the working group the project belongs to.")})
    if organisation is not None and not permissions.creatable_organisations(actor).filter(
            pk=organisation.pk).exists():
        raise PermissionDenied(_("Only the administrators of a public partner organisation "
                                 "start a project it leads."))
    if group is not None and not permissions.creatable_groups(actor).filter(pk=group.pk).exists():
        raise PermissionDenied(_("You can only start projects for your own working group."))
    fields = {k: v for k, v in data.items() if k in PROJECT_FIELDS}
    fields["working_group"] = group
    if fields.get("phase") in Project.Phase.values:  # an unknown phase: full_clean names it
        _check_start_phase(fields["phase"])
    project = Project(created_by=actor, slug=_slug(fields.get("title_de") or "projekt"),
                      **fields)
    project.full_clean(exclude=["slug"])
    project.save()
    for name, values in (relations or {}).items():
        getattr(project, name).set(values)
    PhasePeriod.objects.create(project=project, phase=project.phase,
                               start=timezone.localdate())
    if organisation is not None:
        ConsortiumMember.objects.create(
            project=project, organisation=organisation, role=ConsortiumMember.Role.LEAD,
            state=ConsortiumMember.State.ACCEPTED, invited_by=actor,
            responded_at=timezone.now())
    audit_log(actor=actor, action="project.created", target=project,
              after={**_project_snapshot(project),
                     "lead": organisation.pk if organisation else None})
    return project


@transaction.atomic
def update_project(*, project: Project, actor, data: dict, version: int,
                   relations: dict | None = None) -> Project:
    """Saves the edit if the project still has `version`; else EditConflict."""
    _require_edit(actor, project)
    current = Project.objects.select_for_update().get(pk=project.pk)
    fields = {k: v for k, v in data.items() if k in EDIT_FIELDS}
    if current.version != version:
        differing = [k for k, v in fields.items() if getattr(current, k) != v]
        # The focus areas and principles sent are compared too: otherwise a stale form would
        # silently put back the ones someone else has just changed.
        differing += [name for name, values in (relations or {}).items()
                      if sorted(obj.pk for obj in values)
                      != sorted(getattr(current, name).values_list("pk", flat=True))]
        raise EditConflict(current, differing)
    _check_phase(current.phase, fields.get("phase", current.phase))
    before = _project_snapshot(current)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["slug"])
    updated = Project.objects.filter(pk=current.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now())
    if not updated:  # cannot happen under the row lock; kept as the last line of defence
        raise EditConflict(Project.objects.get(pk=current.pk), list(fields))
    if fields.get("phase", before["phase"]) != before["phase"]:
        _record_phase_change(current, before["phase"], fields["phase"])
    for name, values in (relations or {}).items():
        getattr(current, name).set(values)
    # update() sends no post_save: listeners (the search index) learn of the new texts here.
    content_changed.send(sender=Project, pks=[current.pk])
    current.refresh_from_db()
    audit_log(actor=actor, action="project.changed", target=current, before=before,
              after=_project_snapshot(current))
    project.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    return current


@transaction.atomic
def create_from_idea(idea, actor) -> Project:
    """The project an accepted idea becomes: it keeps the idea's title, text, focus areas,
    principles, SDGs, place and working group, and links back to it."""
    project = Project.objects.create(
        title_de=idea.title, slug=_slug(idea.title),
        description_de=idea.description, working_group=idea.working_group,
        origin_idea=idea, created_by=actor)
    project.focus_areas.set(idea.focus_areas.all())
    project.principles.set(idea.principles.all())
    PhasePeriod.objects.create(project=project, phase=project.phase,
                               start=timezone.localdate())
    ProjectSDG.objects.bulk_create(ProjectSDG(project=project, goal=goal)
                                   for goal in idea.sdgs.all())
    if idea.latitude is not None and idea.longitude is not None:
        ProjectPlace.objects.create(
            project=project, name=idea.place_name or idea.title[:200],
            geometry={"type": "Point",
                      "coordinates": [float(idea.longitude), float(idea.latitude)]})
    audit_log(actor=actor, action="project.created_from_idea", target=project,
              after={"idea": idea.pk})
    return project


def project_for_accepted_idea(sender, *, idea, by, **kwargs) -> Project:
    """The answer to ideas' `idea_accepted` (connected in apps.py): the accepted idea becomes a
    project in the decision's transaction."""
    return create_from_idea(idea, by)


# ---------------------------------------------------------------------------------------------
# The parts of a project: milestones, updates, results, budget lines, places, SDGs, phases


def refresh_progress(project: Project) -> None:
    """The project's progress: the mean of its results' (cancelled ones left out)."""
    mean = (Result.objects.filter(project=project).exclude(state=Result.State.CANCELLED)
            .aggregate(mean=Avg("progress"))["mean"])
    progress = None if mean is None else round(mean)
    Project.objects.filter(pk=project.pk).update(progress=progress)
    project.progress = progress


def _lock(project: Project) -> None:
    """Changes of a project's parts take turns: the progress (the mean of the results) is
    computed from what the previous change committed, and a cap on the number of parts
    counts every part."""
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk").first()


@transaction.atomic
def save_part(*, project: Project, actor, instance, data: dict):
    """Adds (instance without pk) or changes a milestone, update, result, budget line, place,
    SDG relation or phase period. The model's own checks (clean) decide what is valid."""
    _require_edit(actor, project)
    kind = CHILD_ACTIONS[type(instance)]
    if instance.pk and instance.project_id != project.pk:
        raise PermissionDenied
    _lock(project)
    if instance.pk and not type(instance).objects.filter(pk=instance.pk).exists():
        # Deleted by a change that ran meanwhile (deletes take the same lock): a 404, and
        # not brought back by this save, which would insert the row again.
        raise Http404
    limit = PART_LIMITS.get(type(instance))
    if (not instance.pk and limit is not None
            and type(instance).objects.filter(project=project).count() >= limit):
        raise Conflict(_(
            "A project has at most %(max)s %(things)s; delete one before adding another.")
            % {"max": limit, "things": type(instance)._meta.verbose_name_plural},
            code="limit")
    fields = list(data)
    before = snapshot(instance, fields) if instance.pk else None
    for name, value in data.items():
        setattr(instance, name, value)
    instance.project = project
    if isinstance(instance, ProjectUpdate) and not instance.pk:
        instance.author = actor
        instance.published_at = instance.published_at or timezone.now()
    instance.full_clean(exclude=["project"])
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:  # a unique constraint: say which field repeats
        if isinstance(instance, PhasePeriod):
            raise ValidationError({"phase": _(
                "This phase has its dates already; change them there.")}) from error
        if isinstance(instance, ProjectSDG):
            raise ValidationError({"target" if instance.target_id else "goal": _(
                "The project names this already.")}) from error
        raise Conflict(_("This is already there.")) from error
    if isinstance(instance, Result):
        refresh_progress(project)
    audit_log(actor=actor, action=f"project.{kind}.{'changed' if before else 'added'}",
              target=project, before=before,
              after={"id": instance.pk, **snapshot(instance, fields)})
    return instance


@transaction.atomic
def delete_part(*, project: Project, actor, instance) -> None:
    _require_edit(actor, project)
    if instance.project_id != project.pk:
        raise PermissionDenied
    kind = CHILD_ACTIONS[type(instance)]
    _lock(project)
    if not type(instance).objects.filter(pk=instance.pk).exists():
        # Deleted by a change that ran meanwhile (it took the same lock): a 404, and no
        # second record of a deletion that this request did not make.
        raise Http404
    audit_log(actor=actor, action=f"project.{kind}.deleted", target=project,
              before={"id": instance.pk, "name": str(instance)})
    instance.delete()
    if isinstance(instance, Result):
        refresh_progress(project)


def budget_totals(lines) -> list[tuple[str, Decimal]]:
    """Sums per currency (amounts in different currencies are never added up)."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, Decimal("0")) + line.amount
    return sorted(totals.items())


# ---------------------------------------------------------------------------------------------
# The consortium


def _notify_admins(member: ConsortiumMember, template: str, key: str) -> None:
    admins = [m.user for m in Membership.objects.filter(
        organisation_id=member.organisation_id, role=Membership.Role.ADMIN).select_related(
        "user")]
    for user in admins:
        notify(user, kind=f"project-{template.replace('_', '-')}", key=key,
               template=f"projects/notifications/{template}",
               context={"project": member.project, "organisation": member.organisation,
                        "role": member.get_role_display()},
               url=lambda: member.project.get_absolute_url() + "consortium/")


def can_invite_lead(project: Project) -> bool:
    """A project without a lead organisation (one from an idea, or a group's) may invite one;
    once a lead is accepted or invited, the lead role is taken."""
    return not ConsortiumMember.objects.filter(
        project=project, role=ConsortiumMember.Role.LEAD,
        state__in=[ConsortiumMember.State.ACCEPTED, ConsortiumMember.State.INVITED]).exists()


@transaction.atomic
def invite(*, project: Project, actor, organisation, role: str) -> ConsortiumMember:
    """Invites an organisation as partner, associated partner or (while the project has none)
    lead; its admins are told."""
    if not permissions.can_manage_consortium(actor, project):
        raise PermissionDenied(_("Only the lead organisation's admins manage the consortium."))
    if role == ConsortiumMember.Role.LEAD and not can_invite_lead(project):
        raise ValidationError({"role": _(
            "The project has a lead organisation or an open invitation to lead; invite as "
            "partner or associated partner.")})
    if role not in ConsortiumMember.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if not Organisation.objects.public().filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _(
            "Only public partner organisations can be invited.")}, code="not_public")
    member = ConsortiumMember.objects.filter(project=project, organisation=organisation).first()
    if member is not None and member.state != ConsortiumMember.State.DECLINED:
        raise ValidationError({"organisation": _(
            "This organisation is already in the consortium or invited.")})
    if member is None:
        member = ConsortiumMember(project=project, organisation=organisation)
    member.role, member.state = role, ConsortiumMember.State.INVITED
    member.invited_by, member.responded_at = actor, None
    member.save()
    audit_log(actor=actor, action="project.consortium.invited", target=project,
              after={"organisation": organisation.pk, "role": role})
    stamp = member.updated_at.isoformat()  # a renewed invitation is a new notification
    _notify_admins(member, "invited", key=f"project-invited:{member.pk}:{stamp}")
    return member


@transaction.atomic
def answer(*, member: ConsortiumMember, actor, accept: bool) -> ConsortiumMember:
    """The invited organisation's admins accept or decline; only an open invitation."""
    if not permissions.can_answer(actor, member):
        raise PermissionDenied(_("Only the invited organisation's admins answer the "
                                 "invitation."))
    # Locked and read again: removed meanwhile (the invitation withdrawn), it is a 404.
    member = get_object_or_404(ConsortiumMember.objects.select_for_update(), pk=member.pk)
    if member.state != ConsortiumMember.State.INVITED:
        raise Conflict(_("This invitation has already been answered."), code="answered")
    if accept and not Organisation.objects.public().filter(pk=member.organisation_id).exists():
        raise Conflict(_("Only a public partner organisation can join a consortium."),
                       code="not_public")
    member.state = (ConsortiumMember.State.ACCEPTED if accept
                    else ConsortiumMember.State.DECLINED)
    member.responded_at = timezone.now()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:  # the partial unique constraint: one accepted lead
        raise Conflict(_("The project has a lead organisation already."),
                       code="lead_taken") from error
    audit_log(actor=actor, action=f"project.consortium.{member.state}", target=member.project,
              after={"organisation": member.organisation_id, "role": member.role})
    return member


@transaction.atomic
def remove(*, member: ConsortiumMember, actor) -> None:
    """Removes an organisation (or withdraws its invitation, an invitation to lead too). The
    accepted lead cannot be removed: the project would lose the organisation responsible for
    it."""
    if not permissions.can_manage_consortium(actor, member.project):
        raise PermissionDenied(_("Only the lead organisation's admins manage the consortium."))
    # Locked and read again: answered or removed meanwhile, the decision is on current data.
    member = get_object_or_404(ConsortiumMember.objects.select_for_update(), pk=member.pk)
    if (member.role == ConsortiumMember.Role.LEAD
            and member.state == ConsortiumMember.State.ACCEPTED):
        raise Conflict(_("The lead organisation cannot be removed."), code="lead")
    audit_log(actor=actor, action="project.consortium.removed", target=member.project,
              before={"organisation": member.organisation_id, "role": member.role,
                      "state": member.state})
    member.delete()
