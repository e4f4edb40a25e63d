"""REST API of living labs: public reads (paginated list with a constant number of queries,
detail with the datastreams the caller may know of), creation and changes by the operator's
admins and the coordination office, device tokens (key once, revoke); 401, 403, 404 and 422
naming the field."""

from datetime import date

import pytest

from stadtallianz.accounts.models import ApiToken
from stadtallianz.core.testing import query_count
from stadtallianz.livinglabs.models import LabToken, LivingLab

pytestmark = pytest.mark.django_db

BASE = "/api/v1/living-labs"


@pytest.fixture
def api(client):
    """api(user)(method, path, json=None): the API with the person's token (None: visitor)."""

    def make(user):
        headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if user is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user=user, name='t')[1]}"

        def call(method, path="", json=None):
            kwargs = {"content_type": "application/json", "data": json} if json is not None else {}
            return getattr(client, method.lower())(f"{BASE}{path}", **kwargs, **headers)

        return call

    return make


def test_everyone_reads_the_list_and_a_lab(api, lab, other_lab):
    listing = api(None)("get").json()
    assert listing["count"] == 2
    assert [item["slug"] for item in listing["items"]] == ["aasee", "promenade"]
    assert api(None)("get", "?state=running").json()["count"] == 1
    detail = api(None)("get", "/aasee").json()
    assert detail["name"] == "Reallabor Aasee" and detail["operator"]["slug"]
    assert detail["area"]["type"] == "Point"
    assert api(None)("get", "/nope").status_code == 404
    assert api(None)("get", "?state=nope").status_code == 422


def test_the_list_makes_the_same_number_of_queries_for_more_labs(api, lab, organisation):
    call = api(None)
    call("get")
    few = query_count(call, "get")
    for index in range(12):
        LivingLab.objects.create(
            name_de=f"Labor {index}", slug=f"labor-{index}", description_de="x",
            area={"type": "Point", "coordinates": [7.6, 51.9]}, starts_on=date(2026, 1, 1),
            operator=organisation, contact_name="T", contact_email="t@example.org")
    assert query_count(call, "get") == few


def test_the_detail_lists_restricted_datastreams_only_for_insiders(api, lab, streams,
                                                                  partner_member, citizen):
    for person, expected in ((None, False), (citizen, False), (partner_member, True)):
        names = [s["name"] for s in api(person)("get", "/aasee").json()["datastreams"]]
        assert ("Geheimsensor Quokka" in names) is expected
        assert "Wassertemperatur" in names
    counts = next(s for s in api(None)("get", "/aasee").json()["datastreams"]
                  if s["name"] == "Radzählung")
    assert counts["privacy_level"] == "aggregated" and counts["k_threshold"] == 20
    assert counts["sta_url"].endswith(f"/sta/v1.1/Datastreams({streams['counts'].pk})")


def _new_lab(operator_slug, **changes):
    data = {"operator": operator_slug, "name_de": "Reallabor Hafen", "description_de": "Hafen",
            "area": {"type": "Point", "coordinates": [7.64, 51.95]}, "starts_on": "2026-05-01",
            "contact_name": "Hafenteam", "contact_email": "hafen@example.org"}
    data.update(changes)
    return data


def test_creating_a_lab(api, partner_admin, organisation, other_admin, citizen, partner_member):
    assert api(None)("post", "", _new_lab(organisation.slug)).status_code == 401
    for person in (citizen, partner_member):
        assert api(person)("post", "", _new_lab(organisation.slug)).status_code == 403
    other = other_admin.memberships.get().organisation
    refused = api(partner_admin)("post", "", _new_lab(other.slug))
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "operator"
    bad_area = api(partner_admin)("post", "", _new_lab(
        organisation.slug, area={"type": "Point", "coordinates": [700, 51]}))
    assert bad_area.status_code == 422 and bad_area.json()["detail"][0]["loc"][-1] == "area"
    unknown = api(partner_admin)("post", "", _new_lab(organisation.slug, partners=["nope"]))
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "partners"
    missing = api(partner_admin)("post", "", {"operator": organisation.slug})
    assert missing.status_code == 422
    assert not LivingLab.objects.exists()
    created = api(partner_admin)("post", "", _new_lab(
        organisation.slug, partners=[other.slug],
        area={"type": "Point", "coordinates": [7.64, 51.95], "properties": {"x": 1}}))
    assert created.status_code == 201
    # Only the geometry's own keys are kept.
    assert created.json()["area"] == {"type": "Point", "coordinates": [7.64, 51.95]}
    assert created.json()["partners"][0]["slug"] == other.slug
    assert created.json()["default_privacy_level"] == "restricted"


def test_changing_a_lab(api, lab, partner_admin, partner_member, other_admin, coordinator):
    assert api(None)("patch", "/aasee", {"learnings_de": "x"}).status_code == 401
    for person in (partner_member, other_admin):
        assert api(person)("patch", "/aasee", {"learnings_de": "x"}).status_code == 403
    bad = api(partner_admin)("patch", "/aasee", {"ends_on": "2025-01-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "ends_on"
    null = api(partner_admin)("patch", "/aasee", {"name_de": None})
    assert null.status_code == 422
    for person in (partner_admin, coordinator):
        changed = api(person)("patch", "/aasee", {"learnings_de": "Gelernt", "state": "finished"})
        assert changed.status_code == 200 and changed.json()["state"] == "finished"
    lab.refresh_from_db()
    assert lab.learnings_de == "Gelernt"


def test_device_tokens(api, lab, other_lab, partner_admin, partner_member, other_admin):
    for person in (None, partner_member, other_admin):
        expected = 401 if person is None else 403
        assert api(person)("get", "/aasee/tokens").status_code == expected
        assert api(person)("post", "/aasee/tokens", {"name": "x"}).status_code == expected
    assert not LabToken.objects.exists()
    manager = api(partner_admin)
    assert manager("post", "/aasee/tokens", {"name": ""}).json()["detail"][0]["loc"][-1] == \
        "name"
    issued = manager("post", "/aasee/tokens", {"name": "Boje"})
    assert issued.status_code == 201
    body = issued.json()
    assert body["key"] == f"{body['username']}_{body['secret']}"
    assert LabToken.from_key(body["key"]).lab == lab
    listed = manager("get", "/aasee/tokens").json()
    assert [t["name"] for t in listed] == ["Boje"] and "key" not in listed[0]
    foreign = LabToken.issue(lab=other_lab, name="Fremd")[0]
    assert manager("post", f"/aasee/tokens/{foreign.pk}/revoke").status_code == 404
    assert api(other_admin)("post", f"/aasee/tokens/{body['id']}/revoke").status_code == 403
    revoked = manager("post", f"/aasee/tokens/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert LabToken.from_key(body["key"]) is None


def test_the_token_list_makes_the_same_number_of_queries_for_more_tokens(api, lab,
                                                                          partner_admin):
    call = api(partner_admin)
    LabToken.issue(lab=lab, name="Erster")
    call("get", "/aasee/tokens")  # the first call also writes the API token's last use
    few = query_count(call, "get", "/aasee/tokens")
    for index in range(10):
        LabToken.issue(lab=lab, name=f"Token {index}")
    assert query_count(call, "get", "/aasee/tokens") == few


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1969-12-31", "2101-01-01"])
@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_an_implausible_lab_period_is_a_422_naming_the_field(api, partner_admin, organisation,
                                                             field, value):
    """Issue 11, item 3: a lab's period lies in the range of plans (2000 to 2100)."""
    response = api(partner_admin)("post", "", _new_lab(organisation.slug, **{field: value}))
    assert response.status_code == 422
    assert field in {item["loc"][-1] for item in response.json()["detail"]}
    assert not LivingLab.objects.exists()
