"""No raw value of an aggregated or restricted datastream leaves through the lab's pages, the
live partial, the CSV download, the REST API or the search — for a visitor, a citizen, a member
of another organisation and another organisation's admin. Insiders (the operator's people, the
teams of linked projects, the coordination office) see the restricted datastream, so each check
can fail."""

import pytest
from django.urls import reverse

from stadtallianz.partners.models import Membership
from stadtallianz.projects.models import ConsortiumMember
from stadtallianz.search.index import rebuild

from .conftest import OPEN_COUNT, PUBLIC_VALUE, RESTRICTED_VALUE, SHOWN_COUNT, WITHHELD_COUNT

pytestmark = pytest.mark.django_db

RESTRICTED_NAME = "Geheimsensor Quokka"
OUTSIDERS = [None, "citizen", "other_member", "other_admin"]
INSIDERS = ["partner_member", "partner_admin", "coordinator", "project_member"]


@pytest.fixture
def other_member(make_user, other_admin):
    user = make_user("other-member@example.org")
    Membership.objects.create(user=user, organisation=other_admin.memberships.get().organisation)
    return user


@pytest.fixture
def project_member(make_user, make_organisation, lab, make_project):
    """A member of a partner in the consortium of one of the lab's linked projects."""
    partner = make_organisation("Projektpartner")
    user = make_user("project-member@example.org")
    Membership.objects.create(user=user, organisation=partner)
    project = make_project("Seeprojekt")
    ConsortiumMember.objects.create(project=project, organisation=partner,
                                    role=ConsortiumMember.Role.LEAD,
                                    state=ConsortiumMember.State.ACCEPTED)
    lab.projects.add(project)
    return user


def _person(request, name):
    return None if name is None else request.getfixturevalue(name)


def _csv(client, lab, stream, **params):
    response = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, stream.pk]),
                          params)
    if response.status_code != 200:
        return response.status_code, ""
    return 200, b"".join(response.streaming_content).decode()


def _everything_shown(client, lab, streams) -> str:
    """The lab page, each datastream's partial and CSV, and the API's answer, in one text."""
    texts = [client.get(lab.get_absolute_url()).text,
             client.get(f"/api/v1/living-labs/{lab.slug}").content.decode()]
    for stream in streams.values():
        partial = client.get(reverse("livinglabs:datastream_chart", args=[lab.slug, stream.pk]))
        texts.append(partial.content.decode())
        texts.append(_csv(client, lab, stream)[1])
    return "\n".join(texts)


def _aggregated_values(text) -> set[str]:
    """Values of the aggregated stream as the chart tables and CSV show them."""
    found = set()
    for value in (WITHHELD_COUNT, OPEN_COUNT, SHOWN_COUNT):
        if (f"<td>{value}</td>" in text or f"<strong>{value} " in text
                or f",{value}.0\r" in text or f",{value}\r" in text):
            found.add(value)
    return found


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_no_restricted_stream_and_no_withheld_window(request, client_for, lab,
                                                                   streams, who):
    client = client_for(_person(request, who))
    text = _everything_shown(client, lab, streams)
    assert str(PUBLIC_VALUE) in text or "21,5" in text  # the public stream is there
    assert RESTRICTED_NAME not in text
    assert str(RESTRICTED_VALUE) not in text and "987,5" not in text
    assert _aggregated_values(text) == {SHOWN_COUNT}
    restricted = streams["restricted"]
    assert client.get(reverse("livinglabs:datastream_csv",
                              args=[lab.slug, restricted.pk])).status_code == 404
    assert client.get(reverse("livinglabs:datastream_chart",
                              args=[lab.slug, restricted.pk])).status_code == 404


@pytest.mark.parametrize("who", INSIDERS)
def test_insiders_see_the_restricted_stream_but_no_withheld_window(request, client_for, lab,
                                                                   streams, who):
    client = client_for(_person(request, who))
    text = _everything_shown(client, lab, streams)
    assert RESTRICTED_NAME in text
    assert str(RESTRICTED_VALUE) in text  # the CSV
    assert "987,5" in text  # the page and the partial
    # k and the closed window hold for everyone: nobody sees a raw count.
    assert _aggregated_values(text) == {SHOWN_COUNT}


def test_the_csv_of_the_aggregated_stream_has_only_closed_windows_from_k(client, lab, streams):
    status, body = _csv(client, lab, streams["counts"], format="utc")
    assert status == 200
    lines = body.strip().splitlines()
    assert lines[0].lstrip("\ufeff").split(",")[3] == "result_sum"
    assert len(lines) == 2 and lines[1].endswith(f",{SHOWN_COUNT}.0")


def test_the_search_finds_the_lab_but_no_datastream(client, lab, streams, coordinator,
                                                    client_for):
    lab.learnings_de = "Die Wasserqualität schwankt nachts."
    lab.save()
    rebuild()
    found = client.get(reverse("search:search"), {"q": "Wasserqualität"})
    assert lab.get_absolute_url() in found.text
    for person in (None, coordinator):
        for query in ("Geheimsensor", "Quokka", str(RESTRICTED_VALUE), "Radzählung"):
            answer = client_for(person).get(reverse("search:search"), {"q": query})
            assert RESTRICTED_NAME not in answer.text
            assert lab.get_absolute_url() not in answer.text
        api = client_for(person).get("/api/v1/search", {"q": "Geheimsensor"})
        assert api.status_code == 200 and RESTRICTED_NAME not in api.content.decode()
