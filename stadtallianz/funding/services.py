"""Changes to funding programmes and calls, shared by the pages, the import and the REST API:
each checks the permission, validates the whole call (its fields, rates per applicant type and
deadlines together, every problem named by its field) and writes in one transaction, with an
entry in the audit log."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from stadtallianz.core.audit import audit_log
from stadtallianz.core.office import with_office
from stadtallianz.core.slugs import unique_slug
from stadtallianz.partners.models import Organisation

from . import permissions
from .models import Call, CallFollow, CallRate, Deadline, Programme, validate_applicant_types

BERLIN = ZoneInfo("Europe/Berlin")
BRUSSELS = ZoneInfo("Europe/Brussels")
RESERVED_SLUGS = frozenset({"new", "calendar", "programmes", "import", "feed", "applications"})

PROGRAMME_FIELDS = ("funder", "level", "name_de", "name_en", "description_de", "description_en",
                    "url")
CALL_FIELDS = ("source", "source_id", "programme", "title_de", "title_en", "summary_de",
               "summary_en", "state", "opens_on", "total_budget", "min_amount", "max_amount",
               "expected_grants", "funding_type", "funding_rate", "eligible_types", "region",
               "keywords", "legal_basis", "contact", "url", "links", "checklist")


def eu_deadline(day) -> datetime:
    """An EU deadline: 17:00 Brussels time on `day`."""
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=BRUSSELS)


def _denied_edit():
    return PermissionDenied(with_office(_("Only the %(office)s and admins of alliance partners "
                                          "enter and edit funding calls.")))


# ---------------------------------------------------------------------------------------------
# Programmes


def _save_programme(programme: Programme, data: dict) -> Programme:
    unknown = set(data) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValueError(f"not programme fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(programme, name, value)
    programme.full_clean(exclude=["created_by"])
    programme.save()
    return programme


@transaction.atomic
def create_programme(*, actor, data: dict) -> Programme:
    if not permissions.can_edit_calls(actor):
        raise _denied_edit()
    programme = Programme(created_by=actor)
    programme.slug = unique_slug(Programme.objects.all(), data.get("name_de") or "",
                                 fallback="programm", reserved=RESERVED_SLUGS)
    _save_programme(programme, data)
    audit_log(actor=actor, action="funding.programme.created", target=programme,
              after={"name": programme.name_de, "level": programme.level})
    return programme


@transaction.atomic
def update_programme(*, programme: Programme, actor, data: dict) -> Programme:
    if not permissions.can_edit_programme(actor, programme):
        raise _denied_edit()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _save_programme(programme, data)
    audit_log(actor=actor, action="funding.programme.changed", target=programme,
              after={"fields": sorted(data)})
    return programme


@transaction.atomic
def delete_programme(*, programme: Programme, actor) -> None:
    if not permissions.can_delete(actor):
        raise PermissionDenied(with_office(_("Only the %(office)s deletes funding programmes.")))
    if programme.calls.exists():
        raise ValidationError({"programme": _("The programme still has calls; delete or move "
                                              "them first.")})
    audit_log(actor=actor, action="funding.programme.deleted", target=programme,
              object_repr=programme.name_de)
    programme.delete()


# ---------------------------------------------------------------------------------------------
# Calls: validation


def _decimal(value, field: str, errors: dict):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None


def clean_rates(rates) -> dict[str, Decimal]:
    """{applicant type: rate}; an unknown type or a rate outside 0..100 is an error on
    `rates`."""
    errors: dict = {}
    cleaned = {}
    known = set(Organisation.Type.values)
    for applicant_type, value in (rates or {}).items():
        if applicant_type not in known:
            errors.setdefault("rates", []).append(
                _("Unknown applicant type: %(types)s.") % {"types": applicant_type})
            continue
        rate = _decimal(value, "rates", errors)
        if rate is None:
            continue
        if not Decimal(0) <= rate <= Decimal(100):
            errors.setdefault("rates", []).append(
                _("A funding rate lies between 0 and 100 percent (%(type)s: %(rate)s).")
                % {"type": Organisation.Type(applicant_type).label, "rate": rate})
            continue
        cleaned[applicant_type] = rate
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_deadlines(deadlines, opens_on) -> list[dict]:
    """[{stage, due_at}] checked together: known stages, each once, a single stage alone, a
    second stage after a first one, none before the opening date. Errors on `deadlines`."""
    problems = []
    stages = [item.get("stage") or Deadline.Stage.SINGLE for item in deadlines or []]
    cleaned = []
    for item, stage in zip(deadlines or [], stages, strict=True):
        due_at = item.get("due_at")
        if stage not in Deadline.Stage.values:
            problems.append(_("Unknown stage: %(stage)s.") % {"stage": stage})
            continue
        if not isinstance(due_at, datetime):
            problems.append(_("Each deadline needs a date and time."))
            continue
        if timezone.is_naive(due_at):
            due_at = timezone.make_aware(due_at, BERLIN)
        cleaned.append({"stage": stage, "due_at": due_at})
    if len(set(stages)) != len(stages):
        problems.append(_("Each stage has one deadline."))
    if Deadline.Stage.SINGLE in stages and len(stages) > 1:
        problems.append(_("A single-stage call has exactly one deadline."))
    by_stage = {item["stage"]: item["due_at"] for item in cleaned}
    if Deadline.Stage.SECOND in by_stage:
        if Deadline.Stage.FIRST not in by_stage:
            problems.append(_("A second stage needs a first stage."))
        elif by_stage[Deadline.Stage.SECOND] <= by_stage[Deadline.Stage.FIRST]:
            problems.append(_("The second stage must end after the first."))
    if opens_on:
        for item in cleaned:
            if item["due_at"].astimezone(BERLIN).date() < opens_on:
                problems.append(_("A deadline (%(due)s) cannot lie before the opening date "
                                  "(%(opens)s).")
                                % {"due": item["due_at"].astimezone(BERLIN).strftime("%d.%m.%Y"),
                                   "opens": opens_on.strftime("%d.%m.%Y")})
    for item in cleaned:
        try:
            Deadline(stage=item["stage"], due_at=item["due_at"]).full_clean(
                exclude=["call", "uid"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.extend(error.message_dict.get("due_at", []))
    if problems:
        raise ValidationError({"deadlines": problems})
    return sorted(cleaned, key=lambda item: item["due_at"])


def _check_amounts(call: Call) -> dict:
    errors: dict = {}
    if call.min_amount is not None and call.max_amount is not None \
            and call.min_amount > call.max_amount:
        errors["min_amount"] = [_("The minimum per project cannot be above the maximum.")]
    if call.max_amount is not None and call.total_budget is not None \
            and call.max_amount > call.total_budget:
        errors["max_amount"] = [_("The maximum per project cannot exceed the total budget.")]
    return errors


def validate_call(call: Call, *, rates=None, deadlines=None, focus_areas=None):
    """Every problem of a call at once, each on its field; returns (rates, deadlines) cleaned.
    Used by the services and by the import's preview (which saves nothing)."""
    errors: dict = {}
    try:
        validate_applicant_types(call.eligible_types)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        call.full_clean(exclude=["created_by", "verified_by", "programme", "eligible_types"],
                        validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if call.programme_id is None and "programme" not in errors:
        errors["programme"] = [_("Choose a programme.")]
    for field, messages in _check_amounts(call).items():
        if field not in errors:
            errors[field] = messages
    if call.source_id and "source_id" not in errors:
        clash = Call.objects.filter(source=call.source, source_id=call.source_id)
        if call.pk:
            clash = clash.exclude(pk=call.pk)
        if clash.exists():
            errors["source_id"] = [_("A call with this source identifier exists already.")]
    cleaned_rates, cleaned_deadlines = {}, []
    try:
        cleaned_rates = clean_rates(rates)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        opens_on = call.opens_on if "opens_on" not in errors else None
        cleaned_deadlines = clean_deadlines(deadlines, opens_on)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned_rates, cleaned_deadlines


# ---------------------------------------------------------------------------------------------
# Calls: changes


def _set_deadlines(call: Call, deadlines: list[dict]) -> None:
    """Keeps the row (and its calendar UID) of each stage that stays."""
    existing = {deadline.stage: deadline for deadline in call.deadlines.all()}
    for item in deadlines:
        deadline = existing.pop(item["stage"], None)
        if deadline is None:
            Deadline.objects.create(call=call, stage=item["stage"], due_at=item["due_at"])
        elif deadline.due_at != item["due_at"]:
            deadline.due_at = item["due_at"]
            deadline.save(update_fields=["due_at", "updated_at"])
    for deadline in existing.values():
        deadline.delete()


def _set_rates(call: Call, rates: dict) -> None:
    call.rates.exclude(applicant_type__in=list(rates)).delete()
    for applicant_type, rate in rates.items():
        CallRate.objects.update_or_create(call=call, applicant_type=applicant_type,
                                          defaults={"rate": rate})


def _apply(call: Call, *, actor, data: dict, focus_areas, rates, deadlines,
           verified: bool) -> Call:
    unknown = set(data) - set(CALL_FIELDS)
    if unknown:
        raise ValueError(f"not call fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(call, name, value)
    if call.eligible_types is None:
        call.eligible_types = []
    if rates is None and call.pk:
        rates = {rate.applicant_type: rate.rate for rate in call.rates.all()}
    if deadlines is None and call.pk:
        deadlines = [{"stage": d.stage, "due_at": d.due_at} for d in call.deadlines.all()]
    if not call.slug:
        call.slug = unique_slug(Call.objects.all(), call.source_id or call.title_de or "",
                                fallback="aufruf", reserved=RESERVED_SLUGS)
    cleaned_rates, cleaned_deadlines = validate_call(call, rates=rates, deadlines=deadlines)
    if verified:
        call.verified_on = timezone.localdate()
        call.verified_by = actor
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError as error:  # a concurrent request took the source identifier
        raise ValidationError({"source_id": _("A call with this source identifier exists "
                                              "already.")}) from error
    if focus_areas is not None:
        call.focus_areas.set(focus_areas)
    _set_rates(call, cleaned_rates)
    _set_deadlines(call, cleaned_deadlines)
    return call


@transaction.atomic
def create_call(*, actor, data: dict, focus_areas=None, rates=None, deadlines=None,
                verified: bool = True) -> Call:
    """A new call. `rates` {applicant type: percent}, `deadlines` [{stage, due_at}]. The
    person entering it has checked it against the source unless `verified` is False."""
    if not permissions.can_edit_calls(actor):
        raise _denied_edit()
    call = Call(created_by=actor)
    _apply(call, actor=actor, data=data, focus_areas=focus_areas or [], rates=rates or {},
           deadlines=deadlines or [], verified=verified)
    audit_log(actor=actor, action="funding.call.created", target=call,
              after={"title": call.title_de, "source": call.source,
                     "source_id": call.source_id})
    return call


@transaction.atomic
def update_call(*, call: Call, actor, data: dict, focus_areas=None, rates=None,
                deadlines=None, verified: bool = False) -> Call:
    """Changes the given fields; relations left None stay as they are."""
    if not permissions.can_edit_call(actor, call):
        raise _denied_edit()
    call = Call.objects.select_for_update().get(pk=call.pk)
    _apply(call, actor=actor, data=data, focus_areas=focus_areas, rates=rates,
           deadlines=deadlines, verified=verified)
    changed = sorted([*data, *(name for name, value in (("focus_areas", focus_areas),
                                                         ("rates", rates),
                                                         ("deadlines", deadlines))
                                if value is not None)])
    audit_log(actor=actor, action="funding.call.changed", target=call,
              after={"fields": changed, "verified": verified})
    return call


@transaction.atomic
def verify_call(*, call: Call, actor) -> Call:
    """Records that `actor` checked the call against its source today."""
    if not permissions.can_edit_call(actor, call):
        raise _denied_edit()
    call = _locked(call)
    Call.objects.filter(pk=call.pk).update(verified_on=timezone.localdate(), verified_by=actor)
    call.refresh_from_db()
    audit_log(actor=actor, action="funding.call.verified", target=call)
    return call


@transaction.atomic
def delete_call(*, call: Call, actor) -> None:
    if not permissions.can_delete(actor):
        raise PermissionDenied(with_office(_("Only the %(office)s deletes funding calls.")))
    audit_log(actor=actor, action="funding.call.deleted", target=call, object_repr=call.title_de)
    call.delete()


def _locked(call: Call) -> Call:
    """The call as stored now, locked; 404 when another request deleted it meanwhile."""
    locked = Call.objects.select_for_update().filter(pk=call.pk).first()
    if locked is None:
        raise Http404
    return locked


# ---------------------------------------------------------------------------------------------
# Following


@transaction.atomic
def follow(*, call: Call, user) -> bool:
    """True when the person newly follows the call."""
    if not permissions.can_follow(user):
        raise PermissionDenied(_("Sign in to follow a call."))
    call = _locked(call)
    _follow, created = CallFollow.objects.get_or_create(call=call, user=user)
    if created:
        audit_log(actor=user, action="funding.call.followed", target=call)
    return created


@transaction.atomic
def unfollow(*, call: Call, user) -> bool:
    if not permissions.can_follow(user):
        raise PermissionDenied(_("Sign in to follow a call."))
    deleted, _rows = CallFollow.objects.filter(call=call, user=user).delete()
    if deleted:
        audit_log(actor=user, action="funding.call.unfollowed", target=call)
    return bool(deleted)


def is_following(user, call: Call) -> bool:
    return user.is_authenticated and CallFollow.objects.filter(call=call, user=user).exists()
