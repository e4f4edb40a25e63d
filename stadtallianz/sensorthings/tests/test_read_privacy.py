"""No raw value of a restricted or aggregated datastream leaves through any read path of the
SensorThings API: collections, by id, navigation, $expand (from Things, Datastreams and
FeaturesOfInterest), $filter through Datastream/ and Observations/ paths, $count, $value and
dataArray — for visitors, citizens, members of other organisations and other labs' tokens.
Insiders (coordination office, the operator's people, a linked project's consortium, the lab's
own token) read restricted data; aggregated datastreams serve only closed windows to everyone,
and counts of people below k to no one."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import AASEE, bearer

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"
PUBLIC = 11.5
RESTRICTED = 777.25  # raw value of the restricted datastream
SHOWN = 42.0  # a closed window of people counts at or above k
BELOW_K = 3.75  # a closed window of people counts below k: withheld from everyone
OPEN_PEOPLE = 999.5  # a window that has not closed yet: withheld from everyone
OPEN_MEAN = 555.5
SECRETS_FOR_OUTSIDERS = {RESTRICTED, BELOW_K, OPEN_PEOPLE, OPEN_MEAN}
SECRETS_FOR_EVERYONE = {BELOW_K, OPEN_PEOPLE, OPEN_MEAN}


@pytest.fixture
def data(lab, make_datastream):
    public = make_datastream(lab, name="Öffentlich")
    restricted = make_datastream(lab, name="Geheim", privacy_level=PrivacyLevel.RESTRICTED)
    people = make_datastream(lab, name="Passanten", privacy_level=PrivacyLevel.AGGREGATED,
                             counts_people=True, k_threshold=5, aggregation_window=3600)
    means = make_datastream(lab, name="Mittel", privacy_level=PrivacyLevel.AGGREGATED,
                            aggregation_window=3600)
    feature = sta.FeatureOfInterest.objects.create(lab=lab, name="Ort", description="Ort",
                                                   feature=AASEE)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)

    def raw(datastream, value, when):
        return sta.Observation.objects.create(datastream=datastream, feature_of_interest=feature,
                                              phenomenon_time_start=when, result_number=value)

    def window(datastream, count, total, start):
        result = total if datastream.counts_people else total / count
        return sta.Observation.objects.create(
            datastream=datastream, feature_of_interest=feature, phenomenon_time_start=start,
            phenomenon_time_end=start + timedelta(hours=1), result_number=result,
            bucket_count=count, bucket_sum=total)

    ids = {
        "public": raw(public, PUBLIC, hour - timedelta(hours=2)).id,
        "restricted": raw(restricted, RESTRICTED, hour - timedelta(hours=2)).id,
        "shown": window(people, 40, SHOWN, hour - timedelta(hours=3)).id,
        "below_k": window(people, 2, BELOW_K, hour - timedelta(hours=2)).id,
        "open_people": window(people, 9, OPEN_PEOPLE, hour).id,
        "open_mean": window(means, 1, OPEN_MEAN, hour).id,
    }
    return {"public": public, "restricted": restricted, "people": people, "means": means,
            "feature": feature, "ids": ids}


def numbers(value) -> set:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        return {float(value)}
    if isinstance(value, dict):
        return set().union(*(numbers(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(numbers(v) for v in value)) if value else set()
    return set()


def read_paths(data) -> list[tuple[str, dict]]:
    restricted = data["restricted"]
    return [
        ("Observations", {}),
        ("Observations", {"$count": "true", "$top": "1"}),
        ("Observations", {"$resultFormat": "dataArray"}),
        ("Observations", {"$filter": "Datastream/name eq 'Geheim'"}),
        ("Observations", {"$filter": f"Datastream/id eq {restricted.id}"}),
        ("Observations", {"$expand": "Datastream"}),
        ("Datastreams", {"$expand": "Observations"}),
        ("Datastreams", {"$expand": "Observations($orderby=result desc;$top=1;$count=true)"}),
        ("Datastreams", {"$filter": f"Observations/result eq {RESTRICTED}"}),
        ("Datastreams", {"$filter": f"Observations/result eq {BELOW_K}"}),
        ("Datastreams", {"$count": "true"}),
        (f"Datastreams({data['people'].id})/Observations", {}),
        (f"Datastreams({data['people'].id})/Observations", {"$resultFormat": "dataArray"}),
        (f"Datastreams({data['means'].id})/Observations", {"$count": "true"}),
        ("Things", {"$expand": "Datastreams/Observations"}),
        (f"Things({restricted.thing_id})/Datastreams", {}),
        (f"Things({restricted.thing_id})", {"$expand": "Datastreams($expand=Observations)"}),
        ("Things", {"$filter": f"Datastreams/Observations/result eq {RESTRICTED}"}),
        ("Sensors", {"$expand": "Datastreams($expand=Observations)"}),
        ("FeaturesOfInterest", {"$expand": "Observations"}),
        (f"FeaturesOfInterest({data['feature'].id})/Observations", {}),
        ("Observations", {"$filter": "result ge 0", "$select": "result"}),
        ("Datastreams", {"$select": "id,name"}),
    ]


def denied_paths(data) -> list[str]:
    restricted, ids = data["restricted"], data["ids"]
    paths = [f"Datastreams({restricted.id})", f"Datastreams({restricted.id})/Observations",
             f"Datastreams({restricted.id})/name", f"Datastreams({restricted.id})/Thing",
             f"Observations({ids['restricted']})/Datastream"]
    for key in ("restricted", "below_k", "open_people", "open_mean"):
        paths += [f"Observations({ids[key]})", f"Observations({ids[key]})/result/$value",
                  f"Observations({ids[key]})/FeatureOfInterest"]
    return paths


def assert_nothing_leaks(client, data, secrets, headers):
    for path, params in read_paths(data):
        response = client.get(f"{ROOT}/{path}", params, **headers)
        assert response.status_code == 200, (path, params, response.content)
        leaked = numbers(response.json()) & secrets
        assert not leaked, (path, params, leaked)
        if RESTRICTED in secrets:
            text = response.content.decode()
            assert f"Datastreams({data['restricted'].id})" not in text, (path, params)
            assert "Geheim des Sees" not in text, (path, params)  # its description


@pytest.fixture
def outsider_headers(request, client, citizen, other_admin, other_lab_key):
    role = request.param
    if role == "citizen":
        client.force_login(citizen)
    elif role == "other organisation":
        client.force_login(other_admin)
    elif role == "other lab token":
        return bearer(other_lab_key)
    return {}


OUTSIDERS = ["visitor", "citizen", "other organisation", "other lab token"]


@pytest.mark.parametrize("outsider_headers", OUTSIDERS, indirect=True)
def test_outsiders_see_no_restricted_or_raw_aggregated_value(client, data, outsider_headers):
    assert_nothing_leaks(client, data, SECRETS_FOR_OUTSIDERS, outsider_headers)
    for path in denied_paths(data):
        response = client.get(f"{ROOT}/{path}", **outsider_headers)
        assert response.status_code == 404, (path, response.content)
        assert numbers(json.loads(response.content)) & SECRETS_FOR_OUTSIDERS == set()
    counted = client.get(f"{ROOT}/Observations", {"$count": "true"}, **outsider_headers).json()
    assert counted["@iot.count"] == 2  # the public value and the one shown window
    # Paging one by one through @iot.nextLink reaches exactly those two.
    page = client.get(f"{ROOT}/Observations", {"$top": "1"}, **outsider_headers).json()
    seen = numbers([o["result"] for o in page["value"]])
    while "@iot.nextLink" in page:
        page = client.get(page["@iot.nextLink"].replace("http://testserver", ""),
                          **outsider_headers).json()
        seen |= numbers([o["result"] for o in page["value"]])
    assert seen == {PUBLIC, SHOWN}
    shown = client.get(f"{ROOT}/Datastreams({data['people'].id})/Observations").json()
    assert [o["result"] for o in shown["value"]] == [SHOWN]
    windows = client.get(f"{ROOT}/Observations({data['ids']['shown']})/phenomenonTime").json()
    assert "/" in windows["phenomenonTime"]  # a window is served as an interval


@pytest.fixture
def insider_headers(request, client, coordinator, partner_member, make_user,
                    make_organisation, lab, lab_key, make_project):
    role = request.param
    if role == "coordinator":
        client.force_login(coordinator)
    elif role == "operator member":
        client.force_login(partner_member)
    elif role == "linked project consortium":
        from stadtallianz.partners.models import Membership
        from stadtallianz.projects.models import ConsortiumMember

        organisation = make_organisation("Hochschule")
        person = make_user("forscherin@example.org")
        Membership.objects.create(user=person, organisation=organisation,
                                  role=Membership.Role.MEMBER)
        project = make_project("Seeklima")
        ConsortiumMember.objects.create(project=project, organisation=organisation,
                                        state=ConsortiumMember.State.ACCEPTED)
        lab.projects.add(project)
        client.force_login(person)
    elif role == "own lab token":
        return bearer(lab_key)
    return {}


@pytest.fixture
def make_project(db):
    from django.utils.text import slugify

    from stadtallianz.projects.models import Project

    def make(title: str):
        return Project.objects.create(title_de=title, slug=slugify(title))

    return make


INSIDERS = ["coordinator", "operator member", "linked project consortium", "own lab token"]


@pytest.mark.parametrize("insider_headers", INSIDERS, indirect=True)
def test_insiders_read_restricted_data_but_never_raw_aggregates(client, data, insider_headers):
    restricted = data["restricted"]
    assert_nothing_leaks(client, data, SECRETS_FOR_EVERYONE, insider_headers)
    response = client.get(f"{ROOT}/Datastreams({restricted.id})/Observations",
                          **insider_headers)
    assert [o["result"] for o in response.json()["value"]] == [RESTRICTED]
    expanded = client.get(f"{ROOT}/Things({restricted.thing_id})",
                          {"$expand": "Datastreams($expand=Observations)"},
                          **insider_headers).json()
    assert expanded["Datastreams"][0]["Observations"][0]["result"] == RESTRICTED
    value = client.get(f"{ROOT}/Observations({data['ids']['restricted']})/result/$value",
                       **insider_headers)
    assert value.content == b"777.25"
    counted = client.get(f"{ROOT}/Observations", {"$count": "true"}, **insider_headers).json()
    assert counted["@iot.count"] == 3
    for key in ("below_k", "open_people", "open_mean"):
        response = client.get(f"{ROOT}/Observations({data['ids'][key]})", **insider_headers)
        assert response.status_code == 404


def test_citizen_of_an_unaccepted_consortium_is_an_outsider(client, data, make_user,
                                                            make_organisation, lab,
                                                            make_project):
    from stadtallianz.partners.models import Membership
    from stadtallianz.projects.models import ConsortiumMember

    organisation = make_organisation("Eingeladene GmbH")
    person = make_user("eingeladen@example.org")
    Membership.objects.create(user=person, organisation=organisation,
                              role=Membership.Role.MEMBER)
    project = make_project("Nur eingeladen")
    ConsortiumMember.objects.create(project=project, organisation=organisation,
                                    state=ConsortiumMember.State.INVITED)
    lab.projects.add(project)
    client.force_login(person)
    assert client.get(f"{ROOT}/Datastreams({data['restricted'].id})").status_code == 404
