"""Demo joint applications for `stadtallianz demo` (runs after the projects' and the funding
calls' demos): eight applications of demo projects (one of an idea on its way to a project) in
every state, with consortia, budgets per member and cost category, checklists, their history,
and two grants carried into their projects.

Each application goes to a demo call: the one named in the data (`call`, a slug), else the
first call, in a state that fits the application's (open calls for those being prepared,
closed ones for those decided), for which every funded member's organisation type is eligible.
The budgets are written so that they pass the call's checks: the funding requested is the
call's rate for the member's organisation type (50 % where the call names none), and the sums
are scaled into the call's minimum and maximum per project. Without demo calls nothing is
loaded.

Idempotent: an application is created only if its title is not there yet. Seed data, written
with the ORM; the grant is carried into the project by the proposals' own function.
"""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from stadtallianz.accounts.models import User
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects.models import Project
from stadtallianz.proposals import services
from stadtallianz.proposals.checks import UNFUNDED_ROLES
from stadtallianz.proposals.models import (
    Application,
    ApplicationMember,
    BudgetLine,
    ChecklistItem,
    Grant,
    StateChange,
)

from . import datafiles

S = Application.State
# data/proposals.json: "applications" [{title, project (German title) or idea (title), call
# (slug or null), state, published, started_days_ago, members [{organisation (slug), role,
# budget {category: amount in EUR}}], grant {share (of the funding requested), reference,
# starts_in_days, months} (granted only), checklist_done (how many items are ticked)}]
APPLICATIONS = datafiles.load("proposals")["applications"]
PATHS = {
    S.PLANNED: [S.PLANNED],
    S.IN_PREPARATION: [S.PLANNED, S.IN_PREPARATION],
    S.SUBMITTED: [S.PLANNED, S.IN_PREPARATION, S.SUBMITTED],
    S.GRANTED: [S.PLANNED, S.IN_PREPARATION, S.SUBMITTED, S.GRANTED],
    S.REJECTED: [S.PLANNED, S.IN_PREPARATION, S.SUBMITTED, S.REJECTED],
    S.WITHDRAWN: [S.PLANNED, S.IN_PREPARATION, S.WITHDRAWN],
}
# Which call states suit an application in each state, best first.
CALL_STATES = {
    S.PLANNED: ["open", "forthcoming"], S.IN_PREPARATION: ["open", "forthcoming"],
    S.SUBMITTED: ["open", "closed"], S.GRANTED: ["closed", "open"],
    S.REJECTED: ["closed", "open"], S.WITHDRAWN: ["closed", "open"],
}
DEFAULT_RATE = Decimal("50")
EURO = Decimal("1")


def _call(spec, organisations, index: int, areas: set[int]):
    """The named call, else one in a fitting state for which the funded members are eligible,
    sharing the most focus areas with the project (or idea)."""
    if spec.get("call"):
        named = Call.objects.filter(slug=spec["call"]).first()
        if named is not None:
            return named
    funded = [organisations[m["organisation"]].type for m in spec["members"]
              if m["role"] not in UNFUNDED_ROLES]
    for state in CALL_STATES[spec["state"]]:
        calls = list(Call.objects.filter(state=state).prefetch_related("focus_areas")
                     .order_by("pk"))
        fitting = [call for call in calls if all(call.is_eligible(kind) for kind in funded)]
        if fitting:
            best = max(len(areas & {a.pk for a in call.focus_areas.all()}) for call in fitting)
            fitting = [call for call in fitting
                       if len(areas & {a.pk for a in call.focus_areas.all()}) == best]
            return fitting[index % len(fitting)]
    return Call.objects.order_by("pk").first()


def _budget(spec, call, organisations) -> dict:
    """{organisation slug: {category: (amount, requested)}} within the call's limits."""
    plan = {}
    for member in spec["members"]:
        kind = organisations[member["organisation"]].type
        rate = (Decimal("0") if member["role"] in UNFUNDED_ROLES
                else call.rate_for(kind) if call.rate_for(kind) is not None else DEFAULT_RATE)
        plan[member["organisation"]] = {category: (Decimal(amount), rate)
                                        for category, amount in member["budget"].items()}
    requested = sum((amount * rate / 100 for lines in plan.values()
                     for amount, rate in lines.values()), Decimal("0"))
    factor = Decimal("1")
    limits = [value for value in (call.max_amount, call.total_budget) if value]
    ceiling = min(limits) if limits else None
    if ceiling and requested > ceiling * Decimal("0.9"):
        factor = ceiling * Decimal("0.9") / requested
    elif call.min_amount and requested and requested < call.min_amount * Decimal("1.1"):
        factor = call.min_amount * Decimal("1.1") / requested
    budget = {}
    for slug, lines in plan.items():
        budget[slug] = {}
        for category, (amount, rate) in lines.items():
            amount = (amount * factor).quantize(EURO, rounding=ROUND_DOWN)
            budget[slug][category] = (amount, (amount * rate / 100).quantize(
                EURO, rounding=ROUND_DOWN))
    return budget


def _admin_of(organisation):
    membership = (Membership.objects.filter(organisation=organisation,
                                            role=Membership.Role.ADMIN)
                  .select_related("user").order_by("pk").first())
    return membership.user if membership else None


def _create(spec, index: int, *, now, office) -> Application | None:
    slugs = [member["organisation"] for member in spec["members"]]
    organisations = Organisation.objects.in_bulk(slugs, field_name="slug")
    project = (Project.objects.filter(title_de=spec["project"]).first()
               if spec.get("project") else None)
    idea = (Idea.objects.filter(title=spec["idea"], project__isnull=True).first()
            if spec.get("idea") else None)
    if len(organisations) != len(slugs) or (project is None) == (idea is None):
        return None  # the demo alliance or its projects are not (all) there
    target = project or idea
    call = _call(spec, organisations, index,
                 set(target.focus_areas.values_list("pk", flat=True)))
    coordinator = organisations[slugs[0]]
    author = _admin_of(coordinator) or office
    started = now - timedelta(days=spec["started_days_ago"])
    application = Application.objects.create(
        call=call, project=project, idea=idea, title=spec["title"], state=spec["state"],
        published=spec["published"], created_by=author)
    Application.objects.filter(pk=application.pk).update(created_at=started, updated_at=started)
    members = {}
    for member in spec["members"]:
        members[member["organisation"]] = ApplicationMember.objects.create(
            application=application, organisation=organisations[member["organisation"]],
            role=member["role"])
    for slug, lines in _budget(spec, call, organisations).items():
        BudgetLine.objects.bulk_create(
            BudgetLine(member=members[slug], category=category, amount=amount,
                       requested=requested, own_contribution=amount - requested)
            for category, (amount, requested) in lines.items())
    texts = services.checklist_texts(call)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(application=application, text=text, position=position,
                      done=position < spec["checklist_done"],
                      done_by=author if position < spec["checklist_done"] else None,
                      done_at=started + timedelta(days=position + 1)
                      if position < spec["checklist_done"] else None)
        for position, text in enumerate(texts))
    path = PATHS[spec["state"]]
    step = max(1, spec["started_days_ago"] // (len(path) + 1))
    previous = ""
    for number, state in enumerate(path):
        on = (started + timedelta(days=step * number)).date()
        StateChange.objects.create(application=application, from_state=previous,
                                   to_state=state, on=on,
                                   changed_by=office if state == S.GRANTED else author)
        if state == S.SUBMITTED:
            Application.objects.filter(pk=application.pk).update(submitted_on=on)
        previous = state
    if spec["state"] == S.GRANTED and spec.get("grant"):
        _grant(application, spec["grant"], now=now, office=office)
    return application


def _months_later(day, months: int):
    """The first of a month, `months` later."""
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def _grant(application, spec, *, now, office) -> None:
    requested = sum((line.requested for line in BudgetLine.objects.filter(
        member__application=application)), Decimal("0"))
    starts = (now + timedelta(days=spec["starts_in_days"])).date().replace(day=1)
    grant = Grant.objects.create(
        application=application, amount=(requested * Decimal(str(spec["share"]))).quantize(
            Decimal("1000"), rounding=ROUND_DOWN),
        reference=spec["reference"], starts_on=starts,
        ends_on=_months_later(starts, spec["months"]) - timedelta(days=1), recorded_by=office)
    services.carry_budget(actor=office, application=application, grant=grant,
                          project=application.project)


def load(*, now) -> int:
    """Creates the applications that are missing; returns how many."""
    if not Call.objects.exists():
        return 0
    office = User.objects.filter(is_coordinator=True, is_active=True).order_by("pk").first()
    created = 0
    for index, spec in enumerate(APPLICATIONS):
        if Application.objects.filter(title=spec["title"]).exists():
            continue
        created += _create(spec, index, now=now, office=office) is not None
    return created
