"""Demo funding programmes and calls for `stadtallianz demo` (runs after the accounts and
partners; before the proposals' and partner searches' demos, which use the calls): twelve
programmes from the EU to foundations and twenty-five calls in every state, with EU topic ids
and Förderdatenbank-style ids, deadlines relative to the day of loading (EU deadlines at 17:00
Brussels time), rates per applicant type, and follows by the demo accounts.

The figures are fictional. Idempotent: a programme or call is created only if its slug is not
there yet; follows are added once. Seed data, written with the ORM, each call checked by the
service's own validation first (funding.services.validate_call)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from stadtallianz.accounts.models import User
from stadtallianz.core.models import FocusArea
from stadtallianz.funding import services
from stadtallianz.funding.models import Call, CallFollow, CallRate, Deadline, Programme

from . import datafiles
from .accounts import DEMO_DOMAIN

# data/funding.json: "programmes" [{slug, funder, level, name_de/_en, description_de/_en, url}],
# "calls" [{programme (slug), slug, source, source_id, title_de/_en, summary_de/_en, state,
# opens_in_days, deadlines [[stage, days from today]], total_budget, min_amount, max_amount
# (euros as strings), expected_grants, funding_type, funding_rate, rates {type: percent},
# eligible_types, region, focus_areas (slugs), keywords, legal_basis, contact, url,
# followed_by (local parts of demo accounts)}].
DATA = datafiles.load("funding")
PROGRAMMES = DATA["programmes"]
CALLS = DATA["calls"]


def _decimal(value):
    return Decimal(value) if value not in (None, "") else None


def _programmes() -> dict:
    programmes = {}
    for spec in PROGRAMMES:
        programme = Programme.objects.filter(slug=spec["slug"]).first()
        if programme is None:
            programme = Programme.objects.create(**spec)
        programmes[spec["slug"]] = programme
    return programmes


def _call(spec: dict, programme: Programme, today, verifier) -> Call | None:
    if Call.objects.filter(slug=spec["slug"]).exists():
        return None
    call = Call(
        slug=spec["slug"], programme=programme, source=spec["source"],
        source_id=spec["source_id"], title_de=spec["title_de"], title_en=spec["title_en"],
        summary_de=spec["summary_de"], summary_en=spec.get("summary_en", ""),
        state=spec["state"], opens_on=today + timedelta(days=spec["opens_in_days"]),
        total_budget=_decimal(spec["total_budget"]), min_amount=_decimal(spec["min_amount"]),
        max_amount=_decimal(spec["max_amount"]), expected_grants=spec["expected_grants"],
        funding_type=spec["funding_type"], funding_rate=_decimal(spec["funding_rate"]),
        eligible_types=spec["eligible_types"], region=spec["region"],
        keywords=spec["keywords"], legal_basis=spec["legal_basis"], contact=spec["contact"],
        url=spec["url"] or programme.url,
        verified_on=today - timedelta(days=len(spec["slug"]) % 20), verified_by=verifier,
        created_by=verifier)
    rates = {kind: Decimal(rate) for kind, rate in spec["rates"].items()}
    deadlines = [{"stage": stage,
                  "due_at": services.eu_deadline(today + timedelta(days=days))}
                 for stage, days in spec["deadlines"]]
    _rates, deadlines = services.validate_call(call, rates=rates, deadlines=deadlines)
    call.save()
    call.focus_areas.set(FocusArea.objects.filter(slug__in=spec["focus_areas"]))
    CallRate.objects.bulk_create(CallRate(call=call, applicant_type=kind, rate=rate)
                                 for kind, rate in rates.items())
    Deadline.objects.bulk_create(Deadline(call=call, stage=item["stage"],
                                          due_at=item["due_at"]) for item in deadlines)
    return call


def load(now=None, stdout=None) -> int:
    """Creates the missing programmes, calls and follows; returns how many calls it made."""
    today = timezone.localdate(now or timezone.now())
    accounts = {user.email.split("@")[0]: user
                for user in User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")}
    verifier = accounts.get("koordination")
    programmes = _programmes()
    created = 0
    for spec in CALLS:
        if _call(spec, programmes[spec["programme"]], today, verifier) is not None:
            created += 1
    calls = {call.slug: call for call in Call.objects.filter(slug__in=[s["slug"] for s in CALLS])}
    for spec in CALLS:
        for local_part in spec["followed_by"]:
            if local_part in accounts and spec["slug"] in calls:
                CallFollow.objects.get_or_create(call=calls[spec["slug"]],
                                                 user=accounts[local_part])
    if stdout is not None:
        stdout.write(f"{created} funding call(s) created.")
    return created
