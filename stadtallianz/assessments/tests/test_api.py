"""The assessments API: reading per role, the workflow, refusals 401/403/404/409, bad input 422
naming the field, the portfolio as JSON and query counts."""

import pytest

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.testing import query_count
from stadtallianz.projects.models import Result

from .conftest import VALUES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessments"
State = Assessment.State
ROLES = [None, "citizen", "outsider", "team_member", "coordinator"]
SEES_OPEN = {"team_member", "coordinator"}


def _body(values=VALUES):
    return {"scores": [{"principle": n, "score": v, "justification": f"Weil {n}.",
                        "evidence": []} for n, v in enumerate(values, start=1)]}


def _put(client, path, data):
    """A PUT of scores; without a `version` in `data`, the stored one (a save racing nobody)."""
    if "version" not in data:
        pk = int(path.split("/")[-2])
        stored = Assessment.objects.filter(pk=pk).values_list("version", flat=True).first()
        data = {**data, "version": stored or 1}
    return client.put(path, data, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_per_role(as_role, project, make_assessment, role):
    published = make_assessment(project, evidence_url="https://example.org/a")
    draft = make_assessment(project, [1], state=State.DRAFT)
    client = as_role(role)
    listing = client.get(f"{BASE}/projects/{project.slug}").json()
    ids = [item["id"] for item in listing["items"]]
    assert ids == ([draft.pk, published.pk] if role in SEES_OPEN else [published.pk])
    detail = client.get(f"{BASE}/{published.pk}").json()
    assert [s["score"] for s in detail["scores"]] == VALUES
    assert detail["scores"][0]["evidence"][0]["url"] == "https://example.org/a"
    assert detail["scores"][3]["score_words"]
    assert client.get(f"{BASE}/{draft.pk}").status_code == (200 if role in SEES_OPEN else 404)


def test_unknown_project_and_assessment_are_404(client):
    assert client.get(f"{BASE}/projects/nirgends").status_code == 404
    assert client.get(f"{BASE}/999999").status_code == 404


def test_workflow_through_the_api(client_for, project, team_member, coordinator):
    team, office = client_for(team_member), client_for(coordinator)
    created = team.post(f"{BASE}/projects/{project.slug}")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert team.post(f"{BASE}/projects/{project.slug}").status_code == 409
    response = _put(team, f"{BASE}/{pk}/scores", _body(VALUES[:5]))
    assert response.status_code == 200 and len(response.json()["scores"]) == 5
    incomplete = team.post(f"{BASE}/{pk}/submit")
    assert incomplete.status_code == 409 and "6, 7, 8" in incomplete.json()["detail"]
    assert _put(team, f"{BASE}/{pk}/scores", _body()).status_code == 200
    assert team.post(f"{BASE}/{pk}/submit").json()["state"] == "submitted"
    assert _put(team, f"{BASE}/{pk}/scores", _body()).status_code == 409
    assert team.post(f"{BASE}/{pk}/accept").status_code == 403
    bad = office.post(f"{BASE}/{pk}/request-changes", {"comment": " "},
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "comment"
    changes = office.post(f"{BASE}/{pk}/request-changes", {"comment": "Belege bitte."},
                          content_type="application/json")
    assert changes.json()["state"] == "changes_requested"
    assert changes.json()["review_comment"] == "Belege bitte."
    assert office.post(f"{BASE}/{pk}/accept").status_code == 409
    team.post(f"{BASE}/{pk}/submit")
    accepted = office.post(f"{BASE}/{pk}/accept").json()
    assert accepted["state"] == "accepted" and accepted["is_current"]
    assert accepted["published_at"]


def test_writing_needs_authentication(client, project, make_assessment):
    draft = make_assessment(project, state=State.SUBMITTED)
    assert client.post(f"{BASE}/projects/{project.slug}").status_code == 401
    assert _put(client, f"{BASE}/{draft.pk}/scores", _body()).status_code == 401
    assert client.post(f"{BASE}/{draft.pk}/accept").status_code == 401


@pytest.mark.parametrize("role", ["citizen", "outsider"])
def test_outsiders_are_refused(as_role, project, make_assessment, role):
    client = as_role(role)
    assert client.post(f"{BASE}/projects/{project.slug}").status_code == 403
    published = make_assessment(project)
    # A published one they see, but may not change (409 would tell the state; 403 first).
    assert _put(client, f"{BASE}/{published.pk}/scores", _body()).status_code == 403
    draft = make_assessment(project, state=State.SUBMITTED)
    # An open one they do not see at all.
    assert client.post(f"{BASE}/{draft.pk}/accept").status_code == 404
    assert _put(client, f"{BASE}/{draft.pk}/scores", _body()).status_code == 404


@pytest.mark.parametrize("change,loc", [
    (lambda b: b["scores"][3].update(score=3), ["scores", 3, "score"]),
    (lambda b: b["scores"][3].update(score="viel"), ["scores", 3, "score"]),
    (lambda b: b["scores"][3].update(justification=""), ["scores", 3, "justification"]),
    (lambda b: b["scores"][3].pop("justification"), ["scores", 3, "justification"]),
    (lambda b: b["scores"][2].update(principle=12), ["scores", 2, "principle"]),
    (lambda b: b["scores"][1].update(principle=1), ["scores", 1, "principle"]),
    (lambda b: b["scores"][0].update(evidence=[{"label": "x", "url": "javascript:x"}]),
     ["scores", 0, "evidence", 0, "url"]),
    (lambda b: b["scores"][0].update(evidence=[{"label": "x", "document": 999999}]),
     ["scores", 0, "evidence", 0, "document"]),
    (lambda b: b["scores"][0].update(evidence=[{"label": "x", "result": 999999}]),
     ["scores", 0, "evidence", 0, "result"]),
    (lambda b: b["scores"][0].update(justification="a\x00b"), ["scores", 0, "justification"]),
])
def test_bad_scores_are_422_naming_the_field(client_for, project, team_member,
                                             make_assessment, change, loc):
    draft = make_assessment(project, [0] * 8, state=State.DRAFT)
    body = _body()
    change(body)
    response = _put(client_for(team_member), f"{BASE}/{draft.pk}/scores", body)
    assert response.status_code == 422, response.json()
    # The field's path ends the loc: ["body", "payload", …] from the schema, ["body", …] from
    # the input limits of the parser (a NUL byte), which runs before the schema.
    assert [item["loc"][-len(loc):] for item in response.json()["detail"]] == [loc]
    assert list(draft.scores.values_list("score", flat=True)) == [0] * 8


def test_a_result_of_another_project_is_refused(client_for, project, team_member,
                                                 make_project, make_assessment):
    foreign = Result.objects.create(project=make_project("Anders", team=None), title="F")
    own = Result.objects.create(project=project, title="Eigen")
    draft = make_assessment(project, [0] * 8, state=State.DRAFT)
    body = _body()
    body["scores"][0]["evidence"] = [{"label": "F", "result": foreign.pk}]
    assert _put(client_for(team_member), f"{BASE}/{draft.pk}/scores", body).status_code == 422
    body["scores"][0]["evidence"] = [{"label": "", "result": own.pk}]
    response = _put(client_for(team_member), f"{BASE}/{draft.pk}/scores", body)
    evidence = response.json()["scores"][0]["evidence"][0]
    assert evidence["result"] == own.pk and evidence["label"] == "Eigen"


def test_portfolio_json(client, make_project, make_assessment, focus_area):
    a = make_project("Radweg", area=focus_area)
    b = make_project("Parkhaus")
    make_assessment(a, [2, 1, 0, 1, 0, 1, 0, 1])
    make_assessment(b, [0, 0, 0, -2, 1, 0, 0, 0])
    data = client.get(f"{BASE}/portfolio").json()
    assert data["count"] == 2
    summary = {p["number"]: p for p in data["principles"]}
    assert summary[4]["serves"] == 1 and summary[4]["harms"] == 1
    assert summary[7]["unserved"] and not summary[1]["unserved"]
    parkhaus = next(item for item in data["items"] if item["slug"] == b.slug)
    assert parkhaus["scores"]["4"] == -2 and parkhaus["harms"] == [4]
    filtered = client.get(f"{BASE}/portfolio", {"focus_area": focus_area.slug}).json()
    assert [item["slug"] for item in filtered["items"]] == [a.slug]
    assert client.get(f"{BASE}/portfolio", {"harms": True}).json()["count"] == 1
    assert client.get(f"{BASE}/portfolio", {"phase": "nonsense"}).status_code == 422
    assert client.get(f"{BASE}/portfolio", {"limit": 1, "offset": 1}).json()["items"][0][
        "slug"] == a.slug


def test_list_query_counts_do_not_grow(client_for, team_member, project, make_project,
                                       make_assessment):
    client = client_for(team_member)
    make_assessment(project, [1] * 8, evidence_url="https://example.org/a")
    make_assessment(make_project("Eins"))
    lists = query_count(client.get, f"{BASE}/projects/{project.slug}")
    folio = query_count(client.get, f"{BASE}/portfolio")
    detail = query_count(client.get, f"{BASE}/{project.assessments.get().pk}")
    for n in range(4):
        make_assessment(project, [2] * 8, evidence_url=f"https://example.org/{n}")
        make_assessment(make_project(f"P{n}"))
    assert query_count(client.get, f"{BASE}/projects/{project.slug}") == lists
    assert query_count(client.get, f"{BASE}/portfolio") == folio
    assert query_count(client.get, f"{BASE}/{project.assessments.get(is_current=True).pk}"
                       ) == detail


def test_a_stale_version_is_409_with_the_current_one(client_for, project, team_member,
                                                     make_assessment):
    draft = make_assessment(project, [0] * 8, state=State.DRAFT)
    client = client_for(team_member)
    assert client.get(f"{BASE}/{draft.pk}").json()["version"] == 1
    assert _put(client, f"{BASE}/{draft.pk}/scores", {**_body(), "version": 1}
                ).json()["version"] == 2
    stale = _put(client, f"{BASE}/{draft.pk}/scores", {**_body([1] * 8), "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["principles"] == [n for n, v in enumerate(VALUES, start=1) if v != 1]
    assert list(draft.scores.values_list("score", flat=True)) == VALUES


def test_scores_without_version_are_422_naming_it(client_for, project, team_member,
                                                   make_assessment):
    draft = make_assessment(project, [0] * 8, state=State.DRAFT)
    team = client_for(team_member)
    response = team.put(f"{BASE}/{draft.pk}/scores", _body(), content_type="application/json")
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [
        ["body", "payload", "version"]]
    assert list(draft.scores.values_list("score", flat=True)) == [0] * 8


def test_a_stale_version_names_a_principle_whose_evidence_changed(client_for, project,
                                                                   team_member):
    client = client_for(team_member)
    draft = client.post(f"{BASE}/projects/{project.slug}").json()["id"]
    assert _put(client, f"{BASE}/{draft}/scores", {**_body(), "version": 1}).status_code == 200
    body = _body()
    body["scores"][1]["evidence"] = [{"label": "Quelle", "url": "https://example.org/q"}]
    stale = _put(client, f"{BASE}/{draft}/scores", {**body, "version": 1})
    assert stale.status_code == 409 and stale.json()["principles"] == [2]


def test_the_api_refuses_a_review_by_the_coordinator_who_submitted(
        client_for, project, coordinator, second_coordinator):
    office = client_for(coordinator)
    pk = office.post(f"{BASE}/projects/{project.slug}").json()["id"]
    assert _put(office, f"{BASE}/{pk}/scores", _body()).status_code == 200
    assert office.post(f"{BASE}/{pk}/submit").status_code == 200
    refused = office.post(f"{BASE}/{pk}/accept")
    assert refused.status_code == 403
    assert "eine andere Person der Koordinierungsstelle" in refused.json()["detail"]
    refused = office.post(f"{BASE}/{pk}/request-changes", {"comment": "Mehr."},
                          content_type="application/json")
    assert refused.status_code == 403
    accepted = client_for(second_coordinator).post(f"{BASE}/{pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
