"""Suggestions for a funding call (eligibility, joint work with the reader's organisations) and
for a partner-search notice (wanted types, the owner left out), and the calls and notices a
partner is suggested."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.funding.models import Call, Programme
from stadtallianz.partnering.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(mobility):
    programme = Programme.objects.create(funder="Bund", level=Programme.Level.FEDERAL,
                                         name_de="Modellprojekte", slug="modellprojekte")
    call = Call.objects.create(
        programme=programme, slug="verkehrsdaten-call", source=Call.Source.EU_FT,
        source_id="X-1", title_de="Plattformen für Daten zum Verkehr",
        summary_de="Gefördert werden Plattformen für Verkehrsdaten und Mobilität.",
        state=Call.State.OPEN, opens_on=timezone.localdate() - timedelta(days=3),
        funding_type=Call.FundingType.GRANT, funding_rate=Decimal("70"),
        eligible_types=["research", "municipal"], keywords="Verkehr, Daten")
    call.focus_areas.add(mobility)
    return call


@pytest.fixture
def notice(alliance):
    today = timezone.localdate()
    return Notice.objects.create(
        organisation=alliance["research"], project=alliance["project"],
        title_de="Partner mit Daten zum Verkehr gesucht",
        description_de="Für ein Reallabor.", capabilities_sought_de="Verkehrsdaten, Zählstellen",
        wanted_types=["municipal"], roles_sought=["partner"],
        expires_on=today + timedelta(days=30))


def test_call_suggests_only_eligible_partners(client, lead_person, alliance, call):
    client.force_login(lead_person)
    html = client.get(reverse("matchmaking:call", kwargs={"slug": call.slug})).content.decode()
    assert "Verkehrsamt Test" in html
    assert "als Kommunale Einrichtung antragsberechtigt" in html
    # The reader's organisation worked with the Verkehrsamt before.
    assert "hat mit Stadtwerke Test an einem Projekt gearbeitet" in html
    # A company is not eligible; the reader's own organisation is never suggested.
    assert ">Stadtwerke Test</a>" not in html


def test_notice_suggests_partners_but_not_its_owner(client, lead_person, alliance, notice):
    client.force_login(lead_person)
    html = client.get(reverse("matchmaking:notice", kwargs={"pk": notice.pk})).content.decode()
    assert "Verkehrsamt Test" in html and "gesucht" in html
    assert ">Institut Mobilitätsforschung</a>" not in html
    notice.state = Notice.State.CLOSED
    notice.save()
    # A closed notice is still visible to its readers as the partnering app decides; an unknown
    # one is 404.
    assert client.get(reverse("matchmaking:notice", kwargs={"pk": 99999})).status_code == 404


def test_a_partner_is_suggested_open_calls_and_notices(client, data_person, alliance, call,
                                                        notice):
    client.force_login(data_person)
    html = client.get(reverse("matchmaking:index")).content.decode()
    assert "Plattformen für Daten zum Verkehr" in html
    assert "Partner mit Daten zum Verkehr gesucht" in html
    call.state = Call.State.CLOSED
    call.save()
    assert "Plattformen für Daten zum Verkehr" not in client.get(
        reverse("matchmaking:index")).content.decode()
