from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stadtallianz.demo import impact as demo
from stadtallianz.impact import figures
from stadtallianz.impact.models import ImpactTarget

pytestmark = pytest.mark.django_db


def test_the_demo_sets_targets_the_dashboard_shows_in_each_state(client):
    call_command("demo", stdout=StringIO())
    year = timezone.localdate().year
    targets = ImpactTarget.objects.filter(year=year)
    assert {t.key for t in targets} == {key for key, _factor, _note in demo.TARGETS}
    assert all(t.set_by and t.set_by.is_coordination_office for t in targets)
    shown = {f.key: f for f in figures.key_figures() if f.target is not None}
    assert set(shown) == {t.key for t in targets}
    # The demo shows a reached target and one that is not (on track or behind).
    assert shown["datasets"].status == figures.REACHED
    assert shown["partners"].status in {figures.ON_TRACK, figures.BEHIND}
    page = client.get(reverse("impact:dashboard")).content.decode()
    assert str(int(shown["partners"].target)) in page
    # Idempotent: a second run keeps the office's targets as they are.
    values = dict(targets.values_list("key", "value"))
    assert demo.load(coordinator=targets[0].set_by) == 0
    assert dict(ImpactTarget.objects.filter(year=year).values_list("key", "value")) == values
