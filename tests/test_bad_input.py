"""Malformed input never makes the server fail: every page and endpoint answers below 500.

Each URL is requested as a visitor and as a coordinator with broken query parameters (text where a
number belongs, unknown choices, markup, very long text, the NUL character that PostgreSQL refuses
in text), broken ids and tokens, and broken form and JSON bodies. Run on SQLite and PostgreSQL:
NUL only fails on PostgreSQL.
"""

import json

import pytest
from django.db import transaction
from django.test import Client

from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Invitation, Membership, Offer

LONG = "x" * 5000
HUGE = "99999999999999999999"

BAD_QUERIES = [
    "page=abc", "page=-1", "page=0", "page=99999", f"page={HUGE}", "page=1.5",
    "type=unknown", "focus=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "category=%00",
    "status=nonsense", f"q={LONG}", "q=%00", "q=a%00b", "q=%25%5F%5C", "q=%ED%A0%80",
    "focus=%00", "type=%00", "format=exe", "format=%00", "format=xlsx&q=%00",
    "date_from=2024-13-45", "date_to=abc", "date_from=2025-01-02&date_to=2025-01-01",
    "date_from=%00", "action=%00", "actor=%00", "next=%00", "email=%00", "lang=%00",
    "limit=abc", "limit=-1", "limit=0", f"limit={HUGE}", "offset=-5", f"offset={HUGE}",
    "focus_area=%00", "offer_category=nope", "p=abc", "p=99999", "q=1&q=2&page=2&page=x",
]

WEB_URLS = [
    "/de/", "/en/", "/de/partners/", "/de/partners/new/", "/de/partners/{slug}/",
    "/de/partners/{slug}/edit/", "/de/partners/{slug}/offers/", "/de/partners/{slug}/members/",
    "/de/letter-of-intent/", "/de/letter-of-intent/v1/", "/de/letter-of-intent/sign/{slug}/",
    "/de/letter-of-intent/status/{slug}/", "/de/letter-of-intent/withdraw/{slug}/",
    "/de/login/", "/de/register/", "/de/register/resend/", "/de/password-reset/",
    "/de/account/", "/de/account/tokens/", "/de/account/delete/",
    "/de/backoffice/", "/de/backoffice/applications/", "/de/backoffice/partners/",
    "/de/backoffice/partners/export/", "/de/backoffice/audit/", "/de/backoffice/audit/export/",
    "/de/backoffice/versions/", "/de/backoffice/focus-areas/",
    "/sitemap.xml", "/healthz",
    "/api/v1/partners", "/api/v1/partners/{slug}", "/api/v1/letter-of-intent",
    "/api/v1/letter-of-intent/signatories", "/api/v1/focus-areas", "/api/v1/principles",
    "/api/v1/sdgs",
]

# Paths with ids, slugs and tokens that do not exist or cannot exist.
BAD_PATHS = [
    "/de/partners/no-such-partner/", "/de/partners/no-such-partner/edit/",
    "/de/partners/{slug}/offers/{huge}/edit/", "/de/partners/{slug}/offers/0/edit/",
    "/de/partners/invitations/nope/", "/de/partners/invitations/%00/",
    "/de/partners/invitations/{long}/", "/de/partners/invitations/a%00b/",
    "/de/letter-of-intent/v0/", "/de/letter-of-intent/v{huge}/",
    "/de/letter-of-intent/sign/no-such-partner/", "/de/letter-of-intent/status/no-such-partner/",
    "/de/register/confirm/nope/", "/de/register/confirm/%00/", "/de/register/confirm/{long}/",
    "/de/register/confirm/e30:1:2/",
    "/de/password-reset/abc/def/", "/de/password-reset/%00/%00/",
    "/de/password-reset/MQ/set-password/",
    "/de/backoffice/applications/{huge}/", "/de/backoffice/versions/{huge}/",
    "/de/backoffice/versions/{huge}/edit/", "/de/backoffice/focus-areas/{huge}/",
    "/de/no-such-page/", "/de/partners/%00/",
    "/api/v1/partners/%00", "/api/v1/partners/a%00b", "/api/v1/partners/no-such-partner",
    "/api/v1/partners/{long}", "/api/v1/letter-of-intent/nope",
]

POST_PATHS = [
    "/de/partners/new/", "/de/partners/{slug}/edit/", "/de/partners/{slug}/offers/",
    "/de/partners/{slug}/offers/{offer}/edit/", "/de/partners/{slug}/offers/{offer}/delete/",
    "/de/partners/{slug}/offers/{huge}/delete/", "/de/partners/{slug}/members/",
    "/de/partners/{slug}/members/{membership}/role/",
    "/de/partners/{slug}/members/{huge}/remove/",
    "/de/partners/{slug}/invitations/{huge}/cancel/",
    "/de/partners/{slug}/invitations/{huge}/resend/",
    "/de/partners/invitations/%00/", "/de/partners/invitations/{invitation_token}/",
    "/de/letter-of-intent/sign/{slug}/", "/de/letter-of-intent/withdraw/{slug}/",
    "/de/login/", "/de/register/", "/de/register/resend/", "/de/password-reset/",
    "/de/register/confirm/%00/", "/de/account/edit/", "/de/account/tokens/",
    "/de/account/tokens/{huge}/revoke/", "/de/account/delete/", "/de/account/password/",
    "/de/backoffice/applications/{signature}/reject/",
    "/de/backoffice/applications/{huge}/confirm/",
    "/de/backoffice/versions/new/", "/de/backoffice/versions/{huge}/publish/",
    "/de/backoffice/focus-areas/new/",
]

# Form bodies: NUL characters, wrong types, unknown choices, very long text, repeated keys.
BAD_FORMS = [
    {},
    {"name": "\x00", "type": "company", "description_de": "\x00", "website": "\x00"},
    {"name": "A\x00B", "type": "nonsense", "website": "javascript:alert(1)"},
    {"kind": "offer", "category": "data", "text": "a\x00b"},
    {"kind": "\x00", "category": "\x00", "text": LONG},
    {"email": "a\x00@example.org", "role": "owner"},
    {"role": "\x00"},
    {"version": HUGE, "signatory_name": "\x00", "signatory_function": "x",
     "authority_confirmed": "on"},
    {"version": "abc", "signatory_name": "N", "signatory_function": "F",
     "authority_confirmed": "on"},
    {"username": "\x00", "password": "\x00"},
    {"full_name": "\x00", "email": "x\x00@example.org", "password1": "a", "password2": "b",
     "preferred_language": "xx"},
    {"reason": "\x00"},
    {"title_de": "\x00", "title_en": "x", "text_de": "x", "text_en": "x"},
    {"slug": "\x00", "name_de": "x", "position": "-1"},
    {"slug": "neu", "name_de": "x", "position": HUGE},
    {"latitude": "NaN", "longitude": "Infinity", "name": "N", "type": "company"},
    {"latitude": "1e400", "longitude": "-1e400", "name": "N", "type": "company"},
    {"password": "\x00", "confirm": "\x00", "name": LONG},
]

API_WRITES = [
    ("patch", "/api/v1/partners/{slug}"),
    ("post", "/api/v1/partners/{slug}/offers"),
    ("patch", "/api/v1/partners/{slug}/offers/{offer}"),
    ("patch", "/api/v1/partners/{slug}/offers/{huge}"),
    ("delete", "/api/v1/partners/{slug}/offers/{huge}"),
    ("patch", "/api/v1/partners/%00"),
]

BAD_JSON = [
    "", "{", "null", "[]", "42", '"text"', json.dumps({"name": 5}),
    json.dumps({"name": "\x00"}), json.dumps({"name": "a\x00b", "description_de": "\x00"}),
    json.dumps({"city": "\x00", "street": "\x00", "postal_code": "\x00"}),
    json.dumps({"website": "\x00"}), json.dumps({"website": "javascript:alert(1)"}),
    json.dumps({"focus_areas": ["\x00"]}), json.dumps({"focus_areas": "mobility"}),
    json.dumps({"focus_areas": [["x"]]}), json.dumps({"focus_areas": [None]}),
    json.dumps({"latitude": "NaN"}), json.dumps({"latitude": 1e308}),
    json.dumps({"latitude": 12.1234567891}), json.dumps({"latitude": "abc"}),
    json.dumps({"type": "nonsense"}), json.dumps({"type": None}), json.dumps({"name": None}),
    json.dumps({"kind": "offer", "category": "data", "text": "\x00"}),
    json.dumps({"kind": "offer", "category": "data", "text": "a\x00b"}),
    json.dumps({"kind": "\x00", "category": None, "text": 5}),
    json.dumps({"category": "\x00", "text": "x" * 3000}),
    json.dumps({"text": "\u0000\u0000"}),
]


@pytest.fixture
def world(organisation, partner_admin, coordinator, make_user):
    """One of everything the URLs point at: an offer, a pending signature, an invitation."""
    offer = Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                                 category=Offer.Category.DATA, text="Open data")
    membership = Membership.objects.get(user=partner_admin)
    invitation = Invitation.objects.create(organisation=organisation, email="new@example.org",
                                           invited_by=partner_admin, token="tok-123")
    signature = Signature.objects.create(
        organisation=organisation, version=Version.objects.current(), signed_by=partner_admin,
        signatory_name="Anna", signatory_function="CEO", authority_confirmed=True)
    return {
        "slug": organisation.slug, "offer": offer.pk, "membership": membership.pk,
        "invitation_token": invitation.token, "signature": signature.pk,
        "huge": HUGE, "long": LONG,
    }


@pytest.fixture(params=["visitor", "coordinator"])
def caller(request, coordinator):
    """A test client that reports a server error as a status code, not as an exception.

    The coordinator reaches every page and form (those of any organisation included); the
    visitor reaches the public ones and the login redirects.
    """
    client = Client(raise_request_exception=False)
    if request.param == "coordinator":
        client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _send(client, method: str, url: str, *args, **kwargs):
    """One request in a savepoint: on PostgreSQL a failed query aborts the test's transaction,
    and without the rollback every later request of the test would fail too."""
    savepoint = transaction.savepoint()
    response = getattr(client, method)(url, *args, **kwargs)
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return response


def _failures(responses) -> list[str]:
    return [f"{method} {url} [{body!r:.80}] -> {response.status_code}"
            for method, url, body, response in responses if response.status_code >= 500]


def test_query_parameters_never_cause_a_server_error(world, caller):
    """Broken query parameters on every page and list endpoint answer below 500."""
    responses = []
    for template in WEB_URLS:
        url = template.format(**world)
        for query in BAD_QUERIES:
            full = f"{url}?{query}"
            responses.append(("GET", full, "", _send(caller, "get", full)))
        responses.append(("GET", url, "htmx", _send(caller, "get", f"{url}?q=%00&page=x",
                                                       headers={"HX-Request": "true"})))
    failures = _failures(responses)
    assert not failures, "\n".join(failures)


def test_broken_ids_slugs_and_tokens_never_cause_a_server_error(world, caller):
    """Ids out of range, unknown slugs and tokens with NUL characters answer below 500."""
    responses = []
    for template in BAD_PATHS:
        url = template.format(**world)
        responses.append(("GET", url, "", _send(caller, "get", url)))
    failures = _failures(responses)
    assert not failures, "\n".join(failures)


def test_broken_form_bodies_never_cause_a_server_error(world, caller):
    """Form posts with NUL characters, unknown choices, wrong types and long text answer below
    500, and POST-only actions refuse GET."""
    responses = []
    for template in POST_PATHS:
        url = template.format(**world)
        for body in BAD_FORMS:
            responses.append(("POST", url, body, _send(caller, "post", url, body)))
    failures = _failures(responses)
    assert not failures, "\n".join(failures)


def test_broken_json_bodies_never_cause_a_server_error(world, caller):
    """API writes with invalid JSON, wrong types and NUL characters answer below 500."""
    responses = []
    for method, template in API_WRITES:
        url = template.format(**world)
        for body in BAD_JSON:
            response = _send(caller, method, url, data=body, content_type="application/json",
                                               headers={"X-CSRFToken": "x"})
            responses.append((method.upper(), url, body, response))
    failures = _failures(responses)
    assert not failures, "\n".join(failures)


def test_api_writes_with_a_token_never_cause_a_server_error(world, partner_admin):
    """The same broken JSON sent with a valid token (so it reaches validation) answers below
    500."""
    from stadtallianz.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=partner_admin, name="bad input")
    client = Client(raise_request_exception=False)
    responses = []
    for method, template in API_WRITES:
        url = template.format(**world)
        for body in BAD_JSON:
            response = _send(client, method, url, data=body, content_type="application/json",
                                               headers={"Authorization": f"Bearer {key}"})
            responses.append((method.upper(), url, body, response))
    for header in ["Bearer \x00", "Bearer sta_\x00", "Basic abc", "Bearer", "bearer  sta_x"]:
        response = _send(client, "get", "/api/v1/partners", headers={"Authorization": header})
        responses.append(("GET", "/api/v1/partners", header, response))
    failures = _failures(responses)
    assert not failures, "\n".join(failures)
