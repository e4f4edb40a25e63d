"""The pages of the partners' datasets and of the office's review, per role: every denied path
(anonymous, citizen, another organisation's admin, partner member, partner admin, coordinator),
the form with its links and error summary, and constant query counts."""

import pytest

from stadtallianz.opendata import services
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Membership
from tests.browser.conftest import browser, page  # noqa: F401 - fixtures

from .test_services import DATA, LINKS


def _form(**overrides) -> dict:
    data = {"title_de": "Baustellen", "title_en": "Roadworks",
            "description_de": "Aktuelle Baustellen.", "contact_name": "Tiefbau",
            "contact_email": "tiefbau@stadtwerke.example", "licence": "dl-by-de/2.0",
            "themes": ["TRAN"], "keywords": "Baustellen, Verkehr",
            "accrual_periodicity": "WEEKLY", "temporal_start": "", "temporal_end": "",
            "spatial": "",
            "links-TOTAL_FORMS": "2", "links-INITIAL_FORMS": "0", "links-MIN_NUM_FORMS": "0",
            "links-MAX_NUM_FORMS": "50",
            "links-0-title_de": "Baustellen (GeoJSON)", "links-0-title_en": "",
            "links-0-access_url": "https://geo.example/baustellen.geojson",
            "links-0-file_type": "GEOJSON",
            "links-1-title_de": "", "links-1-title_en": "", "links-1-access_url": "",
            "links-1-file_type": ""}
    data.update(overrides)
    return data


@pytest.fixture
def draft(partner_member, organisation):
    return services.create_dataset(actor=partner_member, organisation=organisation, data=DATA,
                                   distributions=LINKS)


@pytest.fixture
def submitted(draft, partner_member):
    return services.submit_dataset(dataset=draft, actor=partner_member)


def _pages(dataset) -> dict:
    slug = dataset.slug
    return {"mine": "/de/data/mine/", "create": "/de/data/new/",
            "edit": f"/de/data/datasets/{slug}/edit/",
            "queue": "/de/data/review/", "review": f"/de/data/datasets/{slug}/review/"}


def test_anonymous_visitors_are_sent_to_log_in(client, submitted):
    for url in _pages(submitted).values():
        answer = client.get(url)
        assert answer.status_code == 302 and "/login/" in answer["Location"], url
    for action in ("submit", "withdraw"):
        answer = client.post(f"/de/data/datasets/{submitted.slug}/{action}/")
        assert answer.status_code == 302 and "/login/" in answer["Location"]
    submitted.refresh_from_db()
    assert submitted.state == Dataset.State.SUBMITTED


@pytest.mark.parametrize("who,status", [
    ("citizen", {"mine": 200, "create": 403, "edit": 404, "queue": 403, "review": 403}),
    ("other_admin", {"mine": 200, "create": 200, "edit": 404, "queue": 403, "review": 403}),
    ("partner_member", {"mine": 200, "create": 200, "edit": 200, "queue": 403,
                        "review": 403}),
    ("partner_admin", {"mine": 200, "create": 200, "edit": 200, "queue": 403,
                       "review": 403}),
    ("coordinator", {"mine": 200, "create": 403, "edit": 403, "queue": 200, "review": 200}),
])
def test_who_reaches_which_page(who, status, request, client_for, submitted):
    client = client_for(request.getfixturevalue(who))
    answers = {name: client.get(url).status_code for name, url in _pages(submitted).items()}
    assert answers == status


@pytest.mark.parametrize("who,status", [("citizen", 404), ("other_admin", 404),
                                        ("coordinator", 403)])
def test_who_may_not_submit_or_withdraw_on_the_pages(who, status, request, client_for, draft):
    client = client_for(request.getfixturevalue(who))
    assert client.post(f"/de/data/datasets/{draft.slug}/submit/").status_code == status
    draft.refresh_from_db()
    assert draft.state == Dataset.State.DRAFT


def test_a_member_registers_edits_and_submits(client_for, partner_member, organisation,
                                              coordinator):
    client = client_for(partner_member)
    form_page = client.get(f"/de/data/new/?organisation={organisation.pk}")
    assert form_page.status_code == 200
    assert 'for="id_title_de"' in form_page.content.decode()
    answer = client.post("/de/data/new/", _form(organisation=str(organisation.pk)))
    assert answer.status_code == 302
    dataset = Dataset.objects.get(slug="baustellen")
    assert dataset.publisher == organisation and dataset.state == Dataset.State.DRAFT
    assert dataset.keywords == ["Baustellen", "Verkehr"]
    assert list(dataset.distributions.values_list("file_type", flat=True)) == ["GEOJSON"]
    mine = client.get("/de/data/mine/").content.decode()
    assert "Baustellen" in mine and "Entwurf" in mine and "Meine Datensätze" in mine
    english = client.get("/en/data/mine/").content.decode()
    assert "My datasets" in english and "Meine Datensätze" not in english
    assert client.get("/de/data/datasets/baustellen/submit/").status_code == 405
    assert client.post("/de/data/datasets/baustellen/submit/").status_code == 302
    dataset.refresh_from_db()
    assert dataset.state == Dataset.State.SUBMITTED
    queue = client_for(coordinator).get("/de/data/review/").content.decode()
    assert "Baustellen" in queue


def test_a_bad_link_shows_the_error_summary(client_for, partner_member, organisation):
    client = client_for(partner_member)
    answer = client.post("/de/data/new/", _form(**{"organisation": str(organisation.pk),
                                                   "links-0-access_url": "javascript:alert(1)"}))
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "form-error-summary" in html and 'href="#id_links-0-access_url"' in html
    assert not Dataset.objects.exists()


def test_a_member_cannot_register_for_another_organisation(client_for, partner_member,
                                                           other_admin):
    other = Membership.objects.get(user=other_admin).organisation
    answer = client_for(partner_member).post("/de/data/new/",
                                             _form(organisation=str(other.pk)))
    assert answer.status_code == 400
    assert not Dataset.objects.exists()


def test_the_office_publishes_and_returns_on_the_review_page(client_for, coordinator,
                                                             submitted):
    client = client_for(coordinator)
    html = client.get(f"/de/data/datasets/{submitted.slug}/review/").content.decode()
    assert "https://data.example/rad.csv" in html
    assert "Creative Commons Namensnennung – 4.0 International" in html and "Verkehr" in html
    refused = client.post(f"/de/data/datasets/{submitted.slug}/review/",
                          {"decision": "return", "note": ""})
    assert refused.status_code == 400
    answer = client.post(f"/de/data/datasets/{submitted.slug}/review/",
                         {"decision": "publish", "note": ""})
    assert answer.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Dataset.State.PUBLISHED
    # No longer waiting: the review page sends back to the queue.
    again = client.get(f"/de/data/datasets/{submitted.slug}/review/")
    assert again.status_code == 302


def test_lab_and_platform_datasets_have_no_partner_pages(client_for, coordinator,
                                                          partner_admin, make_dataset):
    lab_like = make_dataset(kind=Dataset.Kind.PLATFORM, platform_key="partners")
    for person in (coordinator, partner_admin):
        client = client_for(person)
        assert client.get(f"/de/data/datasets/{lab_like.slug}/edit/").status_code == 404
        assert client.post(f"/de/data/datasets/{lab_like.slug}/withdraw/").status_code == 404


def _many(organisation, partner_member, count):
    for number in range(count):
        services.create_dataset(actor=partner_member, organisation=organisation,
                                data={**DATA, "title_de": f"Datensatz {number}"},
                                distributions=LINKS)


def test_my_datasets_and_the_queue_cost_the_same_however_many(
        client_for, partner_member, organisation, coordinator, django_assert_max_num_queries):
    _many(organisation, partner_member, 2)
    client = client_for(partner_member)
    from stadtallianz.core.testing import query_count

    few = query_count(client.get, "/de/data/mine/")
    _many(organisation, partner_member, 8)
    assert query_count(client.get, "/de/data/mine/") == few
    for dataset in Dataset.objects.all():
        services.submit_dataset(dataset=dataset, actor=partner_member)
    office = client_for(coordinator)
    with django_assert_max_num_queries(few + 2):
        answer = office.get("/de/data/review/")
    assert answer.content.decode().count("/review/\"") >= 10


# ---------------------------------------------------------------------------------------------
# In a real browser: axe-core, the error summary, the Content Security Policy.


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pages_are_accessible_in_a_browser(page, live_server, partner_member,  # noqa: F811
                                               organisation, coordinator, language):
    from conftest import DEMO_PASSWORD
    from tests.browser.conftest import login, sweep, unlinked_errors

    dataset = services.create_dataset(actor=partner_member, organisation=organisation,
                                      data=DATA, distributions=LINKS)
    login(page, live_server, partner_member.email, DEMO_PASSWORD, language)
    assert sweep(page, live_server.url, language, [
        "/data/mine/", "/data/new/", f"/data/datasets/{dataset.slug}/edit/"]) == {}
    page.goto(f"{live_server.url}/{language}/data/datasets/{dataset.slug}/edit/")
    page.fill("input[name=links-0-access_url]", "ftp://nicht-erlaubt")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert unlinked_errors(page, ["links-0-access_url"]) == {}
    assert page.csp_violations == []
    services.submit_dataset(dataset=dataset, actor=partner_member)
    page.context.clear_cookies()
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    assert sweep(page, live_server.url, language, [
        "/data/review/", f"/data/datasets/{dataset.slug}/review/"]) == {}
