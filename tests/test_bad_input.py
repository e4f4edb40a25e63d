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
    # The funding calls', applications' and partner searches' filters and prefills.
    "state=%00", "level=%00", "applicant_type=%00", "wanted_type=%00", "role=%00", "call=%00",
    "project=%00", "idea=%00", f"idea={HUGE}", "idea=-1", "organisation=%00", "fragment=1",
    "state=open&level=nope&applicant_type=nope", "call=no-such-call&project=no-such-project",
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
    "/de/funding/", "/de/funding/calendar/", "/de/funding/deadlines.ics", "/de/funding/feed/",
    "/de/funding/import/", "/de/funding/calls/new/", "/de/funding/calls/{call}/",
    "/de/funding/calls/{call}/edit/", "/de/funding/programmes/",
    "/de/funding/programmes/new/", "/de/funding/programmes/{programme}/",
    "/de/funding/programmes/{programme}/edit/",
    "/de/funding/applications/", "/de/funding/applications/new/",
    "/de/funding/applications/pipeline/", "/de/funding/applications/pipeline/export.csv",
    "/de/funding/applications/pipeline/export.xlsx", "/de/funding/applications/acquired/",
    "/de/funding/applications/{application}/", "/de/funding/applications/{application}/edit/",
    "/de/funding/applications/{application}/members/new/",
    "/de/funding/applications/{application}/members/{application_member}/budget/",
    "/de/funding/applications/{application}/grant/",
    "/de/partner-search/", "/de/partner-search/new/", "/de/partner-search/mine/",
    "/de/partner-search/{notice}/", "/de/partner-search/{notice}/edit/",
    "/de/partner-search/{notice}/renew/",
    "/de/suggestions/", "/de/suggestions/projects/{project}/", "/de/suggestions/calls/{call}/",
    "/de/suggestions/notices/{notice}/",
    "/api/v1/funding/programmes", "/api/v1/funding/programmes/{programme}",
    "/api/v1/funding/calls", "/api/v1/funding/calls/{call}", "/api/v1/funding/deadlines",
    "/api/v1/funding/follows", "/api/v1/funding/applications",
    "/api/v1/funding/applications/pipeline", "/api/v1/funding/applications/totals",
    "/api/v1/funding/applications/{application}",
    "/api/v1/funding/applications/{application}/members",
    "/api/v1/funding/applications/{application}/budget",
    "/api/v1/funding/applications/{application}/checklist",
    "/api/v1/partner-search", "/api/v1/partner-search/{notice}",
    "/api/v1/partner-search/{notice}/interests",
    "/api/v1/suggestions/projects/{project}", "/api/v1/suggestions/calls/{call}",
    "/api/v1/suggestions/notices/{notice}", "/api/v1/suggestions/organisations/{slug}",
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
    "/de/funding/calls/no-such-call/", "/de/funding/calls/no-such-call/edit/",
    "/de/funding/calls/%00/", "/de/funding/programmes/no-such-programme/",
    "/de/funding/programmes/no-such-programme/edit/", "/de/funding/feed/nope.ics",
    "/de/funding/feed/%00.ics", "/de/funding/feed/{long}.ics",
    "/de/funding/applications/pipeline/export.exe", "/de/funding/applications/{huge}/",
    "/de/funding/applications/0/edit/", "/de/funding/applications/{huge}/members/new/",
    "/de/funding/applications/{application}/members/{huge}/budget/",
    "/de/funding/applications/{huge}/grant/",
    "/de/partner-search/{huge}/", "/de/partner-search/0/edit/", "/de/partner-search/{huge}/renew/",
    "/de/suggestions/projects/no-such-project/", "/de/suggestions/calls/no-such-call/",
    "/de/suggestions/notices/{huge}/", "/de/suggestions/notices/0/",
    "/api/v1/funding/calls/%00", "/api/v1/funding/calls/no-such-call",
    "/api/v1/funding/programmes/a%00b", "/api/v1/funding/applications/{huge}",
    "/api/v1/funding/applications/abc", "/api/v1/funding/applications/{huge}/budget",
    "/api/v1/partner-search/{huge}", "/api/v1/partner-search/abc",
    "/api/v1/partner-search/{huge}/interests", "/api/v1/suggestions/notices/{huge}",
    "/api/v1/suggestions/calls/%00", "/api/v1/suggestions/organisations/no-such-partner",
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
    "/de/funding/feed/", "/de/funding/import/", "/de/funding/calls/new/",
    "/de/funding/calls/{call}/edit/", "/de/funding/calls/{call}/follow/",
    "/de/funding/calls/{call}/verify/", "/de/funding/calls/{huge}/delete/",
    "/de/funding/programmes/new/", "/de/funding/programmes/{programme}/edit/",
    "/de/funding/applications/new/", "/de/funding/applications/{application}/edit/",
    "/de/funding/applications/{application}/members/new/",
    "/de/funding/applications/{application}/members/{application_member}/budget/",
    "/de/funding/applications/{application}/members/{huge}/remove/",
    "/de/funding/applications/{application}/state/",
    "/de/funding/applications/{application}/grant/",
    "/de/funding/applications/{application}/checklist/",
    "/de/funding/applications/{application}/checklist/{huge}/toggle/",
    "/de/funding/applications/{application}/checklist/{huge}/remove/",
    "/de/funding/applications/{application}/documents/",
    "/de/funding/applications/{application}/documents/{huge}/remove/",
    "/de/partner-search/new/", "/de/partner-search/{notice}/edit/",
    "/de/partner-search/{notice}/renew/", "/de/partner-search/{huge}/close/",
    "/de/partner-search/{notice}/interests/{huge}/accept/",
    "/de/partner-search/{notice}/interests/{huge}/%00/",
    "/de/suggestions/hide/", "/de/suggestions/show/",
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
    # Funding calls, programmes, applications, budgets, partner searches, suggestions.
    {"title_de": "A\x00", "slug": "\x00", "programme": HUGE, "state": "\x00",
     "opens_on": "2024-13-45", "total_budget": "NaN", "min_amount": "-1e400",
     "max_amount": HUGE * 3, "funding_rate": "Infinity", "eligible_types": ["\x00"],
     "focus_areas": ["\x00", "abc"], "rate_research": "1e400", "url": "javascript:x",
     "deadline_1": "\x00", "verified": "on"},
    {"funder": "\x00", "level": "nope", "name_de": LONG, "slug": "a\x00b", "url": "\x00"},
    {"call": "\x00", "project": HUGE, "idea": "-1", "organisation": "abc", "title": "\x00",
     "published": "\x00"},
    {"organisation": HUGE, "role": "\x00"},
    {"personnel-amount": "1e400", "personnel-requested": "NaN", "material-amount": "-5",
     "material-requested": HUGE * 3, "travel-amount": "\x00"},
    {"state": "\x00", "on": "0000-00-00"}, {"state": "granted", "on": "9999-99-99"},
    {"reference": "\x00", "amount": "Infinity", "starts_on": "abc", "months": HUGE},
    {"text": "\x00", "document": HUGE, "url": "\x00"},
    {"expires_on": "2024-02-30", "deadline": "\x00", "wanted_types": "nope",
     "roles_sought": ["\x00"], "capabilities_sought_de": LONG},
    {"kind": "\x00", "subject_kind": "nope", "subject_id": HUGE, "object_kind": "\x00",
     "object_id": "-1", "next": "\x00"},
    {"file": "\x00", "confirm": "on", "token": "\x00", "action": "\x00"},
]

API_WRITES = [
    ("patch", "/api/v1/partners/{slug}"),
    ("post", "/api/v1/partners/{slug}/offers"),
    ("patch", "/api/v1/partners/{slug}/offers/{offer}"),
    ("patch", "/api/v1/partners/{slug}/offers/{huge}"),
    ("delete", "/api/v1/partners/{slug}/offers/{huge}"),
    ("patch", "/api/v1/partners/%00"),
    ("post", "/api/v1/funding/programmes"), ("patch", "/api/v1/funding/programmes/{programme}"),
    ("post", "/api/v1/funding/calls"), ("patch", "/api/v1/funding/calls/{call}"),
    ("post", "/api/v1/funding/calls/{call}/follow"),
    ("delete", "/api/v1/funding/calls/%00/follow"),
    ("post", "/api/v1/funding/calls/{call}/verify"),
    ("post", "/api/v1/funding/applications"),
    ("patch", "/api/v1/funding/applications/{application}"),
    ("post", "/api/v1/funding/applications/{application}/transitions"),
    ("post", "/api/v1/funding/applications/{application}/grant"),
    ("post", "/api/v1/funding/applications/{application}/members"),
    ("delete", "/api/v1/funding/applications/{application}/members/{huge}"),
    ("put", "/api/v1/funding/applications/{application}/members/{application_member}/budget"),
    ("post", "/api/v1/funding/applications/{application}/checklist"),
    ("patch", "/api/v1/funding/applications/{application}/checklist/{huge}"),
    ("post", "/api/v1/partner-search"), ("patch", "/api/v1/partner-search/{notice}"),
    ("post", "/api/v1/partner-search/{notice}/renew"),
    ("post", "/api/v1/partner-search/{notice}/close"),
    ("post", "/api/v1/partner-search/{notice}/interests"),
    ("post", "/api/v1/partner-search/{notice}/interests/{huge}/accept"),
    ("post", "/api/v1/suggestions/dismissals"), ("post", "/api/v1/suggestions/dismissals/undo"),
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
    json.dumps({"title_de": "\x00", "slug": "a\x00b", "state": "nope", "opens_on": "2024-13-45",
                "total_budget": "NaN", "funding_rate": 1e308, "eligible_types": ["\x00"],
                "deadlines": [{"due_at": "abc"}], "rates": {"\x00": "x"}}),
    json.dumps({"min_amount": -1, "max_amount": 1e308, "funding_rate": -5,
                "focus_areas": [None], "deadlines": "x", "rates": [1]}),
    json.dumps({"funder": None, "level": "\x00", "name_de": 5}),
    json.dumps({"call": "\x00", "project": 1e308, "idea": -1, "organisation": None,
                "title": "\x00"}),
    json.dumps({"state": "\x00", "on": "0000-00-00"}),
    json.dumps({"reference": "\x00", "amount": "Infinity", "starts_on": "x", "months": -1}),
    json.dumps({"organisation": "\x00", "role": 5}),
    json.dumps({"lines": {"\x00": {"amount": "NaN"}}}), json.dumps({"lines": [None]}),
    json.dumps({"personnel": {"amount": 1e308, "requested": -1}}),
    json.dumps({"done": "\x00", "text": LONG}),
    json.dumps({"expires_on": "2024-02-30", "deadline": 5, "wanted_types": "research",
                "roles_sought": [None], "message": "\x00", "organisation": []}),
    json.dumps({"subject_kind": "\x00", "subject_id": 1e308, "object_kind": None,
                "object_id": "x"}),
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
    call, application, notice = _funding_world(organisation, partner_admin)
    return {
        "slug": organisation.slug, "offer": offer.pk, "membership": membership.pk,
        "invitation_token": invitation.token, "signature": signature.pk,
        "huge": HUGE, "long": LONG, "call": call.slug, "programme": call.programme.slug,
        "application": application.pk, "application_member": application.members.first().pk,
        "notice": notice.pk, "project": application.project.slug,
    }


def _funding_world(organisation, partner_admin):
    """A programme's open call, an application of the organisation's project for it (with a
    partner in its consortium), and a partner search for the project and the call."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from stadtallianz.funding.models import Call, CallRate, Deadline, Programme
    from stadtallianz.partnering import services as partnering_services
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects import services as project_services
    from stadtallianz.proposals import services as proposal_services
    from stadtallianz.proposals.models import ApplicationMember

    programme = Programme.objects.create(funder="Bund", level="federal",
                                         name_de="Modellprojekte", slug="modellprojekte")
    call = Call.objects.create(programme=programme, slug="smarte-quartiere",
                               title_de="Smarte Quartiere", funding_rate=Decimal("70"),
                               min_amount=Decimal("1000"), max_amount=Decimal("500000"),
                               total_budget=Decimal("5000000"))
    CallRate.objects.create(call=call, applicant_type="research", rate=Decimal("100"))
    Deadline.objects.create(call=call, due_at=timezone.now() + timedelta(days=40))
    project = project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "phase": "concept"})
    application = proposal_services.application_create(
        actor=partner_admin, call=call, organisation=organisation, title="Quartiersbus",
        project=project)
    other = Organisation.objects.create(name="Andere GmbH", slug="andere",
                                        type=Organisation.Type.COMPANY,
                                        status=Organisation.Status.PARTNER,
                                        partner_since=timezone.now())
    proposal_services.member_add(actor=partner_admin, application=application,
                                 organisation=other, role=ApplicationMember.Role.PARTNER)
    today = timezone.localdate()
    notice = partnering_services.notice_create(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Partner gesucht", "description_de": "Für den Quartiersbus.",
              "project": project, "call": call, "roles_sought": ["partner"],
              "wanted_types": ["research"], "deadline": today + timedelta(days=20),
              "expires_on": today + timedelta(days=60)})
    return call, application, notice


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
