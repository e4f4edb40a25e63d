"""Changes to funding applications. Each is one transaction that checks the permission
(permissions.py), validates (a ValidationError naming the field, `Conflict` when the state
forbids it), writes and records an audit entry (`proposals.*`), so pages and API cannot differ.

States: planned → in preparation → submitted → granted | rejected; withdrawn from any open
state; one step back from "in preparation" to "planned". Granted only with a grant record
(`grant_record`), which carries the budget into the project. The budget and the consortium are
fixed once the application is submitted.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.office import with_office
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge import services as knowledge_services
from stadtallianz.knowledge.models import Document
from stadtallianz.knowledge.storage import private_storage
from stadtallianz.notifications.services import notify
from stadtallianz.partners.models import Organisation
from stadtallianz.projects import permissions as project_permissions
from stadtallianz.projects import services as project_services
from stadtallianz.projects.models import BudgetLine as ProjectBudgetLine
from stadtallianz.projects.models import Project

from . import checks, permissions
from .models import (
    Application,
    ApplicationDocument,
    ApplicationMember,
    BudgetLine,
    ChecklistItem,
    Grant,
    StateChange,
)

S = Application.State
# The states an application may move to by `application_transition` (granted: grant_record).
TRANSITIONS = {
    S.PLANNED: (S.IN_PREPARATION, S.WITHDRAWN),
    S.IN_PREPARATION: (S.SUBMITTED, S.PLANNED, S.WITHDRAWN),
    S.SUBMITTED: (S.GRANTED, S.REJECTED, S.WITHDRAWN),
    S.GRANTED: (),
    S.REJECTED: (),
    S.WITHDRAWN: (),
}
# While these, the consortium and the budget may change; after submission they are what the
# funder received.
EDITABLE_STATES = (S.PLANNED, S.IN_PREPARATION)
# The checklist a new application starts with, when its call brings none of its own.
DEFAULT_CHECKLIST = [
    gettext_noop("Read the call text and the funding guidelines"),
    gettext_noop("Agree on the consortium and the roles"),
    gettext_noop("Project outline or description of the work"),
    gettext_noop("Budget of every partner agreed"),
    gettext_noop("Letters of commitment of the partners"),
    gettext_noop("Cooperation agreement drafted"),
    gettext_noop("Signatures of the partners"),
]
MAX_CHECKLIST_ITEMS = 100
APPLICATION_FIELDS = ["title", "published"]


def next_states(application: Application) -> tuple:
    return TRANSITIONS[S(application.state)]


def _lock(application: Application) -> Application:
    """The application as stored now, locked; 404 when it was deleted meanwhile (locked before
    the permission is asked, which would otherwise answer 403 for what is gone)."""
    current = (Application.objects.select_for_update(of=("self",)).select_related("call")
               .filter(pk=application.pk).first())
    if current is None:
        raise Http404
    return current


def _require(allowed: bool, message) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_editable(application: Application) -> None:
    if application.state not in EDITABLE_STATES:
        raise Conflict(_("The application has been submitted: its consortium and budget no "
                         "longer change."), code="submitted")


def _refused(field: str, message, code: str) -> ValidationError:
    """A refusal naming `field`, with a code the API passes on as the error's type."""
    return ValidationError({field: ValidationError(message, code=code)})


def _raise_problems(problems) -> None:
    """The budget checks' problems as one ValidationError, by field."""
    errors: dict[str, list] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(
            ValidationError(problem.message, code="budget"))
    if errors:
        raise ValidationError(errors)


def consortium_people(application: Application):
    """The active people of the member organisations (the ones told about state changes)."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation__application_memberships__application=application,
    ).distinct().order_by("pk")


def _notify_consortium(application: Application, change: StateChange, actor) -> None:
    for person in consortium_people(application):
        if person.pk == getattr(actor, "pk", None):
            continue
        notify(person, kind="application-state", key=f"application-state:{change.pk}",
               template="proposals/notifications/state_changed",
               context={"application": application,
                        "state": S(change.to_state).label},
               url=application.get_absolute_url)


def checklist_texts(call) -> list[str]:
    """The call's own checklist (funding: one item per line), else the usual steps."""
    own = call.checklist_items
    if own:
        return [text[:300] for text in own]
    with translation.override(settings.LANGUAGE_CODE):
        return [gettext(text) for text in DEFAULT_CHECKLIST]


# ---------------------------------------------------------------------------------------------
# The application


@transaction.atomic
def application_create(*, actor, call, organisation: Organisation, title: str,
                       project: Project | None = None, idea: Idea | None = None) -> Application:
    """An application of `organisation` (its coordinator) to `call`, for a project the actor's
    team carries or for an idea. Starts "planned", with the call's checklist."""
    _require(permissions.coordinator_organisations(actor).filter(pk=organisation.pk).exists(),
             _("Only the administrators of a public partner organisation start an application "
               "it coordinates."))
    if (project is None) == (idea is None):
        raise _refused("project", _(
            "An application is for a project or for an idea: choose exactly one."),
            "project_or_idea")
    if project is not None and not project_permissions.can_edit(actor, project):
        raise _refused("project", _(
            "You can only apply for a project whose team you are in."), "not_team")
    if idea is not None:
        if not Idea.objects.listed_for(actor).filter(pk=idea.pk).exists():
            raise _refused("idea", _("Choose an idea."), "invalid")
        if Project.objects.filter(origin_idea=idea).exists():
            raise _refused("idea", _(
                "This idea has become a project: apply for the project."), "has_project")
    if getattr(call, "state", "") == "closed":
        raise _refused("call", _("The call is closed."), "closed")
    application = Application(call=call, project=project, idea=idea, title=title,
                              created_by=actor)
    application.full_clean()
    application.save()
    ApplicationMember.objects.create(application=application, organisation=organisation,
                                     role=ApplicationMember.Role.COORDINATOR)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(application=application, text=text, position=index)
        for index, text in enumerate(checklist_texts(call)))
    StateChange.objects.create(application=application, to_state=S.PLANNED,
                               on=timezone.localdate(), changed_by=actor)
    audit_log(actor=actor, action="proposals.application.created", target=application,
              after={"call": call.pk, "project": getattr(project, "pk", None),
                     "idea": getattr(idea, "pk", None), "coordinator": organisation.pk})
    return application


@transaction.atomic
def application_update(*, actor, application: Application, data: dict) -> Application:
    """Title and `published`."""
    current = _lock(application)
    _require(permissions.can_manage(actor, application),
             _("Only the coordinator's administrators change the application."))
    fields = {k: v for k, v in data.items() if k in APPLICATION_FIELDS}
    before = snapshot(current, list(fields))
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    audit_log(actor=actor, action="proposals.application.changed", target=current,
              before=before, after=snapshot(current, list(fields)))
    application.__dict__.update({k: v for k, v in current.__dict__.items()
                                 if not k.startswith("_")})
    return current


def _check_transition(application: Application, state: str) -> None:
    if state not in S.values:
        raise _refused("state", _("Choose a state."), "invalid")
    if state == S.GRANTED and state in next_states(application):
        raise _refused("state", _(
            "An application becomes granted when its grant is recorded (amount, reference, "
            "period)."), "grant_required")
    if state not in next_states(application):
        raise _refused("state", _(
            "An application cannot go from “%(old)s” to “%(new)s”.") % {
            "old": S(application.state).label, "new": S(state).label}, "transition")


def _check_date(on: date, application: Application) -> None:
    if on > timezone.localdate():
        raise _refused("on", _("The date cannot be in the future."), "future")
    last = application.state_changes.order_by("-on").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise _refused("on", _(
            "The date cannot be before the application's last change (%(date)s).")
            % {"date": last.isoformat()}, "before_last")


def _record_change(application, old, new, on, actor) -> StateChange:
    change = StateChange(application=application, from_state=old, to_state=new, on=on,
                         changed_by=actor)
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def application_transition(*, actor, application: Application, state: str,
                           on: date | None = None) -> Application:
    """Moves the application to `state` (on `on`, default today). Submitting checks the budget
    against the call in full (its minimum too). The consortium's people are told."""
    current = _lock(application)
    _require(permissions.can_manage(actor, application),
             _("Only the coordinator's administrators change the application's state."))
    _check_transition(current, state)
    on = on or timezone.localdate()
    _check_date(on, current)
    if state == S.SUBMITTED:
        _raise_problems(checks.budget_problems(current, submitting=True))
        current.submitted_on = on
    old = current.state
    current.state = state
    current.save(update_fields=["state", "submitted_on", "updated_at"])
    change = _record_change(current, old, state, on, actor)
    audit_log(actor=actor, action="proposals.application.state_changed", target=current,
              before={"state": old}, after={"state": state, "on": on.isoformat()})
    _notify_consortium(current, change, actor)
    application.__dict__.update({k: v for k, v in current.__dict__.items()
                                 if not k.startswith("_")})
    return current


# ---------------------------------------------------------------------------------------------
# The consortium


@transaction.atomic
def member_add(*, actor, application: Application, organisation: Organisation,
               role: str) -> ApplicationMember:
    current = _lock(application)
    _require(permissions.can_manage(actor, application),
             _("Only the coordinator's administrators change the consortium."))
    _require_editable(current)
    if role not in ApplicationMember.Role.values:
        raise _refused("role", _("Choose a role."), "invalid")
    if role == ApplicationMember.Role.COORDINATOR:
        raise _refused("role", _(
            "The application has its coordinator; add the organisation as partner, associated "
            "partner or subcontractor."), "one_coordinator")
    if not Organisation.objects.public().filter(pk=organisation.pk).exists():
        raise _refused("organisation", _(
            "Only public partner organisations can be invited."), "not_public")
    if ApplicationMember.objects.filter(application=current, organisation=organisation).exists():
        raise _refused("organisation", _(
            "This organisation is already in the consortium."), "unique")
    member = ApplicationMember.objects.create(application=current, organisation=organisation,
                                              role=role)
    _raise_problems(checks.budget_problems(current))  # an ineligible type is refused
    audit_log(actor=actor, action="proposals.member.added", target=current,
              after={"organisation": organisation.pk, "role": role})
    return member


@transaction.atomic
def member_remove(*, actor, member: ApplicationMember) -> None:
    """Removes an organisation and its budget; the coordinator stays."""
    _require(permissions.can_manage(actor, member.application),
             _("Only the coordinator's administrators change the consortium."))
    _require_editable(_lock(member.application))
    if member.role == ApplicationMember.Role.COORDINATOR:
        raise Conflict(_("The coordinator cannot be removed."), code="coordinator")
    audit_log(actor=actor, action="proposals.member.removed", target=member.application,
              before={"organisation": member.organisation_id, "role": member.role})
    member.delete()


# ---------------------------------------------------------------------------------------------
# The budget


def _line_values(category: str, values: dict) -> dict:
    """amount and requested as given; own_contribution is their difference (when given, it
    must be that difference)."""
    amount, requested = values.get("amount"), values.get("requested")
    errors = {}
    for name, value in (("amount", amount), ("requested", requested)):
        if value is None:
            errors[name] = ValidationError(_("Give an amount."), code="required")
        elif Decimal(value) < 0:
            errors[name] = ValidationError(_("An amount cannot be negative."), code="negative")
    if errors:
        raise ValidationError(errors)
    amount, requested = Decimal(amount), Decimal(requested)
    if requested > amount:
        raise _refused("requested", _(
            "%(category)s: the requested funding cannot exceed the amount.")
            % {"category": BudgetLine.Category(category).label}, "over_amount")
    own = amount - requested
    given_own = values.get("own_contribution")
    if given_own is not None and Decimal(given_own) != own:
        raise _refused("own_contribution", _(
            "%(category)s: the own contribution is the amount less the requested funding "
            "(%(own)s).") % {"category": BudgetLine.Category(category).label,
                             "own": checks.euro(own)}, "sum")
    return {"amount": amount, "requested": requested, "own_contribution": own}


@transaction.atomic
def budget_save(*, actor, member: ApplicationMember, lines: dict) -> list[BudgetLine]:
    """Replaces a member's budget: `lines` maps a cost category to its `amount` and
    `requested` funding (and optionally `own_contribution`, which must be the difference). A
    category with amount 0 is left out. The whole application's budget is then held against
    the call; a problem refuses all of it."""
    application = _lock(member.application)
    if not ApplicationMember.objects.filter(pk=member.pk).exists():
        raise Http404  # removed from the consortium meanwhile
    _require(permissions.can_edit_budget(actor, member),
             _("Only the organisation's or the coordinator's administrators change this "
               "budget."))
    _require_editable(application)
    unknown = sorted(set(lines) - set(BudgetLine.Category.values))
    if unknown:
        raise _refused("category", _("Unknown cost category: %(name)s.")
                               % {"name": ", ".join(unknown)}, "invalid")
    values = {category: _line_values(category, given) for category, given in lines.items()}
    before = {line.category: str(line.requested) for line in member.budget_lines.all()}
    member.budget_lines.all().delete()
    saved = []
    for category in BudgetLine.Category.values:
        if category in values and values[category]["amount"] > 0:
            line = BudgetLine(member=member, category=category, **values[category])
            line.full_clean()
            saved.append(line)
    BudgetLine.objects.bulk_create(saved)
    _raise_problems(checks.budget_problems(application))
    audit_log(actor=actor, action="proposals.budget.saved", target=application,
              before={"organisation": member.organisation_id, "requested": before},
              after={"organisation": member.organisation_id,
                     "requested": {line.category: str(line.requested) for line in saved}})
    return saved


# ---------------------------------------------------------------------------------------------
# Checklist and documents


@transaction.atomic
def checklist_add(*, actor, application: Application, text: str) -> ChecklistItem:
    current = _lock(application)
    _require(permissions.can_work_on(actor, application),
             _("Only the consortium works on the application."))
    if current.checklist.count() >= MAX_CHECKLIST_ITEMS:
        raise Conflict(_("A checklist has at most %(max)s items.")
                       % {"max": MAX_CHECKLIST_ITEMS}, code="limit")
    last = current.checklist.order_by("-position").values_list("position", flat=True).first()
    item = ChecklistItem(application=current, text=text,
                         position=0 if last is None else last + 1)
    item.full_clean()
    item.save()
    audit_log(actor=actor, action="proposals.checklist.added", target=current,
              after={"item": item.pk, "text": text})
    return item


@transaction.atomic
def checklist_set_done(*, actor, item: ChecklistItem, done: bool) -> ChecklistItem:
    _require(permissions.can_work_on(actor, item.application),
             _("Only the consortium works on the application."))
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    item.done = done
    item.done_by, item.done_at = (actor, timezone.now()) if done else (None, None)
    item.save()
    audit_log(actor=actor, action="proposals.checklist.changed", target=item.application,
              after={"item": item.pk, "done": done})
    return item


@transaction.atomic
def checklist_remove(*, actor, item: ChecklistItem) -> None:
    _require(permissions.can_manage(actor, item.application),
             _("Only the coordinator's administrators change the application."))
    audit_log(actor=actor, action="proposals.checklist.removed", target=item.application,
              before={"item": item.pk, "text": item.text})
    item.delete()


def document_upload(*, actor, application: Application, data: dict, upload
                    ) -> ApplicationDocument:
    """Uploads a document for the consortium: a private knowledge document (read by the
    consortium's people and the office, `private_document_readers`) and its link, in one
    transaction. The file is checked by its content and size as knowledge checks every upload;
    a refused file leaves neither row nor file."""
    _require(permissions.can_upload_document(actor, application),
             _("Only the consortium works on the application."))
    written = []
    try:
        with transaction.atomic():
            current = _lock(application)
            document = knowledge_services.private_document_create(by=actor, data=data,
                                                                  upload=upload)
            written = list(document.versions.values_list("file", flat=True))
            link = ApplicationDocument.objects.create(application=current, document=document,
                                                      added_by=actor)
            audit_log(actor=actor, action="proposals.document.uploaded", target=current,
                      after={"document": document.pk, "title": document.title})
    except Exception:
        # Knowledge removes its file when its own block fails; after it, this does.
        for name in written:
            private_storage().delete(name)
        raise
    return link


@transaction.atomic
def document_link(*, actor, application: Application, document: Document
                  ) -> ApplicationDocument:
    """Links a working group's members-only document the actor may open. Public documents are
    refused (an application's documents are the consortium's), and so are private ones:
    linking another application's document would share it with this consortium."""
    _require(permissions.can_work_on(actor, application),
             _("Only the consortium works on the application."))
    if not Document.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise _refused("document", _("Choose a document."), "invalid")
    if document.visibility == Document.Visibility.PUBLIC:
        raise _refused("document", _(
            "Link a document for members only: an application's documents are the "
            "consortium's."), "public")
    if document.visibility == Document.Visibility.PRIVATE:
        raise _refused("document", _("Choose a document."), "invalid")
    try:
        with transaction.atomic():
            link = ApplicationDocument.objects.create(application=application,
                                                      document=document, added_by=actor)
    except IntegrityError as error:
        raise _refused("document", _("The document is linked already."), "unique") from error
    audit_log(actor=actor, action="proposals.document.linked", target=application,
              after={"document": document.pk})
    return link


@transaction.atomic
def document_unlink(*, actor, link: ApplicationDocument) -> None:
    """Removes a link; a document uploaded for the application (private, linked nowhere else)
    is deleted with its files, since nobody else would read it."""
    _require(permissions.can_work_on(actor, link.application),
             _("Only the consortium works on the application."))
    audit_log(actor=actor, action="proposals.document.unlinked", target=link.application,
              before={"document": link.document_id})
    document = link.document
    if (document.visibility == Document.Visibility.PRIVATE
            and not document.application_links.exclude(pk=link.pk).exists()):
        # Deleted while the actor still reads it through the link; the link goes with it.
        knowledge_services.document_delete(document=document, by=actor)
    else:
        link.delete()


def private_document_readers(user):
    """Knowledge's question (`knowledge.access.register_private_readers`): the private
    documents `user` reads, those of the applications whose confidential part they see."""
    return ApplicationDocument.objects.filter(
        application__in=Application.objects.confidential_for(user).values("pk"),
        document__visibility=Document.Visibility.PRIVATE).values("document_id")


# ---------------------------------------------------------------------------------------------
# The grant


def _shares(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, in cents, summing to `total` exactly (the
    rounding rest goes to the largest share)."""
    whole = sum(weights, Decimal("0"))
    if not weights or whole == 0:
        return [Decimal("0") for _weight in weights]
    shares = [(total * weight / whole).quantize(checks.CENT, rounding=ROUND_HALF_UP)
              for weight in weights]
    largest = max(range(len(shares)), key=lambda index: weights[index])
    shares[largest] += total - sum(shares, Decimal("0"))
    return shares


def carry_budget(*, actor, application: Application, grant: Grant, project: Project) -> None:
    """The project's budget gets the grant, split among the members in proportion to the
    funding they requested (source "funding"), and each member's own contribution (source
    "own"), through the projects app's own service. A project's budget is public: what it
    gets is each member's total as granted, as public funding registers (the Förderkatalog)
    publish it; the budget by cost category, the sums requested and the grant's reference
    stay with the application, for the consortium and the office."""
    totals = [entry for entry in checks.member_totals(application)
              if entry.requested or entry.own_contribution]
    funded = [entry for entry in totals if entry.requested > 0]
    shares = _shares(grant.amount, [entry.requested for entry in funded])
    with translation.override(settings.LANGUAGE_CODE):
        call_title = str(application.call)
        rows = [(ProjectBudgetLine.Source.FUNDING, gettext(
            "%(organisation)s: funding %(call)s") % {
            "organisation": entry.member.organisation.name, "call": call_title}, share)
            for entry, share in zip(funded, shares, strict=True)]
        rows += [(ProjectBudgetLine.Source.OWN, gettext(
            "%(organisation)s: own contribution to %(call)s") % {
            "organisation": entry.member.organisation.name, "call": call_title},
            entry.own_contribution) for entry in totals if entry.own_contribution > 0]
    for source, label, amount in rows:
        project_services.save_part(
            project=project, actor=actor, instance=ProjectBudgetLine(project=project),
            data={"source": source, "label": label[:200], "amount": amount, "currency": "EUR"})


@transaction.atomic
def grant_record(*, actor, application: Application, amount, reference: str, starts_on: date,
                 ends_on: date, on: date | None = None) -> Grant:
    """Records the grant of a submitted application: it becomes granted (on `on`, default
    today) and its budget is carried into the project. An application for an idea is moved to
    the project the idea has become; an idea without a project cannot take a grant yet."""
    current = _lock(application)
    _require(permissions.can_record_grant(actor, application),
             with_office(_("Only the %(office)s, or the coordinator's administrators in the "
                           "project's team, record a grant.")))
    if current.state != S.SUBMITTED:
        raise Conflict(_("Only a submitted application can be granted."), code="state")
    project = current.project or Project.objects.filter(origin_idea_id=current.idea_id).first()
    if project is None:
        raise Conflict(_("The idea has not become a project yet; a grant is carried into a "
                         "project."), code="no_project")
    on = on or timezone.localdate()
    _check_date(on, current)
    grant = Grant(application=current, amount=amount, reference=reference,
                  starts_on=starts_on, ends_on=ends_on, recorded_by=actor)
    grant.full_clean()
    grant.save()
    current.project, current.idea = project, None
    current.state = S.GRANTED
    current.save(update_fields=["project", "idea", "state", "updated_at"])
    change = _record_change(current, S.SUBMITTED, S.GRANTED, on, actor)
    carry_budget(actor=actor, application=current, grant=grant, project=project)
    audit_log(actor=actor, action="proposals.application.granted", target=current,
              before={"state": S.SUBMITTED},
              after={"state": S.GRANTED, "amount": str(grant.amount),
                     "reference": grant.reference, "project": project.pk})
    _notify_consortium(current, change, actor)
    application.__dict__.update({k: v for k, v in current.__dict__.items()
                                 if not k.startswith("_")})
    return grant


# ---------------------------------------------------------------------------------------------
# Answers to lower apps


OPEN_STATES = (S.PLANNED, S.IN_PREPARATION, S.SUBMITTED)


def consortium_deadline_recipients(sender, call, deadline, **kwargs):
    """The answer to funding's `deadline_recipients` (connected in apps.py): the people of
    the consortia whose application to the call is still open (a submitted one too: a
    two-stage call's second deadline concerns it)."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation__application_memberships__application__call=call,
        memberships__organisation__application_memberships__application__state__in=OPEN_STATES,
    ).distinct()
