import csv
import io
from datetime import date

import pytest

from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.projects import queries, services
from stadtallianz.projects.models import (
    ConsortiumMember,
    Milestone,
    Project,
    ProjectPlace,
    Result,
)

pytestmark = pytest.mark.django_db


def test_everyone_reads_the_list_and_a_project(api, project, group_project):
    response = api(None)("get", "")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["slug"] == project.slug)
    assert item["lead"]["name"] == "Stadtwerke Beispielstadt"
    assert item["version"] == 1 and item["phase"] == "concept"
    detail = api(None)("get", f"/{project.slug}").json()
    assert detail["description_html"].startswith("<h3")  # below the page's "Description"
    assert detail["places"] == {"type": "FeatureCollection", "features": []}
    assert api(None)("get", "/gibt-es-nicht").status_code == 404


def test_list_filters(api, project, group_project, group, organisation):
    assert [i["slug"] for i in api(None)("get", f"?group={group.slug}").json()["items"]] == [
        group_project.slug]
    assert [i["slug"] for i in api(None)(
        "get", f"?organisation={organisation.slug}").json()["items"]] == [project.slug]
    assert api(None)("get", "?phase=preparation").json()["count"] == 1
    response = api(None)("get", "?phase=unknown")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "phase"
    assert api(None)("get", "?sdg=18").status_code == 422


def _many(organisation, actor, count):
    for n in range(count):
        project = services.create_project(actor=actor, organisation=organisation,
                                          data={"title_de": f"Projekt {n}"})
        project.focus_areas.set([1])
        Result.objects.create(project=project, title="R", progress=50)


def test_list_query_count_does_not_grow(api, client, organisation, partner_admin):
    _many(organisation, partner_admin, 2)
    few = query_count(client.get, "/api/v1/projects?limit=50")
    _many(organisation, partner_admin, 8)
    assert query_count(client.get, "/api/v1/projects?limit=50") == few


def test_create_by_partner_admin_and_refusals(api, partner_admin, partner_member, citizen,
                                             organisation, other_organisation):
    payload = {"title_de": "Neues Projekt", "organisation": organisation.slug,
               "focus_areas": ["mobility"], "principles": [1, 2]}
    assert api(None)("post", "", payload).status_code == 401
    assert api(citizen)("post", "", payload).status_code == 403
    # A plain member does not commit the organisation as lead: that is for its admins.
    assert api(partner_member)("post", "", payload).status_code == 403
    response = api(partner_admin)("post", "", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead"]["slug"] == organisation.slug
    assert [p["number"] for p in body["principles"]] == [1, 2]
    assert api(partner_admin)("post", "", {**payload, "organisation":
                                           other_organisation.slug}).status_code == 403
    bad = api(partner_admin)("post", "", {**payload, "focus_areas": ["nope"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "focus_areas"
    bad = api(partner_admin)("post", "", {"title_de": "Ohne Träger"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "organisation"
    assert Project.objects.count() == 1


def test_update_with_version_and_conflict(api, project, partner_member, partner_admin, citizen):
    path = f"/{project.slug}"
    assert api(citizen)("patch", path, {"version": 1, "title_de": "X"}).status_code == 403
    response = api(partner_admin)("patch", path, {"version": 1, "title_de": "Erster"})
    assert response.status_code == 200 and response.json()["version"] == 2
    conflict = api(partner_member)("patch", path, {"version": 1, "title_de": "Zweiter",
                                                   "summary_de": "Ein Bus auf Abruf."})
    assert conflict.status_code == 409
    assert conflict.json()["current_version"] == 2
    assert conflict.json()["fields"] == ["title_de"]
    assert conflict.json()["current"] == {"title_de": "Erster"}
    assert Project.objects.get(pk=project.pk).title_de == "Erster"
    missing = api(partner_member)("patch", path, {"title_de": "Ohne Version"})
    assert missing.status_code == 422


def test_closed_phase_is_a_422_naming_the_phase(api, project, partner_member):
    path = f"/{project.slug}"
    api(partner_member)("patch", path, {"version": 1, "phase": "stopped"})
    response = api(partner_member)("patch", path, {"version": 2, "phase": "pilot"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "phase"


def test_consortium_flow(api, project, partner_admin, partner_member, other_admin,
                         other_organisation):
    path = f"/{project.slug}/consortium"
    invite = {"organisation": other_organisation.slug, "role": "partner"}
    assert api(partner_member)("post", path, invite).status_code == 403
    response = api(partner_admin)("post", path, invite)
    assert response.status_code == 201
    member_id = response.json()["id"]
    # The public sees accepted organisations only; the lead's admins the invitation too.
    assert len(api(None)("get", path).json()) == 1
    assert len(api(partner_admin)("get", path).json()) == 2
    assert api(partner_admin)("post", f"{path}/{member_id}/accept").status_code == 403
    accepted = api(other_admin)("post", f"{path}/{member_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert api(other_admin)("post", f"{path}/{member_id}/decline").status_code == 409
    lead_id = ConsortiumMember.objects.get(project=project, role="lead").pk
    assert api(partner_admin)("delete", f"{path}/{lead_id}").status_code == 409
    assert api(partner_admin)("delete", f"{path}/{member_id}").status_code == 204
    assert api(partner_admin)("post", path, {"organisation": "nope"}).status_code == 422
    lead = api(partner_admin)("post", path, {"organisation": other_organisation.slug,
                                             "role": "lead"})
    assert lead.status_code == 422 and lead.json()["detail"][0]["loc"][-1] == "role"


def test_parts_crud_and_bad_input(api, project, partner_member, citizen):
    base = f"/{project.slug}"
    call = api(partner_member)
    created = call("post", f"{base}/milestones", {"title": "M1", "due": "2026-06-01"})
    assert created.status_code == 201
    mid = created.json()["id"]
    bad = call("put", f"{base}/milestones/{mid}", {"title": "M1", "due": "2026-06-01",
                                                    "state": "done"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "done_at"
    done = call("put", f"{base}/milestones/{mid}", {"title": "M1", "due": "2026-06-01",
                                                     "state": "done", "done_at": "2026-01-02"})
    assert done.status_code == 200 and Milestone.objects.get().done_at == date(2026, 1, 2)
    assert api(citizen)("post", f"{base}/milestones", {"title": "X", "due": "2026-01-01"}
                        ).status_code == 403

    negative = call("post", f"{base}/budget-lines", {"label": "x", "amount": "-5"})
    assert negative.status_code == 422
    assert negative.json()["detail"][0]["loc"][-1] == "amount"
    currency = call("post", f"{base}/budget-lines", {"label": "x", "amount": "5",
                                                     "currency": "XXX"})
    assert currency.status_code == 422 and currency.json()["detail"][0]["loc"][-1] == "currency"
    assert call("post", f"{base}/budget-lines", {"label": "x", "amount": "5.5"}
                ).status_code == 201

    open_ring = {"type": "Polygon", "coordinates": [[[7, 51], [7.1, 51], [7.1, 51.1],
                                                     [7, 51.05]]]}
    place = call("post", f"{base}/places", {"name": "Ort", "geometry": open_ring})
    assert place.status_code == 422
    assert "not closed" in place.json()["detail"][0]["msg"]
    assert place.json()["detail"][0]["loc"][-1] == "geometry"

    sdg = call("post", f"{base}/sdgs", {"goal": 11, "target": "7.2"})
    assert sdg.status_code == 422 and sdg.json()["detail"][0]["loc"][-1] == "target"
    assert call("post", f"{base}/sdgs", {"goal": 11, "target": "11.2"}).status_code == 201

    result = call("post", f"{base}/results", {"title": "R", "progress": 40})
    assert result.status_code == 201
    assert call("post", f"{base}/results", {"title": "R", "progress": 140}).status_code == 422
    assert api(None)("get", base).json()["progress"] == 40
    assert call("post", f"{base}/updates", {"title": "Neu", "body": "**fett**"}
                ).status_code == 201
    assert call("post", f"{base}/phases", {"phase": "pilot", "start": "2026-02-01",
                                           "end": "2026-01-01"}).status_code == 422
    detail = api(None)("get", base).json()
    assert detail["budget_totals"] == [{"currency": "EUR", "amount": "5.50"}]
    assert detail["updates"][0]["body_html"].strip() == "<p><strong>fett</strong></p>"
    assert call("delete", f"{base}/milestones/{mid}").status_code == 204
    assert call("delete", f"{base}/milestones/{mid}").status_code == 404
    assert AuditEntry.objects.filter(action="project.milestone.deleted").exists()


def test_exports_are_formula_safe(api, client, partner_admin, organisation):
    services.create_project(actor=partner_admin, organisation=organisation,
                            data={"title_de": "=HYPERLINK(\"http://x\")", "title_en": "+1"})
    response = client.get("/api/v1/projects/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()
                                       .lstrip("\ufeff"))))
    assert rows[0][0] == "slug"
    assert rows[1][1].startswith("'=") and rows[1][2] == "'+1"
    data = client.get("/api/v1/projects/export.json").json()
    assert data[0]["title_de"] == "=HYPERLINK(\"http://x\")"


def test_geojson_of_all_projects(api, client, project, partner_member):
    services.save_part(project=project, actor=partner_member,
                       instance=project.places.model(), data={
                           "name": "Ort", "geometry": {"type": "Point",
                                                       "coordinates": [7.6, 51.9]}})
    response = client.get("/api/v1/projects/map.geojson")
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()["features"][0]
    assert feature["properties"]["title"] == project.title_de
    assert feature["geometry"]["type"] == "Point"


def test_sdg_target_reference_endpoint(client):
    targets = client.get("/api/v1/sdg-targets").json()
    assert len(targets) == 169
    goal11 = client.get("/api/v1/sdg-targets?goal=11").json()
    assert [t["code"] for t in goal11][:2] == ["11.1", "11.2"] and goal11[-1]["code"] == "11.c"


@pytest.mark.parametrize("coordinates", [
    [7, 51, float("nan")], [7, 51, float("inf")], [float("-inf"), 51], [7, 51, 10 ** 400]])
def test_a_place_with_a_coordinate_that_is_not_a_finite_number_is_422(
        api, project, partner_member, coordinates):
    response = api(partner_member)("post", f"/{project.slug}/places", {
        "name": "Ort", "geometry": {"type": "Point", "coordinates": coordinates}})
    assert response.status_code == 422
    # NaN and Infinity are not JSON numbers, 10**400 is beyond the integer range: the body is
    # refused whole by the input limits before the schema sees a field (docs/api.md "Input
    # limits").
    [error] = response.json()["detail"]
    assert error["type"] == "input_limit"
    assert "(limit: number)" in error["msg"] or "(limit: integer range)" in error["msg"]
    assert not project.places.exists()


def test_a_stale_edit_of_the_focus_areas_is_a_conflict(api, project, partner_member,
                                                      partner_admin):
    """B, editing from version 1, would silently put back the focus areas A just chose."""
    slugs = sorted(FocusArea.objects.active().values_list("slug", flat=True))[:2]
    path = f"/{project.slug}"
    assert api(partner_admin)("patch", path, {"version": 1, "focus_areas": slugs[:1],
                                              "principles": [1, 2]}).status_code == 200
    conflict = api(partner_member)("patch", path, {"version": 1, "focus_areas": [],
                                                   "principles": [2, 1]})
    assert conflict.status_code == 409
    assert conflict.json()["fields"] == ["focus_areas"]
    assert conflict.json()["current"] == {"focus_areas": slugs[:1]}
    assert list(project.focus_areas.values_list("slug", flat=True)) == slugs[:1]


def test_phase_rules_in_the_api(api, project, partner_admin, organisation):
    Project.objects.filter(pk=project.pk).update(phase="rollout")
    back = api(partner_admin)("patch", f"/{project.slug}", {"version": 1, "phase": "concept"})
    assert back.status_code == 422
    assert back.json()["detail"][0]["loc"][-1] == "phase"
    assert "Rollout" in back.json()["detail"][0]["msg"]
    assert "Concept" in back.json()["detail"][0]["msg"]
    done = api(partner_admin)("post", "", {"title_de": "Fertig", "phase": "completed",
                                           "organisation": organisation.slug})
    assert done.status_code == 422 and done.json()["detail"][0]["loc"][-1] == "phase"
    assert Project.objects.count() == 1


def test_the_twenty_first_place_is_refused_with_409_and_a_message(api, project, partner_member):
    ProjectPlace.objects.bulk_create(
        ProjectPlace(project=project, name=f"Ort {n}",
                     geometry={"type": "Point", "coordinates": [7.6, 51.9]})
        for n in range(services.PART_LIMITS[ProjectPlace]))
    response = api(partner_member)("post", f"/{project.slug}/places", {
        "name": "Zu viel", "geometry": {"type": "Point", "coordinates": [7, 51]}})
    assert response.status_code == 409
    assert "at most 20 places" in response.json()["detail"]


def test_the_map_of_all_projects_is_bounded(api, client, project, monkeypatch):
    ring = [[7 + n / 1000, 51] for n in range(300)]
    ring = [*ring, [7.3, 51.1], ring[0]]
    ProjectPlace.objects.bulk_create([
        ProjectPlace(project=project, name="Großes Gebiet",
                     geometry={"type": "Polygon", "coordinates": [ring]}),
        ProjectPlace(project=project, name="Kleines Gebiet", geometry={
            "type": "Polygon", "coordinates": [[[7, 51], [7.1, 51], [7.1, 51.1], [7, 51]]]}),
        ProjectPlace(project=project, name="Punkt",
                     geometry={"type": "Point", "coordinates": [7.6, 51.9]})])
    for url in ("/projects/map.geojson", "/api/v1/projects/map.geojson"):
        data = (client.get(url) if url.startswith("/api") else
                client.get("/de" + url)).json()
        kinds = {f["properties"]["subtitle"]: f["geometry"]["type"] for f in data["features"]}
        assert kinds == {"Großes Gebiet": "Point", "Kleines Gebiet": "Polygon",
                         "Punkt": "Point"}, url
        assert data["truncated"] is False
    # The project's own page and API keep the large area in full.
    detail = api(None)("get", f"/{project.slug}").json()
    assert {f["geometry"]["type"] for f in detail["places"]["features"]} == {"Polygon",
                                                                             "Point"}
    monkeypatch.setattr(queries, "MAP_MAX_FEATURES", 2)
    data = client.get("/api/v1/projects/map.geojson").json()
    assert len(data["features"]) == 2 and data["truncated"] is True


# Issue 11, item 3: a date a person sets lies in the range of plans (2000 to 2100,
# core/timerange.py) or the request is a 422 naming the field and nothing is stored.
IMPLAUSIBLE_DATES = ["0001-01-01", "9999-12-31", "1969-12-31", "1999-12-31", "2101-01-01"]


@pytest.mark.parametrize("value", IMPLAUSIBLE_DATES)
def test_an_implausible_project_date_is_a_422_naming_the_field(api, project, partner_member,
                                                               value):
    call, base = api(partner_member), f"/{project.slug}"
    due = call("post", f"{base}/milestones", {"title": "M1", "due": value})
    assert due.status_code == 422 and due.json()["detail"][0]["loc"][-1] == "due"
    done = call("post", f"{base}/milestones", {"title": "M1", "due": "2026-06-01",
                                               "state": "done", "done_at": value})
    assert done.status_code == 422
    assert "done_at" in {item["loc"][-1] for item in done.json()["detail"]}
    assert not Milestone.objects.exists()
    for field in ("start", "end"):
        phase = call("post", f"{base}/phases", {"phase": "pilot", "start": "2026-02-01",
                                                field: value})
        assert phase.status_code == 422
        assert field in {item["loc"][-1] for item in phase.json()["detail"]}
    assert not project.phase_periods.filter(phase="pilot").exists()
