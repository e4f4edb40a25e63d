"""The pages: list with filters and a constant number of queries, the notice, the forms with
errors next to their fields, and every refusal."""

from datetime import timedelta

import pytest
from django.urls import reverse

from stadtallianz.core.models import FocusArea
from stadtallianz.partnering import services
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.partners.models import Membership

pytestmark = pytest.mark.django_db


def add_notices(organisation, admin, project, funding_call, count, today):
    areas = list(FocusArea.objects.active()[:2])
    for number in range(count):
        services.notice_create(actor=admin, organisation=organisation, data={
            "title_de": f"Gesuch {number}", "project": project, "call": funding_call,
            "roles_sought": ["partner", "associated"], "wanted_types": ["research"],
            "expires_on": today + timedelta(days=30)}, focus_areas=areas)


def test_the_list_keeps_its_queries_constant(client_for, organisation, partner_admin, project,
                                             funding_call, today, citizen,
                                             django_assert_max_num_queries):
    add_notices(organisation, partner_admin, project, funding_call, 2, today)
    client = client_for(citizen)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("partnering:list"))
    add_notices(organisation, partner_admin, project, funding_call, 18, today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("partnering:list"))
    assert response.content.decode().count("card partnering-card ") == 20


def test_my_page_keeps_its_queries_constant(client_for, organisation, partner_admin, project,
                                            funding_call, today,
                                            django_assert_max_num_queries):
    add_notices(organisation, partner_admin, project, funding_call, 2, today)
    client = client_for(partner_admin)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("partnering:mine"))
    add_notices(organisation, partner_admin, project, funding_call, 10, today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("partnering:mine"))


def test_the_notice_page_keeps_its_queries_constant_with_many_interests(
        client_for, notice, partner_admin, make_user, make_organisation,
        django_assert_max_num_queries):
    def add(start, count):
        for number in range(start, start + count):
            organisation = make_organisation(f"Partner {number}")
            person = make_user(f"p{number}@example.org")
            Membership.objects.create(user=person, organisation=organisation)
            services.interest_create(actor=person, notice=notice, organisation=organisation,
                                     message=f"Angebot {number}")

    add(0, 2)
    client = client_for(partner_admin)
    with django_assert_max_num_queries(20) as few:
        client.get(notice.get_absolute_url())
    add(2, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(notice.get_absolute_url())
    assert response.content.decode().count("partnering-interest") == 12


@pytest.mark.parametrize(("query", "found"), [
    ({"wanted_type": "research"}, True), ({"wanted_type": "company"}, False),
    ({"role": "partner"}, True), ({"role": "coordinator"}, False),
    ({"call": "datenplattformen"}, True), ({"project": "quartiersbus-kreuzviertel"}, True),
    ({"project": "anderes"}, False),
])
def test_the_list_filters(client, notice, funding_call, query, found):
    Notice.objects.filter(pk=notice.pk).update(call=funding_call)
    html = client.get(reverse("partnering:list"), query).content.decode()
    assert ("Partner für Datenplattform gesucht" in html) is found


def test_the_focus_area_filter(client, notice, focus_area):
    notice.focus_areas.add(focus_area)
    assert "Partner für Datenplattform" in client.get(
        reverse("partnering:list"), {"focus_area": focus_area.slug}).content.decode()


def test_the_list_shows_open_notices_only_by_default(client_for, notice, partner_admin):
    services.notice_close(actor=partner_admin, notice=notice)
    client = client_for(partner_admin)
    assert "Partner für Datenplattform" not in client.get(
        reverse("partnering:list")).content.decode()
    assert "Partner für Datenplattform" in client.get(
        reverse("partnering:list"), {"state": "all"}).content.decode()


def test_an_archived_notice_is_a_404_for_others(client_for, notice, partner_admin,
                                                other_admin, today):
    Notice.objects.filter(pk=notice.pk).update(state=Notice.State.ARCHIVED)
    assert client_for(other_admin).get(notice.get_absolute_url()).status_code == 404
    assert client_for(None).get(notice.get_absolute_url()).status_code == 404
    assert client_for(partner_admin).get(notice.get_absolute_url()).status_code == 200


def test_an_english_page_marks_german_only_texts(client, notice):
    """The notice has an English title but a German description only."""
    html = client.get(f"/en/partner-search/{notice.pk}/").content.decode()
    assert "Partners for a data platform wanted" in html
    assert 'lang="de">Verkehrsdaten' in html


def test_posting_through_the_form(client_for, partner_admin, project, organisation, today):
    client = client_for(partner_admin)
    assert client.get(reverse("partnering:create") + f"?project={project.slug}"
                      ).status_code == 200
    response = client.post(reverse("partnering:create"), {
        "organisation": organisation.pk, "project": project.pk, "title_de": "Gesucht: Daten",
        "roles_sought": ["partner"], "wanted_types": ["research"],
        "expires_on": (today + timedelta(days=30)).isoformat()})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response.url == notice.get_absolute_url()


def test_the_forms_errors_stand_next_to_their_fields(client_for, partner_admin, organisation,
                                                     project, today):
    response = client_for(partner_admin).post(reverse("partnering:create"), {
        "organisation": organisation.pk, "project": project.pk, "title_de": "X",
        "roles_sought": ["partner"],
        "deadline": (today + timedelta(days=40)).isoformat(),
        "expires_on": (today + timedelta(days=30)).isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'id="id_deadline_error"' in response.content.decode()
    assert not Notice.objects.exists()


@pytest.mark.parametrize("name", ["citizen", "other_admin"])
def test_others_may_not_post_edit_renew_close_or_answer(client_for, request, notice, interest,
                                                        name):
    person = request.getfixturevalue(name)
    client = client_for(person)
    if name == "citizen":
        assert client.get(reverse("partnering:create")).status_code == 403
    assert client.get(reverse("partnering:edit", kwargs={"pk": notice.pk})).status_code == 403
    assert client.get(reverse("partnering:renew", kwargs={"pk": notice.pk})).status_code == 403
    client.post(reverse("partnering:close", kwargs={"pk": notice.pk}))
    client.post(reverse("partnering:interest_answer", kwargs={
        "pk": notice.pk, "interest_pk": interest.pk, "action": "accept"}))
    notice.refresh_from_db()
    interest.refresh_from_db()
    assert notice.state == Notice.State.OPEN and interest.state == Interest.State.PENDING


def test_a_visitor_is_sent_to_log_in(client, notice):
    response = client.get(reverse("partnering:create"))
    assert response.status_code == 302 and "login" in response.url


def test_expressing_interest_through_the_page(client_for, notice, other_admin,
                                              other_organisation):
    client = client_for(other_admin)
    assert "Interesse bekunden" in client.get(notice.get_absolute_url()).content.decode()
    response = client.post(notice.get_absolute_url(), {"organisation": other_organisation.pk,
                                                       "message": "Wir helfen gern."})
    assert response.status_code == 302
    assert Interest.objects.get().message == "Wir helfen gern."
    # Not twice: the form is gone, a post is refused.
    assert "Interesse bekunden" not in client.get(notice.get_absolute_url()).content.decode()
    assert client.post(notice.get_absolute_url(), {"organisation": other_organisation.pk,
                                                   "message": "Nochmal"}).status_code == 403


def test_an_empty_message_is_an_error_next_to_the_field(client_for, notice, other_admin,
                                                        other_organisation):
    response = client_for(other_admin).post(notice.get_absolute_url(), {
        "organisation": other_organisation.pk, "message": " "})
    assert response.status_code == 400
    assert 'id="id_message_error"' in response.content.decode()


def test_the_owner_accepts_renews_and_closes_through_the_pages(client_for, notice, interest,
                                                               partner_admin, today):
    client = client_for(partner_admin)
    client.post(reverse("partnering:interest_answer", kwargs={
        "pk": notice.pk, "interest_pk": interest.pk, "action": "accept"}))
    interest.refresh_from_db()
    assert interest.state == Interest.State.ACCEPTED
    client.post(reverse("partnering:close", kwargs={"pk": notice.pk}))
    notice.refresh_from_db()
    assert notice.state == Notice.State.CLOSED
    response = client.post(reverse("partnering:renew", kwargs={"pk": notice.pk}), {
        "expires_on": (today + timedelta(days=45)).isoformat(), "deadline": ""})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == Notice.State.OPEN and notice.deadline is None


def test_editing_through_the_form(client_for, notice, partner_admin, project, today):
    client = client_for(partner_admin)
    assert client.get(reverse("partnering:edit", kwargs={"pk": notice.pk})).status_code == 200
    response = client.post(reverse("partnering:edit", kwargs={"pk": notice.pk}), {
        "project": project.pk, "title_de": "Neuer Titel", "roles_sought": ["coordinator"],
        "expires_on": notice.expires_on.isoformat()})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title_de == "Neuer Titel" and notice.roles_sought == ["coordinator"]


def test_the_include_for_project_pages(notice, project, rf, partner_admin):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = partner_admin
    html = Template("{% load partnering %}{% open_notices_for project %}").render(
        Context({"project": project, "request": request, "user": partner_admin}))
    assert "Partner für Datenplattform gesucht" in html
    assert f"?project={project.slug}" in html


def test_search_text_and_sitemap(notice, partner_admin):
    from stadtallianz.partnering import queries

    texts = queries.search_text(notice)
    assert "Verkehrsdaten" in texts["de"] and "data platform" in texts["en"]
    assert list(queries.sitemap_notices()) == [notice]
    services.notice_close(actor=partner_admin, notice=notice)
    assert list(queries.sitemap_notices()) == []


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "٣", "-1"])
def test_broken_ids_in_query_parameters_are_ignored(client_for, notice, partner_admin, value):
    assert client_for(None).get(reverse("partnering:list"), {"idea": value}).status_code == 200
    assert client_for(partner_admin).get(reverse("partnering:create"),
                                         {"idea": value}).status_code == 200
