from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.demo import funding as funding_demo
from stadtallianz.funding.models import Call, CallFollow, Deadline, Programme

pytestmark = pytest.mark.django_db


def test_the_demo_calls_cover_every_level_and_state_and_load_once():
    call_command("demo", stdout=StringIO())
    already = Call.objects.count()  # wired into the demo command, or not yet
    created = funding_demo.load()
    assert created + already == len(funding_demo.CALLS) == Call.objects.count()
    assert {p.level for p in Programme.objects.all()} == set(Programme.Level.values)
    assert {c.state for c in Call.objects.all()} == set(Call.State.values)
    assert Deadline.objects.filter(stage="second").exists()
    assert CallFollow.objects.filter(user__email__startswith="koordination@").count() >= 4
    assert Call.objects.filter(rates__isnull=False).distinct().count() >= 10
    assert funding_demo.load() == 0
    assert Call.objects.count() == len(funding_demo.CALLS)


def test_the_demo_calls_pass_the_services_checks():
    call_command("demo", stdout=StringIO())
    funding_demo.load()
    from stadtallianz.funding import services

    for call in Call.objects.prefetch_related("rates", "deadlines"):
        services.validate_call(call, rates={r.applicant_type: r.rate for r in call.rates.all()},
                               deadlines=[{"stage": d.stage, "due_at": d.due_at}
                                          for d in call.deadlines.all()])
