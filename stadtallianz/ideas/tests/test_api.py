"""The REST API of ideas: list (filters, sorting, hidden ideas), detail, submission, edits with
the version (409), versions and diff, co-authors, state changes and exports."""

import json

import pytest
from django.utils import timezone

from stadtallianz.accounts.models import public_name
from stadtallianz.core.testing import query_count
from stadtallianz.ideas import services
from stadtallianz.ideas.models import CoAuthor, Idea

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ideas"
S = Idea.State


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


def test_the_list_filters_sorts_and_pages(api, submit, group):
    first = submit("Eins", working_group=group)
    second = submit("Zwei")
    Idea.objects.filter(pk=second.pk).update(comment_count=3)
    hidden = submit("Versteckt")
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    send = api(None)
    data = send("get", BASE).json()
    assert data["count"] == 2 and [i["id"] for i in data["items"]] == [second.pk, first.pk]
    assert [i["id"] for i in send("get", f"{BASE}?group={group.slug}").json()["items"]] == [
        first.pk]
    assert send("get", f"{BASE}?sort=discussed").json()["items"][0]["id"] == second.pk
    assert send("get", f"{BASE}?limit=1&offset=1").json()["items"][0]["id"] == first.pk
    assert api("coordinator")("get", BASE).json()["count"] == 3
    assert "sort" in _fields(send("get", f"{BASE}?sort=loudest"))
    assert "sdg" in _fields(send("get", f"{BASE}?sdg=18"))


def test_the_list_query_count_does_not_grow(api, submit, group):
    send = api(None)
    for n in range(2):
        submit(f"Idee {n}", working_group=group)
    few = query_count(send, "get", f"{BASE}?sort=supported")
    for n in range(2, 25):
        submit(f"Idee {n}", working_group=group)
    assert query_count(send, "get", f"{BASE}?sort=supported") == few


def test_detail_and_hidden_ideas(api, idea, writer):
    data = api(None)("get", f"{BASE}/{idea.pk}").json()
    assert data["title"] == idea.title and data["author"] == public_name(writer)
    assert data["description_html"].strip() == "<p>Ein <strong>sicherer</strong> Radweg.</p>"
    assert data["version"] == 1 and data["focus_areas"][0]["slug"] == "mobility"
    # Logged in, too, the display name; the real name to the coordination office only.
    assert api("citizen")("get", f"{BASE}/{idea.pk}").json()["author"] == public_name(writer)
    assert api("coordinator")("get", f"{BASE}/{idea.pk}").json()["author"] == "Wanda Writer"
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    assert api(None)("get", f"{BASE}/{idea.pk}").status_code == 404
    assert api("citizen")("get", f"{BASE}/{idea.pk}").status_code == 404
    assert api(writer)("get", f"{BASE}/{idea.pk}").status_code == 200
    assert api(None)("get", f"{BASE}/999999").status_code == 404


def test_submitting(api, group):
    body = {"title": "Trinkbrunnen", "description": "Mehr Wasser.", "focus_areas": ["energy"],
            "principles": [1], "sdgs": [6], "working_group": group.slug,
            "latitude": 51.96, "longitude": 7.62, "place_name": "Domplatz"}
    assert api(None)("post", BASE, body).status_code == 401
    assert api("unconfirmed")("post", BASE, body).status_code == 403
    response = api("citizen")("post", BASE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["place"] == {"name": "Domplatz", "latitude": 51.96, "longitude": 7.62}
    assert data["working_group"] == group.slug and data["sdgs"][0]["number"] == 6


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"focus_areas": ["nope"]}, "focus_areas"),
    ({"working_group": "nope"}, "working_group"), ({"latitude": 91, "longitude": 7}, "latitude"),
    ({"latitude": 51}, "longitude"), ({"title": "a\x00b"}, "title"),
    ({"description": "x" * 20001}, "description")])
def test_bad_input_is_a_422_naming_the_field(api, change, field):
    body = {"title": "T", "description": "D", **change}
    assert field in _fields(api("citizen")("post", BASE, body))
    assert not Idea.objects.exists()


def test_editing_with_the_version(api, idea, writer, coordinator):
    url = f"{BASE}/{idea.pk}"
    assert api("citizen")("patch", url, {"version": 1, "title": "X"}).status_code == 403
    assert "version" in _fields(api(writer)("patch", url, {"title": "X"}))
    response = api(writer)("patch", url, {"version": 1, "title": "Neuer Titel"})
    assert response.status_code == 200 and response.json()["version"] == 2
    conflict = api(coordinator)("patch", url, {"version": 1, "title": "Vom Büro",
                                               "description": idea.description})
    assert conflict.status_code == 409
    assert conflict.json()["current_version"] == 2
    assert conflict.json()["fields"] == {"title": {"yours": "Vom Büro",
                                                   "current": "Neuer Titel"}}
    idea.refresh_from_db()
    assert idea.title == "Neuer Titel"


def test_versions_and_their_diff(api, idea, writer):
    services.idea_update(idea=idea, by=writer, data={"description": "Ein breiter Radweg."},
                         base_version=1)
    versions = api(None)("get", f"{BASE}/{idea.pk}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["author"] == public_name(writer)
    diff = api(None)("get", f"{BASE}/{idea.pk}/versions/diff?from=1&to=2").json()
    assert "<del>" in diff["description_html"] and "breiter" in diff["description_html"]
    assert api(None)("get", f"{BASE}/{idea.pk}/versions/diff?from=1&to=9").status_code == 404


def test_co_authors(api, idea, writer, citizen):
    url = f"{BASE}/{idea.pk}/coauthors"
    assert api("citizen")("post", url, {"email": "x@example.org"}).status_code == 403
    assert "email" in _fields(api(writer)("post", url, {"email": "kein-at"}))
    unknown = api(writer)("post", url, {"email": "Nobody@example.org"})
    response = api(writer)("post", url, {"email": citizen.email.upper()})
    # The same answer whether or not the address has an account; no name before accepting.
    assert unknown.status_code == response.status_code == 201
    assert {k: v for k, v in unknown.json().items() if k not in ("id", "email")} \
        == {k: v for k, v in response.json().items() if k not in ("id", "email")}
    assert unknown.json()["email"] == "nobody@example.org"
    assert response.json()["email"] == citizen.email and response.json()["name"] is None
    listed = api(writer)("get", f"{BASE}/{idea.pk}").json()["coauthors"]
    assert [(c["email"], c["name"]) for c in listed] == [("nobody@example.org", None),
                                                        (citizen.email, None)]
    assert citizen.full_name not in api(writer)("get", f"{BASE}/{idea.pk}").content.decode()
    coauthor_id = response.json()["id"]
    answer = f"{url}/{coauthor_id}/answer"
    # Someone else's invitation: they see the idea, but may not answer for the invited person.
    assert api("partner_member")("post", answer, {"accept": True}).status_code == 403
    assert api(citizen)("post", answer, {"accept": True}).json()["state"] == "accepted"
    assert api(citizen)("post", answer, {"accept": True}).status_code == 409
    listed = api(writer)("get", f"{BASE}/{idea.pk}").json()["coauthors"]
    assert [(c["email"], c["name"]) for c in listed] == [("nobody@example.org", None),
                                                        (None, public_name(citizen))]
    assert api("partner_member")("delete", f"{url}/{coauthor_id}").status_code == 403
    assert api(writer)("delete", f"{url}/{coauthor_id}").status_code == 204
    assert list(CoAuthor.objects.values_list("email", flat=True)) == ["nobody@example.org"]


def test_declining_an_invitation(api, idea, writer, citizen):
    coauthor = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    response = api(citizen)("post", f"{BASE}/{idea.pk}/coauthors/{coauthor.pk}/answer",
                            {"accept": False})
    assert response.status_code == 204 and not CoAuthor.objects.exists()


def test_state_changes(api, idea, submit):
    url = f"{BASE}/{idea.pk}/state"
    assert api(None)("post", url, {"state": "discussion"}).status_code == 401
    assert api("member")("post", url, {"state": "discussion"}).status_code == 403
    lead = api("lead")
    assert "reason" in _fields(lead("post", url, {"state": "declined"}))
    assert "merged_into" in _fields(lead("post", url, {"state": "merged", "merged_into": 9999}))
    assert "state" in _fields(lead("post", url, {"state": "unknown"}))
    refused = lead("post", f"{url}?lang=en", {"state": "accepted"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == ("An idea that is “Submitted” cannot become "
                                        "“Accepted”.")
    assert lead("post", url, {"state": "discussion"}).json()["state"] == "discussion"
    accepted = lead("post", url, {"state": "accepted", "reason": "Gut."}).json()
    assert accepted["state"] == "accepted" and accepted["project_url"].endswith("/")
    other = submit("Doppelt")
    merged = api("coordinator")("post", f"{BASE}/{other.pk}/state",
                                {"state": "merged", "merged_into": idea.pk}).json()
    assert merged["merged_into"] == idea.pk


def test_exports(api, submit):
    submit("@SUM(1)")
    response = api(None)("get", f"{BASE}/export.csv")
    assert response.status_code == 200
    assert "'@SUM(1)" in b"".join(response.streaming_content).decode()
    response = api(None)("get", f"{BASE}/export.json?state=submitted")
    assert json.loads(b"".join(response.streaming_content))[0]["title"] == "@SUM(1)"


@pytest.mark.parametrize("method, path, body", [
    ("post", "", {"title": "T", "description": "D"}),
    ("patch", "/{pk}", {"version": 1, "title": "T"}),
    ("post", "/{pk}/coauthors", {"email": "citizen@example.org"}),
    ("post", "/{pk}/coauthors/1/answer", {"accept": True}),
    ("delete", "/{pk}/coauthors/1", None),
    ("post", "/{pk}/state", {"state": "discussion"}),
])
def test_visitors_write_nothing(api, idea, method, path, body):
    response = api(None)(method, BASE + path.format(pk=idea.pk), body)
    assert response.status_code == 401
    idea.refresh_from_db()
    assert idea.version == 1 and idea.state == S.SUBMITTED


def test_the_session_needs_the_csrf_token(idea, writer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(writer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.patch(f"{BASE}/{idea.pk}", data=json.dumps({"version": 1, "title": "X"}),
                            content_type="application/json")
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.title != "X"


def test_a_hidden_idea_is_a_404_on_every_write_path_for_others(api, idea, lead):
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    for method, path, body in [("patch", "", {"version": 1, "title": "X"}),
                               ("post", "/state", {"state": "discussion"}),
                               ("post", "/coauthors", {"email": "x@example.org"}),
                               ("get", "/versions", None)]:
        assert api(lead)(method, f"{BASE}/{idea.pk}{path}", body).status_code == 404
