"""Partner-search notices in the search (issue 15): an open notice of a public partner is found
by its texts in German and English; closing it, the expiry job archiving it, its organisation
leaving the public directory, its idea being hidden or its deletion take it out of the index,
renewing brings it back. Interests, their messages and anyone's contact person are never
indexed."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.core.testing import query_count
from stadtallianz.ideas import moderation
from stadtallianz.partnering import services as partnering
from stadtallianz.partnering.models import Notice
from stadtallianz.partnering.tests.conftest import (  # noqa: F401 - fixtures
    funding_call,
    idea,
    notice_data,
    other_member,
    other_organisation,
    project,
    today,
)
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.search.index import rebuild
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search

Type = SearchEntry.Type
TITLE = "Partner für Datenplattform gesucht"


def found(q, user=None, **filters):
    return [entry.title for entry in search(user=user or AnonymousUser(), q=q, **filters)[0:50]]


@pytest.fixture
def open_notice(run_on_commit, partner_admin, organisation, notice_data, areas):  # noqa: F811
    mobility, _energy = areas
    with run_on_commit():
        notice = partnering.notice_create(
            actor=partner_admin, organisation=organisation, focus_areas=[mobility],
            data=notice_data(description_en="We look for partners for the neighbourhood bus.",
                             capabilities_sought_en="Traffic data, passenger counts"))
    return notice


def test_an_open_notice_is_found_by_its_texts(open_notice, areas, client):
    mobility, energy = areas
    assert found("Datenplattformen") == [TITLE]  # inflected
    assert found("Verkehrsdaten") == [TITLE]  # capabilities sought
    assert found("Fahrgastzählungen") == [TITLE]
    assert found("Quartiersbus", type=Type.NOTICE) == [TITLE]  # description
    assert found("passenger counts") == [TITLE]
    assert found("Verkehrsdaten", focus_area=mobility.slug) == [TITLE]
    assert found("Verkehrsdaten", focus_area=energy.slug) == []
    html = client.get("/en/search/", {"q": "passenger counts"}).content.decode()
    assert "Partners for a data platform wanted" in html and "Partner search</span>" in html
    assert "<mark>passenger</mark> <mark>counts</mark>" in html
    entry = SearchEntry.objects.get(type=Type.NOTICE, object_id=open_notice.pk)
    assert not entry.text.startswith(TITLE)  # the title is shown above the snippet already
    assert not entry.members_only


def test_a_closed_notice_drops_out_and_renewing_brings_it_back(open_notice, run_on_commit,
                                                               partner_admin, coordinator):
    with run_on_commit():
        partnering.notice_close(actor=partner_admin, notice=open_notice)
    for user in (None, partner_admin, coordinator):
        assert found("Verkehrsdaten", user=user) == []
    assert not SearchEntry.objects.filter(type=Type.NOTICE).exists()
    with run_on_commit():
        partnering.notice_renew(actor=partner_admin, notice=open_notice)
    assert found("Verkehrsdaten") == [TITLE]


def test_an_archived_notice_drops_out(open_notice, run_on_commit, today):  # noqa: F811
    with run_on_commit():
        assert partnering.archive_expired(today=open_notice.expires_on + timedelta(days=1)) == 1
    assert Notice.objects.get(pk=open_notice.pk).state == Notice.State.ARCHIVED
    assert found("Verkehrsdaten", user=None) == []
    assert not SearchEntry.objects.filter(type=Type.NOTICE).exists()


def test_an_expired_notice_is_not_indexed_before_the_job_archives_it(open_notice, today):  # noqa: F811
    Notice.objects.filter(pk=open_notice.pk).update(expires_on=today - timedelta(days=1),
                                                       deadline=None)
    rebuild([Type.NOTICE])
    assert found("Verkehrsdaten") == []


def test_edits_and_deletion_reach_the_index(open_notice, run_on_commit, partner_admin, areas):
    mobility, energy = areas
    with run_on_commit():
        partnering.notice_update(actor=partner_admin, notice=open_notice,
                                 data={"capabilities_sought_de": "Wärmepumpen"},
                                 focus_areas=[energy])
    assert found("Verkehrsdaten") == [] and found("Wärmepumpe") == [TITLE]
    assert found("Wärmepumpe", focus_area=energy.slug) == [TITLE]
    with run_on_commit():
        Notice.objects.get(pk=open_notice.pk).delete()
    assert found("Wärmepumpe") == []


def test_a_notice_of_a_withdrawn_partner_drops_out(open_notice, run_on_commit, organisation):
    with run_on_commit():
        organisation.status = Organisation.Status.WITHDRAWN
        organisation.save()
    assert found("Verkehrsdaten") == []
    with run_on_commit():
        organisation.status = Organisation.Status.PARTNER
        organisation.save()
    assert found("Verkehrsdaten") == [TITLE]


def test_a_notice_for_a_hidden_idea_drops_out(idea, citizen, make_organisation, notice_data,  # noqa: F811
                                              run_on_commit, coordinator):
    association = make_organisation("Verein Schulweg", type=Organisation.Type.ASSOCIATION)
    Membership.objects.create(user=citizen, organisation=association)
    with run_on_commit():
        partnering.notice_create(actor=citizen, organisation=association,
                                 data=notice_data(project=None, idea=idea))
    assert found("Verkehrsdaten") == [TITLE]
    with run_on_commit():
        moderation.hide_idea(idea=idea, reason="Werbung", by=coordinator)
    assert found("Verkehrsdaten", user=coordinator) == []
    with run_on_commit():
        moderation.unhide_idea(idea=idea, by=coordinator)
    assert found("Verkehrsdaten") == [TITLE]


def test_interests_and_contact_persons_are_never_indexed(
        open_notice, run_on_commit, other_member, other_organisation, partner_admin,  # noqa: F811
        coordinator):
    with run_on_commit():
        interest = partnering.interest_create(
            actor=other_member, notice=open_notice, organisation=other_organisation,
            message="Wir haben Fahrgastzählgeräte und Linienfahrpläne.")
        partnering.interest_answer(actor=partner_admin, interest=interest, accept=True)
    rebuild()
    for q in ["Linienfahrpläne", "Fahrgastzählgeräte", "Olga", "Anna Admin",
              other_member.email, partner_admin.email]:
        for user in (None, other_member, partner_admin, coordinator):
            assert found(q, user=user) == [], q
    entry = SearchEntry.objects.get(type=Type.NOTICE, object_id=open_notice.pk)
    assert "Linienfahrpläne" not in entry.text + entry.text_en
    assert "Anna" not in entry.text + entry.text_en


def test_the_type_filter_separates_calls_and_notices(open_notice, funding_call, run_on_commit,  # noqa: F811
                                                     client):
    with run_on_commit():  # the call "Urbane Datenplattformen", saved again after commit
        funding_call.save()
    assert set(found("Datenplattform")) == {TITLE, "Urbane Datenplattformen"}
    assert found("Datenplattform", type=Type.CALL) == ["Urbane Datenplattformen"]
    assert found("Datenplattform", type=Type.NOTICE) == [TITLE]
    html = client.get("/de/search/", {"q": "Datenplattform", "type": "notice"}).content.decode()
    assert TITLE in html and "Urbane Datenplattformen" not in html
    assert "Partnersuche</span>" in html and 'value="notice" selected' in html
    answer = client.get("/api/v1/search", {"q": "Datenplattform", "type": "notice"}).json()
    assert [(item["type"], item["title"]) for item in answer["items"]] == [("notice", TITLE)]
    assert answer["items"][0]["url"].endswith(f"/de/partner-search/{open_notice.pk}/")
    assert client.get("/api/v1/search", {"q": "Datenplattform", "type": "noticeboard"}
                      ).status_code == 422


def test_query_count_does_not_grow_with_notices(run_on_commit, partner_admin, organisation,
                                                notice_data, client_for):  # noqa: F811
    client = client_for(partner_admin)

    def requests():
        client.get("/de/search/", {"q": "Verkehrsdaten"})
        client.get("/en/search/", {"q": "Verkehrsdaten", "type": "notice"})
        client.get("/api/v1/search", {"q": "Verkehrsdaten oder Datenplattform"})

    def post(number):
        partnering.notice_create(actor=partner_admin, organisation=organisation,
                                 data=notice_data(title_de=f"Datenplattform {number}"))

    with run_on_commit():
        post(0)
    one = query_count(requests)
    with run_on_commit():
        for number in range(1, 11):
            post(number)
    assert query_count(requests) == one
