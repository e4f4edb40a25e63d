from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.funding import services
from stadtallianz.funding.models import Call, CallFollow, Programme


@pytest.fixture
def many_calls(coordinator, programme, call_data, due_in):
    areas = list(FocusArea.objects.active()[:3])
    for number in range(12):
        services.create_call(
            actor=coordinator, data=call_data(source_id=f"HORIZON-TEST-{number}",
                                              title_de=f"Aufruf {number}"),
            focus_areas=areas, rates={"research": Decimal("100")},
            deadlines=[{"stage": "first", "due_at": due_in(10 + number)},
                       {"stage": "second", "due_at": due_in(100 + number)}])


def test_the_list_shows_calls_with_their_next_deadline(client, funding_call):
    response = client.get(reverse("funding:call_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Klimaneutrale Quartiere" in html and "HORIZON-CL5-2027-02-D6-07" in html
    assert "noch 40 Tage" in html


def test_the_list_keeps_its_queries_constant(client, many_calls, citizen,
                                             django_assert_max_num_queries):
    client.force_login(citizen)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("funding:call_list"))
    assert response.content.decode().count("call-card") >= 12
    with django_assert_max_num_queries(10):
        client.get(reverse("funding:calendar"))
    with django_assert_max_num_queries(12):
        client.get(reverse("funding:programme_detail",
                           kwargs={"slug": Programme.objects.get().slug}))


@pytest.mark.parametrize(("query", "found"), [
    ({"q": "klimaneutral"}, True), ({"q": "cl5-2027"}, True), ({"q": "Bäckerei"}, False),
    ({"state": "closed"}, False), ({"state": "all"}, True), ({"level": "eu"}, True),
    ({"level": "foundation"}, False), ({"applicant_type": "research"}, True),
    ({"applicant_type": "association"}, False)])
def test_filters(client, funding_call, query, found):
    html = client.get(reverse("funding:call_list"), query).content.decode()
    assert ("Klimaneutrale Quartiere" in html) is found


def test_the_focus_area_filter(client, funding_call):
    area = funding_call.focus_areas.first()
    other = FocusArea.objects.exclude(pk__in=funding_call.focus_areas.all()).first()
    assert "Klimaneutrale" in client.get(reverse("funding:call_list"),
                                         {"focus_area": area.slug}).content.decode()
    assert "Klimaneutrale" not in client.get(reverse("funding:call_list"),
                                             {"focus_area": other.slug}).content.decode()


def test_the_calendar_groups_deadlines_by_month(client, funding_call):
    html = client.get(reverse("funding:calendar")).content.decode()
    due = funding_call.deadlines.get().due_at
    assert f'id="month-{timezone.localtime(due):%Y-%m}"' in html
    assert '<th scope="col">' in html


def test_the_detail_page(client, funding_call, partner_admin, organisation):
    CallFollow.objects.create(call=funding_call, user=partner_admin)
    url = funding_call.get_absolute_url()
    html = client.get(url).content.decode()
    assert "noch 40 Tage" in html and "Forschungseinrichtung" in html
    assert "100\u00a0%" in html and "70\u00a0%" in html
    assert "Zuletzt geprüft am" in html and "(von " in html
    assert "Cora Coordinator" not in html  # visitors see the public name only
    assert organisation.name not in html  # interested partners: for signed-in people
    assert "Verein" not in html  # not eligible: not in the rates table
    client.force_login(partner_admin)
    html = client.get(url).content.decode()
    assert organisation.name in html and "Cora Coordinator" in html
    assert reverse("funding:call_edit", kwargs={"slug": funding_call.slug}) in html


def test_follow_and_unfollow_through_the_page(client, funding_call, citizen):
    url = reverse("funding:follow", kwargs={"slug": funding_call.slug})
    assert client.post(url).status_code == 302
    client.force_login(citizen)
    client.post(url)
    assert CallFollow.objects.filter(user=citizen).exists()
    assert "Nicht mehr folgen" in client.get(funding_call.get_absolute_url()).content.decode()
    client.post(url, {"action": "unfollow"})
    assert not CallFollow.objects.exists()


def _form_data(programme, **overrides):
    day = timezone.localdate() + timedelta(days=60)
    data = {"programme": programme.pk, "source": "manual", "source_id": "",
            "title_de": "Smarte Innenstadt", "state": "open",
            "opens_on": timezone.localdate().isoformat(), "funding_type": "grant",
            "funding_rate": "80", "eligible_types": ["municipal", "company"],
            "rate_municipal": "90", "deadline_single": f"{day.isoformat()}T17:00",
            "verified": "on"}
    data.update(overrides)
    return data


def test_a_partner_admin_creates_a_call_through_the_form(client, partner_admin, programme):
    client.force_login(partner_admin)
    response = client.post(reverse("funding:call_create"), _form_data(programme))
    assert response.status_code == 302, response.content.decode()
    call = Call.objects.get()
    assert call.rate_for("municipal") == Decimal("90")
    assert call.eligible_types == ["municipal", "company"]
    assert timezone.localtime(call.deadlines.get().due_at).hour == 17
    assert call.verified_by == partner_admin


@pytest.mark.parametrize(("overrides", "field"), [
    ({"min_amount": "500", "max_amount": "100"}, "min_amount"),
    ({"max_amount": "500", "total_budget": "100"}, "max_amount"),
    ({"rate_municipal": "140"}, "rate_municipal"),
    ({"funding_rate": "101"}, "funding_rate"),
    ({"eligible_types": ["ministry"]}, "eligible_types"),
    ({"opens_on": (timezone.localdate() + timedelta(days=90)).isoformat()}, "deadline_single"),
])
def test_form_errors_stand_next_to_their_field(client, coordinator, programme, overrides,
                                               field):
    client.force_login(coordinator)
    response = client.post(reverse("funding:call_create"), _form_data(programme, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode() or field == "eligible_types"
    assert not Call.objects.exists()


@pytest.mark.parametrize("who", ["citizen", "partner_member"])
def test_the_forms_are_refused_to_others(client, request, who, funding_call):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("funding:call_create")).status_code == 403
    assert client.get(reverse("funding:call_edit",
                              kwargs={"slug": funding_call.slug})).status_code == 403
    assert client.get(reverse("funding:programme_create")).status_code == 403
    assert client.post(reverse("funding:verify",
                               kwargs={"slug": funding_call.slug})).status_code == 403
    assert client.post(reverse("funding:delete",
                               kwargs={"slug": funding_call.slug})).status_code == 403


def test_editing_keeps_the_values(client, coordinator, funding_call):
    client.force_login(coordinator)
    response = client.get(reverse("funding:call_edit", kwargs={"slug": funding_call.slug}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["rate_research"] == Decimal("100")
    assert form.initial["deadline_single"] == funding_call.deadlines.get().due_at


def test_programme_pages(client, coordinator, programme, funding_call):
    assert "Horizont Europa" in client.get(reverse("funding:programme_list")).content.decode()
    html = client.get(programme.get_absolute_url()).content.decode()
    assert "Klimaneutrale Quartiere" in html
    client.force_login(coordinator)
    response = client.post(reverse("funding:programme_create"), {
        "name_de": "Modellprojekte Smart Cities", "funder": "BMWSB", "level": "federal"})
    assert response.status_code == 302
    response = client.post(reverse("funding:programme_create"), {
        "name_de": "X", "funder": "Y", "level": "galactic"})
    assert response.status_code == 400 and "level" in response.context["form"].errors


def test_english_pages(client, funding_call):
    html = client.get(funding_call.get_absolute_url().replace("/de/", "/en/")).content.decode()
    assert "40 days left" in html and "Climate-neutral neighbourhoods" in html


def test_the_fit_with_the_focus_areas_counts_partners_and_projects(client, funding_call,
                                                                   organisation):
    area = funding_call.focus_areas.order_by("position").first()
    organisation.focus_areas.add(area)
    html = client.get(funding_call.get_absolute_url()).content.decode()
    assert '<th scope="col">Allianzpartner</th>' in html or "Allianzpartner" in html
    row = html[html.index(f"?focus_area={area.slug}"):]
    assert "<td>1</td>" in row[:400]


def test_htmx_filters_answer_with_the_results_only(client, funding_call):
    response = client.get(reverse("funding:call_list"), {"q": "klima"},
                          headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Klimaneutrale Quartiere" in html and "<html" not in html


def test_higher_apps_add_their_sections_to_the_call_page(client, funding_call):
    from stadtallianz.core import sections

    def section(request, call):
        return f"<section><h2>Test section for {call.slug}</h2></section>"

    sections.register("funding.call", section, order=999)
    try:
        html = client.get(funding_call.get_absolute_url()).content.decode()
    finally:
        sections._SECTIONS["funding.call"] = [
            entry for entry in sections._SECTIONS["funding.call"] if entry[2] is not section]
    assert f"Test section for {funding_call.slug}" in html
