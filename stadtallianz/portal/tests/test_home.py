from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from stadtallianz.core.models import FocusArea, Principle
from stadtallianz.core.testing import query_count
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db


def sign(organisation, state=Signature.State.CONFIRMED):
    return Signature.objects.create(
        organisation=organisation, version=Version.objects.current(), state=state,
        signatory_name="Signatory", signatory_function="Director", authority_confirmed=True,
    )


def test_home_says_what_the_alliance_is_in_german_and_english(client, settings):
    """The home page names the site and introduces the alliance in the active language."""
    settings.SITE_NAME = "Allianz Smart City Beispielstadt"
    german = client.get("/de/").content.decode()
    english = client.get("/en/").content.decode()
    assert "<h1 id=\"home-title\">Allianz Smart City Beispielstadt</h1>" in german
    assert "neutrale Kooperationsplattform" in german
    assert "neutral cooperation platform" in english
    assert german.count("<h1") == 1


def test_home_lists_the_eight_guiding_principles_in_the_active_language(client):
    """Each principle's name and sentence appears, in German on /de/ and in English on /en/."""
    german = client.get("/de/").content.decode()
    english = client.get("/en/").content.decode()
    principles = list(Principle.objects.all())
    assert len(principles) == 8
    for principle in principles:
        assert escape(principle.name_de) in german and escape(principle.sentence_de) in german
        assert escape(principle.name_en) in english and escape(principle.sentence_en) in english


def test_home_counts_only_public_partners_by_type(client, make_organisation):
    """Counts include confirmed partners and those asked to re-sign, never drafts or pending."""
    make_organisation("Eins", type=Organisation.Type.COMPANY)
    make_organisation("Zwei", type=Organisation.Type.COMPANY,
                      status=Organisation.Status.RESIGN_REQUIRED)
    make_organisation("Drei", type=Organisation.Type.RESEARCH)
    make_organisation("Entwurf", type=Organisation.Type.RESEARCH, status=Organisation.Status.DRAFT)
    make_organisation("Wartend", type=Organisation.Type.STARTUP, status=Organisation.Status.PENDING)
    response = client.get("/en/")
    assert response.context["partner_count"] == 3
    by_type = {row["value"]: row["count"] for row in response.context["partner_types"]}
    assert by_type == {"company": 2, "startup": 0, "research": 1, "association": 0,
                       "chamber": 0, "civil_society": 0, "municipal": 0}
    row = '<th scope="row">Research institute</th><td class="numeric">1</td>'
    assert row in response.content.decode()


def test_home_counts_confirmed_signatures_and_partners_per_focus_area(client, make_organisation):
    """Confirmed signatures are counted; each focus area shows how many public partners it has."""
    mobility = FocusArea.objects.get(slug="mobility")
    partner = make_organisation("Rad")
    partner.focus_areas.add(mobility)
    draft = make_organisation("Bus", status=Organisation.Status.PENDING)
    draft.focus_areas.add(mobility)
    sign(partner)
    sign(draft, state=Signature.State.PENDING)
    response = client.get("/en/")
    assert response.context["signature_count"] == 1
    areas = {area.slug: area.partner_count for area in response.context["focus_areas"]}
    assert areas["mobility"] == 1
    assert areas["energy"] == 0
    assert "Mobility" in response.content.decode()


def test_home_shows_the_five_newest_public_partners(client, make_organisation):
    """Newest by partner-since date, public ones only, at most five, linked to their profiles."""
    now = timezone.now()
    for days in range(7):
        make_organisation(f"Partner {days}", partner_since=now - timezone.timedelta(days=days))
    hidden = make_organisation("Noch nicht", status=Organisation.Status.DRAFT)
    response = client.get("/de/")
    names = [partner.name for partner in response.context["newest_partners"]]
    assert names == [f"Partner {days}" for days in range(5)]
    content = response.content.decode()
    assert reverse("partners:detail", kwargs={"slug": "org-1-partner-0"}) in content
    assert hidden.name not in content


def test_home_invites_visitors_to_join_read_the_letter_and_browse(client):
    """A visitor gets links to register, to the letter of intent and to the directory."""
    content = client.get("/de/").content.decode()
    assert f'href="{reverse("accounts:register")}"' in content
    assert f'href="{reverse("letter_of_intent:current")}"' in content
    assert f'href="{reverse("partners:directory")}"' in content


def test_home_has_no_inline_script_or_style(client):
    """The strict CSP forbids inline script and style attributes."""
    content = client.get("/de/").content.decode()
    assert "style=" not in content
    assert "<script>" not in content


@pytest.mark.parametrize("role", [None, "citizen", "partner_admin", "coordinator"])
def test_home_is_open_to_every_role(client_for, role, request):
    """Every role, signed in or not, sees the home page."""
    user = request.getfixturevalue(role) if role else None
    assert client_for(user).get("/de/").status_code == 200


def test_home_query_count_does_not_grow_with_partners(client, make_organisation):
    """The page makes the same number of queries with 2 or 30 partners and grants."""
    areas = list(FocusArea.objects.all())
    from stadtallianz.projects.models import Project
    from stadtallianz.proposals.models import Application

    from . import factories

    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")

    def grant(number):
        organisation = make_organisation(f"G{number}")
        application = factories.application(
            f"Antrag {number}", for_call=factories.call(f"aufruf-{number}"), project=project,
            organisation=organisation, state=Application.State.GRANTED)
        factories.grant(application, "1000")

    for number in range(2):
        make_organisation(f"A{number}").focus_areas.set(areas)
        grant(number)
    few = query_count(client.get, "/de/")
    for number in range(28):
        organisation = make_organisation(f"B{number}", type=Organisation.Type.values[number % 7])
        organisation.focus_areas.set(areas)
        sign(organisation)
        grant(number + 2)
    many = query_count(client.get, "/de/")
    assert few == many
    assert many <= 7


def test_home_shows_the_funding_acquired_only_from_granted_applications(
        client, make_organisation):
    """The key figure sums the grants of granted applications, as the public totals page does,
    and links there; the budget of an application neither published nor granted, and a grant
    row on an application that is not granted, never count."""
    from stadtallianz.projects.models import Project
    from stadtallianz.proposals.models import Application
    from stadtallianz.proposals.queries import public_totals

    from . import factories

    partner = make_organisation("Stadtwerke")
    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")
    call = factories.call("quartiere")
    granted = factories.application("Bewilligt", for_call=call, project=project,
                                    organisation=partner, state=Application.State.GRANTED)
    factories.grant(granted, "1250000")
    factories.application("Geheim", for_call=call, project=project, organisation=partner,
                          requested=Decimal("777777"), state=Application.State.SUBMITTED)
    repaired = factories.application("Nicht bewilligt", for_call=call, project=project,
                                     organisation=partner, state=Application.State.SUBMITTED)
    response = client.get("/de/")
    html = response.content.decode()
    assert response.context["funding_total"] == Decimal("1250000")
    assert "1.250.000\u00a0€" in html or "1.250.000 €" in html
    assert f'href="{reverse("proposals:totals")}"' in html
    assert "777" not in html and "70.000" not in html
    assert public_totals()["total"] == Decimal("1250000")
    # A grant recorded on an application that is not granted (a repair in the admin).
    factories.grant(repaired, "5000")
    assert client.get("/de/").context["funding_total"] == Decimal("1250000")


def test_home_funding_figure_is_zero_before_any_grant(client):
    html = client.get("/en/").content.decode()
    assert "0 €" in html or "0\u00a0€" in html
    assert "funding acquired together" in html
