"""An application's budget held against its call: the funding rate per member (by organisation
type), eligibility, the minimum and maximum per project and the call's total budget.

`budget_problems` lists every problem with the member and the field it concerns; the services
refuse a budget with a problem (a ValidationError naming the field), the application page shows
them. The minimum per project and a complete consortium are asked only at submission: a budget
grows while the application is prepared.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum, prefetch_related_objects
from django.utils import formats
from django.utils.translation import gettext as _

from .models import Application, ApplicationMember, BudgetLine

CENT = Decimal("0.01")
# Associated partners and subcontractors take part without funding of their own (a
# subcontractor is paid from a partner's subcontracting costs), so the call's eligible
# applicant types do not concern them.
UNFUNDED_ROLES = (ApplicationMember.Role.ASSOCIATED, ApplicationMember.Role.SUBCONTRACTOR)


def euro(value) -> str:
    """An amount as people write it: "80.000 €", with cents only when there are any."""
    value = Decimal(value or 0).quantize(CENT)
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, decimal_pos=places, use_l10n=True,
                                 force_grouping=True) + " €"


def percent(value) -> str:
    value = Decimal(value).normalize()
    return formats.number_format(value, use_l10n=True) + " %"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    member: ApplicationMember | None = None


@dataclass
class MemberTotals:
    member: ApplicationMember
    amount: Decimal
    own_contribution: Decimal
    requested: Decimal
    rate: Decimal | None  # the call's funding rate for the member's organisation type
    lines: dict  # category -> BudgetLine


def member_totals(application: Application, members=None) -> list[MemberTotals]:
    """Each member with its lines and sums, and the call's rate for it (two queries)."""
    call = application.call
    prefetch_related_objects([call], "rates")  # rate_for reads them: no query per member
    if members is None:
        members = list(application.members.select_related("organisation"))
    lines: dict[int, dict] = {member.pk: {} for member in members}
    for line in BudgetLine.objects.filter(member__in=[m.pk for m in members]):
        lines[line.member_id][line.category] = line
    totals = []
    for member in members:
        mine = lines[member.pk].values()
        totals.append(MemberTotals(
            member=member,
            amount=sum((line.amount for line in mine), Decimal("0")),
            own_contribution=sum((line.own_contribution for line in mine), Decimal("0")),
            requested=sum((line.requested for line in mine), Decimal("0")),
            rate=call.rate_for(member.organisation.type),
            lines=lines[member.pk]))
    return totals


def requested_total(application: Application) -> Decimal:
    return (BudgetLine.objects.filter(member__application=application)
            .aggregate(total=Sum("requested"))["total"] or Decimal("0"))


def budget_problems(application: Application, *, submitting: bool = False,
                    totals: list[MemberTotals] | None = None) -> list[Problem]:
    call = application.call
    if totals is None:
        totals = member_totals(application)
    problems = []
    for entry in totals:
        member, name = entry.member, entry.member.organisation.name
        if (member.role not in UNFUNDED_ROLES
                and not call.is_eligible(member.organisation.type)):
            problems.append(Problem("organisation", _(
                "%(organisation)s: a %(type)s is not eligible for this call.")
                % {"organisation": name, "type": member.organisation.get_type_display()},
                member))
        if member.role in UNFUNDED_ROLES and entry.requested > 0:
            problems.append(Problem("requested", _(
                "%(organisation)s: as %(role)s it requests no funding (requested funding "
                "%(requested)s).") % {"organisation": name, "role": member.get_role_display(),
                                      "requested": euro(entry.requested)}, member))
        elif entry.rate is not None:
            limit = (entry.amount * entry.rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            if entry.requested > limit:
                problems.append(Problem("requested", _(
                    "%(organisation)s: requested funding %(requested)s exceeds %(rate)s of "
                    "eligible costs (%(limit)s).") % {
                    "organisation": name, "requested": euro(entry.requested),
                    "rate": percent(entry.rate), "limit": euro(limit)}, member))
    total = sum((entry.requested for entry in totals), Decimal("0"))
    if call.max_amount is not None and total > call.max_amount:
        problems.append(Problem("requested", _(
            "The requested funding in total (%(total)s) exceeds the call's maximum per project "
            "(%(limit)s).") % {"total": euro(total), "limit": euro(call.max_amount)}))
    if call.total_budget is not None and total > call.total_budget:
        problems.append(Problem("requested", _(
            "The requested funding in total (%(total)s) exceeds the call's total budget "
            "(%(limit)s).") % {"total": euro(total), "limit": euro(call.total_budget)}))
    if submitting:
        if call.min_amount is not None and total < call.min_amount:
            problems.append(Problem("requested", _(
                "The requested funding in total (%(total)s) is below the call's minimum per "
                "project (%(limit)s).") % {"total": euro(total), "limit": euro(call.min_amount)}))
        if not any(e.member.role == ApplicationMember.Role.COORDINATOR for e in totals):
            problems.append(Problem("members", _("The consortium has no coordinator.")))
        if total == 0:
            problems.append(Problem("requested", _("The budget requests no funding yet.")))
    return problems
