"""Suggestion pages, the fragment the project, call and notice pages embed, hiding and showing
again, the API, and who may see what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.matchmaking import services
from stadtallianz.matchmaking.models import Dismissal
from stadtallianz.partners.models import Membership, Offer, Organisation
from stadtallianz.projects.models import Project

pytestmark = pytest.mark.django_db


def project_page(client, alliance, **params):
    return client.get(reverse("matchmaking:project", kwargs={"slug": alliance["project"].slug}),
                      params)


def test_partners_for_a_project_with_reasons(client, lead_person, alliance):
    client.force_login(lead_person)
    response = project_page(client, alliance)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verkehrsamt Test" in html and "Institut Mobilitätsforschung" in html
    # Reasons in German naming their evidence.
    assert "bietet Verkehrsdaten an (Angebot: Verkehrsdaten in Echtzeit)" in html
    assert "Mitglied der Arbeitsgruppe Mobilität" in html
    # Never the consortium, never a non-public organisation, never one that shares nothing.
    assert ">Stadtwerke Test</a>" not in html
    assert "Verkehrsdaten Entwurf" not in html
    assert "Bäckerei Test" not in html
    assert "Nicht relevant" in html and "csrfmiddlewaretoken" in html


def test_in_english_the_german_evidence_is_marked(client, lead_person, alliance):
    client.force_login(lead_person)
    html = client.get(f"/en/suggestions/projects/{alliance['project'].slug}/").content.decode()
    assert 'offers <span lang="de">Verkehrsdaten</span> (offer: <span lang="de">' in html
    assert "member of the working group Mobility" in html


def test_the_fragment_for_embedding(client, lead_person, alliance):
    client.force_login(lead_person)
    response = project_page(client, alliance, fragment="1")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"Verkehrsamt Test" in response.content
    htmx = client.get(reverse("matchmaking:project", kwargs={"slug": "daten-verkehr"}),
                      HTTP_HX_REQUEST="true")
    assert b"<html" not in htmx.content


def test_visitors_citizens_and_people_without_partner_see_none(client, citizen, alliance):
    response = project_page(client, alliance)
    assert response.status_code == 302 and "login" in response["Location"]
    assert project_page(client, alliance, fragment="1").content == b""
    client.force_login(citizen)
    assert project_page(client, alliance).status_code == 403
    assert project_page(client, alliance, fragment="1").content == b""
    assert client.get(reverse("matchmaking:index")).status_code == 403
    assert client.get(reverse("matchmaking:project", kwargs={"slug": "none"})).status_code == 404


def test_dismiss_is_remembered_for_that_person_only_and_undone(client, lead_person, data_person,
                                                                alliance, coordinator):
    client.force_login(lead_person)
    project = alliance["project"]
    form = {"subject_kind": "project", "subject_id": project.pk,
            "object_kind": "organisation", "object_id": alliance["data"].pk,
            "next": reverse("matchmaking:project", kwargs={"slug": project.slug})}
    response = client.post(reverse("matchmaking:dismiss"), form)
    assert response.status_code == 302 and response["Location"] == form["next"]
    assert AuditEntry.objects.filter(action="matchmaking.suggestion.dismissed").exists()
    html = client.get(form["next"]).content.decode()
    assert "Verkehrsamt Test" not in html
    assert "Vorschlag wieder anzeigen" in html  # the undo button, once
    # Another person still sees it.
    client.force_login(coordinator)
    assert "Verkehrsamt Test" in client.get(form["next"]).content.decode()
    client.force_login(lead_person)
    client.post(reverse("matchmaking:undo"), form)
    assert not Dismissal.objects.exists()
    assert AuditEntry.objects.filter(action="matchmaking.suggestion.restored").exists()
    assert "Verkehrsamt Test" in client.get(form["next"]).content.decode()


def test_dismiss_refuses_bad_input_and_outsiders(client, lead_person, citizen, alliance):
    client.force_login(lead_person)
    bad = {"subject_kind": "nonsense", "subject_id": 1, "object_kind": "organisation",
           "object_id": 1}
    assert client.post(reverse("matchmaking:dismiss"), bad).status_code == 400
    with pytest.raises(ValidationError) as error:
        services.dismiss(by=lead_person, subject_kind="project", subject_id=1,
                         object_kind="project", object_id=2)
    assert "object_kind" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.dismiss(by=citizen, subject_kind="project", subject_id=1,
                         object_kind="organisation", object_id=2)
    # Ids beyond the table's range or of nothing: 400/422 naming the field, no row, no 500.
    project = Project.objects.create(title_de="Radverkehr", slug="radverkehr-hiding")
    for too_large in ({"object_id": 10**20}, {"subject_id": 2**63}):
        fields = {"subject_kind": "project", "subject_id": project.pk,
                  "object_kind": "organisation", "object_id": 1, **too_large}
        assert client.post(reverse("matchmaking:dismiss"), fields).status_code == 400
        answer = client.post("/api/v1/suggestions/dismissals", fields,
                             content_type="application/json")
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"][-1] == next(iter(too_large))
    with pytest.raises(ValidationError) as error:
        services.dismiss(by=lead_person, subject_kind="project", subject_id=project.pk,
                         object_kind="organisation", object_id=987654321)
    assert list(error.value.message_dict) == ["object_id"]
    assert not Dismissal.objects.exists()
    client.logout()
    assert client.post(reverse("matchmaking:dismiss"), bad).status_code == 302  # to log in


def test_own_suggestions_page(client, data_person, alliance):
    Project.objects.create(title_de="Verkehrsdaten für den Radverkehr", slug="rad",
                           summary_de="Wir brauchen Verkehrsdaten.")
    client.force_login(data_person)
    response = client.get(reverse("matchmaking:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verkehrsdaten für den Radverkehr" in html
    assert "passt zu Ihrem Angebot Verkehrsdaten" in html
    # Its own earlier project is no suggestion.
    assert "Frühere Zusammenarbeit" not in html


def test_query_count_does_not_grow(client, lead_person, alliance, make_organisation,
                                   django_assert_max_num_queries, mobility):
    client.force_login(lead_person)
    url = reverse("matchmaking:project", kwargs={"slug": alliance["project"].slug})
    client.get(url)  # the profiles kept

    def grow(n):
        for i in range(n):
            o = make_organisation(f"Verkehrsplanung {i}", summary_de="Verkehrsdaten")
            o.focus_areas.add(mobility)
            Offer.objects.create(organisation=o, kind="offer", category="data",
                                 text="Daten zum Verkehr")

    with django_assert_max_num_queries(25) as few:
        client.get(url)
    # Read at once: the next request empties the query log the count is taken from.
    page_queries = len(few.captured_queries)
    grow(15)
    client.get(url)  # the profiles rebuilt once after the change (a handful of queries)
    with django_assert_max_num_queries(page_queries):
        assert "Verkehrsplanung 3" in client.get(url).content.decode()
    index = reverse("matchmaking:index")
    client.get(index)
    with django_assert_max_num_queries(30) as before:
        client.get(index)
    index_queries = len(before.captured_queries)
    for i in range(10):
        Project.objects.create(title_de=f"Verkehr {i}", slug=f"verkehr-{i}",
                               summary_de="Daten zum Verkehr")
    client.get(index)
    with django_assert_max_num_queries(index_queries):
        client.get(index)


def test_api(client, lead_person, citizen, alliance, token_for):
    key = token_for(lead_person)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.get(f"/api/v1/suggestions/projects/{alliance['project'].slug}", **auth)
    assert response.status_code == 200
    found = response.json()
    assert found[0]["kind"] == "organisation" and found[0]["reasons"]
    assert {"code", "params", "text"} <= set(found[0]["reasons"][0])
    first = found[0]["id"]
    body = {"subject_kind": "project", "subject_id": alliance["project"].pk,
            "object_kind": "organisation", "object_id": first}
    assert client.post("/api/v1/suggestions/dismissals", body, content_type="application/json",
                       **auth).status_code == 204
    again = client.get(f"/api/v1/suggestions/projects/{alliance['project'].slug}", **auth).json()
    assert first not in [s["id"] for s in again]
    assert client.post("/api/v1/suggestions/dismissals/undo", body,
                       content_type="application/json", **auth).status_code == 204
    assert client.post("/api/v1/suggestions/dismissals/undo", body,
                       content_type="application/json", **auth).status_code == 404
    bad = client.post("/api/v1/suggestions/dismissals", {**body, "object_kind": "x"},
                      content_type="application/json", **auth)
    assert bad.status_code == 422 and "object_kind" in bad.content.decode()
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {token_for(citizen)}"}
    assert client.get(f"/api/v1/suggestions/projects/{alliance['project'].slug}",
                      **outsider).status_code == 403
    assert client.get(f"/api/v1/suggestions/organisations/{alliance['lead'].slug}",
                      **outsider).status_code == 403
    assert client.get(f"/api/v1/suggestions/organisations/{alliance['lead'].slug}",
                      **auth).status_code == 200
    assert client.get(f"/api/v1/suggestions/organisations/{alliance['data'].slug}",
                      **auth).status_code == 403
    assert client.get("/api/v1/suggestions/projects/x").status_code == 401


def test_profiles_follow_changes(client, lead_person, alliance):
    client.force_login(lead_person)
    url = reverse("matchmaking:project", kwargs={"slug": alliance["project"].slug})
    assert "Verkehrsamt Test" in client.get(url).content.decode()
    alliance["data"].status = Organisation.Status.WITHDRAWN
    alliance["data"].save()
    assert "Verkehrsamt Test" not in client.get(url).content.decode()
    offer = Offer.objects.create(organisation=alliance["unrelated"], kind="offer",
                                 category="data", text="Brot")
    offer.text = "Zählungen des Verkehrs"
    offer.save()  # same count, same newest id: the signal makes the profiles fresh
    assert "Bäckerei Test" in client.get(url).content.decode()


def test_privacy_export(lead_person, alliance):
    services.dismiss(by=lead_person, subject_kind="project", subject_id=alliance["project"].pk,
                     object_kind="organisation", object_id=alliance["data"].pk)
    exported = services.personal_data(lead_person)["matchmaking_hidden_suggestions"]
    assert list(exported.values_list("object_id", flat=True)) == [alliance["data"].pk]
    lead_person.delete()
    assert not Dismissal.objects.exists()
    assert Membership.objects.count() == 0


def test_sections_for_the_project_call_and_notice_pages(rf, lead_person, citizen, alliance):
    from django.contrib.auth.models import AnonymousUser

    from stadtallianz.core import sections

    request = rf.get("/")
    request.user = lead_person
    html = sections.render("projects.project", request, alliance["project"])
    url = reverse("matchmaking:project", kwargs={"slug": alliance["project"].slug})
    assert f'href="{url}"' in html and "hx-get" in html
    for user in (citizen, AnonymousUser()):
        request.user = user
        # Other apps add their sections to the place too; ours is not there.
        assert "suggested-partners" not in sections.render("projects.project", request,
                                                           alliance["project"])
