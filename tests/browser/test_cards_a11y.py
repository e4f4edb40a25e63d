"""The pages with cards (issue 14) in a real browser, in German and English: the directory, the
home page, a working group, events, ideas and projects, with logos, generated initials, date
blocks, support bars and principle scores, pass axe-core (any impact) and the strict CSP."""

from datetime import datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

from tests.browser.conftest import browser, page, sweep  # noqa: F401
from tests.test_cards import _event, _idea, _organisation, _people, _project, _register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cards(transactional_db):
    """Reference data (a transactional test flushed it) and one of each card."""
    import_module("stadtallianz.core.migrations.0002_reference_data").load(apps, None)
    from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup

    members = [_organisation(f"Partner {n} Münster", summary_de=f"Bietet Daten {n}.",
                             partner_since=timezone.now()) for n in range(7)]
    group = WorkingGroup.objects.create(name_de="Mobilität", name_en="Mobility", slug="mobil")
    for organisation in members[:3]:
        GroupOrganisation.objects.create(group=group, organisation=organisation)
    _project("Smarte Laternen", members, scores=[2, 1, 0, 0, -1, 1, 0, -2])
    _project("Ohne Bewertung", members[:1])
    _idea("Radweg Promenade", support_count=3, comment_count=2, place_name="Promenade")
    _idea("Mehr Bänke", support_count=12)
    start = datetime(timezone.localdate().year + 1, 5, 4, 18, tzinfo=ZoneInfo("Europe/Berlin"))
    _register(_event("Offenes Treffen", start, start + timedelta(hours=2), capacity=5,
                     address="Hafenweg 16, 48155 Münster"), _people("a", 2))
    full = _event("Volles Treffen", start + timedelta(days=1),
                  start + timedelta(days=1, hours=2), capacity=1, group=group)
    _register(full, _people("b", 1))
    return group


@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_with_cards_pass_axe(page, live_server, cards, language):  # noqa: F811
    paths = ["/", "/partners/", f"/working-groups/{cards.slug}/", "/events/", "/ideas/",
             "/projects/"]
    assert sweep(page, live_server.url, language, paths) == {}
