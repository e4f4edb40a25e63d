"""Anonymous reads of the REST API and the SensorThings API are rate-limited per client address
(core/ratelimit.py): 429 with Retry-After in each API's error shape once the limit is passed;
logged-in people and valid tokens are not limited; one address does not use up another's
allowance, also behind a reverse proxy."""

import time

import pytest

from stadtallianz.core.ratelimit import hit, parse_rate

pytestmark = pytest.mark.django_db

STA = "/sta/v1.1/Things"
API = "/api/v1/partners"


@pytest.fixture
def three_per_minute(settings):
    settings.ANON_READ_RATE = "3/60"


def test_hit_counts_per_key_and_says_how_long_to_wait():
    assert [hit("test:a", 2, 60) for _ in range(2)] == [None, None]
    retry_after = hit("test:a", 2, 60)
    assert retry_after is not None and 1 <= retry_after <= 60
    assert hit("test:b", 2, 60) is None  # another key has its own count


def test_the_window_ends():
    assert hit("test:short", 1, 1) is None
    time.sleep(1.05)  # a window of one second is over
    assert hit("test:short", 1, 1) is None  # a new window, a new count


@pytest.mark.parametrize("text,expected", [("300/60", (300, 60)), (" 5 / 1 ", (5, 1)),
                                           ("", None), ("0", None), ("0/60", None)])
def test_rates_are_read_from_settings_text(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["300", "a/60", "300/0", "-1/60"])
def test_a_wrong_rate_is_an_error_at_once(text):
    with pytest.raises(ValueError):
        parse_rate(text)


def test_sensorthings_reads_over_the_limit_are_429_with_retry_after(client, three_per_minute):
    assert [client.get(STA).status_code for _ in range(3)] == [200, 200, 200]
    # a browser client on another site reads the answer and its Retry-After (CORS)
    response = client.get(STA, HTTP_ORIGIN="https://geoportal.example.org")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["code"] == 429 and body["type"] == "error" and "try again" in body["message"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    # every read of the API counts, the service root and HEAD too
    assert client.get("/sta/v1.1").status_code == 429
    assert client.head(STA).status_code == 429


def test_api_reads_over_the_limit_are_429_in_the_api_shape(client, three_per_minute):
    assert [client.get(API).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(API)
    assert response.status_code == 429 and "Retry-After" in response
    assert "try again" in response.json()["detail"]


def test_pages_and_writes_are_not_counted(client, three_per_minute):
    for _ in range(5):
        assert client.get("/de/").status_code == 200
        assert client.post(STA, {}, content_type="application/json").status_code == 401
    assert client.get(STA).status_code == 200


def test_each_address_has_its_own_allowance(client, three_per_minute):
    for _ in range(3):
        client.get(STA, REMOTE_ADDR="192.0.2.1")
    assert client.get(STA, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(STA, REMOTE_ADDR="192.0.2.2").status_code == 200
    assert client.get(API, REMOTE_ADDR="2001:db8::7").status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(client, three_per_minute, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # nginx appends the address it was called from; what is left of it the client wrote
    for made_up in ("192.0.2.50", "192.0.2.51", "203.0.113.9, 192.0.2.52"):
        client.get(STA, HTTP_X_FORWARDED_FOR=f"{made_up}, 198.51.100.1", **proxy)
    assert client.get(STA, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    # another client behind the same proxy is not held back by the first
    assert client.get(STA, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 200
    assert client.get(STA, HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.2",
                      **proxy).status_code == 200


def test_login_throttling_sees_the_same_address(rf, settings):
    from axes.helpers import get_client_ip_address

    settings.AXES_IPWARE_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="192.0.2.50, 198.51.100.1",
                     REMOTE_ADDR="127.0.0.1")
    assert get_client_ip_address(request) == "198.51.100.1"
    settings.AXES_IPWARE_PROXY_COUNT = None  # no proxy: the header is the client's own text
    assert get_client_ip_address(request) == "127.0.0.1"
    # what is no address (made up, or a misconfigured proxy) is not taken for one
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for forwarded in ("", "<script>", "198.51.100.1, " + "9" * 5000):
        request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
        assert get_client_ip_address(request) == "127.0.0.1"


def test_logged_in_people_are_not_limited(client, three_per_minute, make_user):
    client.force_login(make_user("leser@example.org"))
    assert {client.get(STA).status_code for _ in range(6)} == {200}
    assert {client.get(API).status_code for _ in range(6)} == {200}


@pytest.fixture
def lab_key(organisation):
    from datetime import date

    from stadtallianz.livinglabs.models import LabToken, LivingLab

    lab = LivingLab.objects.create(
        name_de="Reallabor", slug="reallabor", description_de="Test", starts_on=date(2026, 1, 1),
        area={"type": "Point", "coordinates": [7.6, 51.9]}, operator=organisation,
        contact_name="Team", contact_email="team@example.org")
    return LabToken.issue(lab=lab, name="Messboje")[1]


def test_valid_tokens_are_not_limited_and_wrong_ones_are(client, three_per_minute, make_user,
                                                         lab_key):
    from stadtallianz.accounts.models import ApiToken

    _token, api_key = ApiToken.issue(user=make_user("skript@example.org"), name="Skript")
    api_auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    assert {client.get(API, **api_auth).status_code for _ in range(6)} == {200}
    lab_auth = {"HTTP_AUTHORIZATION": f"Bearer {lab_key}"}
    assert {client.get(STA, **lab_auth).status_code for _ in range(6)} == {200}
    # a made-up token does not buy more requests: counted as anonymous (and refused)
    wrong = {"HTTP_AUTHORIZATION": "Bearer lab_00000000_made-up"}
    assert [client.get(STA, **wrong).status_code for _ in range(4)] == [401, 401, 401, 429]


def test_no_limit_when_switched_off(client, settings):
    settings.ANON_READ_RATE = ""
    assert {client.get(STA).status_code for _ in range(10)} == {200}


@pytest.mark.parametrize("prefix", ["/api/3/action/", "/api/action/"])
def test_ckan_reads_by_get_and_by_post_count_and_answer_in_ckans_shape(client, three_per_minute,
                                                                       prefix):
    """CKAN's action API reads by POST as well (ckanapi's default): both count against the
    anonymous allowance (issue 16), and the 429 comes in CKAN's error envelope."""
    statuses = [client.get(prefix + "status_show").status_code,
                client.post(prefix + "package_list", data={}, content_type="application/json")
                .status_code,
                client.post(prefix + "package_search", data={"rows": 1},
                            content_type="application/json").status_code]
    assert statuses == [200, 200, 200]
    response = client.post(prefix + "package_search", data={}, content_type="application/json")
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == "Too Many Requests"
    # The REST API's allowance is the same address's: it is used up too.
    assert client.get(API).status_code == 429


def test_dcat_reads_count_against_the_anonymous_allowance(client, three_per_minute):
    """The DCAT catalogue's pages (each page size built afresh costs seconds in RDF/XML) are
    limited like the other APIs (issue 16)."""
    assert [client.get("/dcat/catalog.ttl").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/dcat/catalog.rdf", {"per_page": 1000})
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert response["Content-Type"].startswith("text/plain")
