from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.funding import services
from stadtallianz.funding.models import Call, Programme


@pytest.fixture
def programme(coordinator):
    return services.create_programme(actor=coordinator, data={
        "funder": "Europäische Kommission", "level": Programme.Level.EU,
        "name_de": "Horizont Europa", "name_en": "Horizon Europe",
        "description_de": "Das Rahmenprogramm für Forschung und Innovation.",
        "url": "https://research-and-innovation.ec.europa.eu/"})


@pytest.fixture
def call_data(programme):
    def make(**overrides):
        data = {
            "source": Call.Source.EU_FT, "source_id": "HORIZON-CL5-2027-02-D6-07",
            "programme": programme, "title_de": "Klimaneutrale Quartiere",
            "title_en": "Climate-neutral neighbourhoods",
            "summary_de": "Demonstration von Plattformen für die Quartiersenergie.",
            "state": Call.State.OPEN, "opens_on": timezone.localdate() - timedelta(days=10),
            "total_budget": Decimal("12000000"), "min_amount": Decimal("2000000"),
            "max_amount": Decimal("4000000"), "expected_grants": 3,
            "funding_type": Call.FundingType.GRANT, "funding_rate": Decimal("70"),
            "eligible_types": ["company", "research", "municipal"], "region": "EU",
            "keywords": "Energie, Quartier, Plattform"}
        data.update(overrides)
        return data
    return make


@pytest.fixture
def due_in():
    def make(days: int, hour: int = 17):
        day = timezone.localdate() + timedelta(days=days)
        return services.eu_deadline(day if isinstance(day, date) else day)
    return make


@pytest.fixture
def funding_call(coordinator, call_data, due_in):
    call = services.create_call(
        actor=coordinator, data=call_data(),
        focus_areas=list(FocusArea.objects.active()[:2]),
        rates={"research": Decimal("100")},
        deadlines=[{"stage": "single", "due_at": due_in(40)}])
    return call
