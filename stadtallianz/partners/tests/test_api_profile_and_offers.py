"""Changing a partner's profile, offers and needs through the API: who may, and what is refused."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.core.testing import field_errors
from stadtallianz.partners.models import Membership, Offer, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(organisation):
    return Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                                category=Offer.Category.DATA, text="Verkehrsdaten")


def profile(organisation) -> str:
    return f"/api/v1/partners/{organisation.slug}"


def offers(organisation) -> str:
    return f"/api/v1/partners/{organisation.slug}/offers"


def one_offer(offer) -> str:
    return f"/api/v1/partners/{offer.organisation.slug}/offers/{offer.pk}"


def write_calls(organisation, offer):
    """Each write endpoint with a valid body."""
    return [
        ("PATCH", profile(organisation), {"city": "Münster"}),
        ("POST", offers(organisation), {"kind": "need", "category": "reach", "text": "Reichweite"}),
        ("PATCH", one_offer(offer), {"text": "Neuer Text"}),
        ("DELETE", one_offer(offer), None),
    ]


def unchanged(organisation, offer) -> bool:
    fresh = Organisation.objects.get(pk=organisation.pk)
    return (fresh.city == organisation.city
            and list(Offer.objects.values_list("pk", "text")) == [(offer.pk, offer.text)]
            and not AuditEntry.objects.filter(action__startswith="partner.").exists())


# --- Who may write -----------------------------------------------------------------------------


def test_a_partner_admin_changes_the_profile_with_a_token(call, token_for, organisation,
                                                          partner_admin):
    """The admin's PATCH changes only the fields sent, and the change is in the audit log."""
    area = FocusArea.objects.active().first()
    response = call("PATCH", profile(organisation), {
        "city": "Münster", "latitude": "51.962944", "longitude": 7.628694,
        "website": "https://example.org/", "focus_areas": [area.slug],
    }, key=token_for(partner_admin))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["city"] == "Münster"
    assert body["location"] == {"latitude": 51.962944, "longitude": 7.628694}
    assert [item["slug"] for item in body["focus_areas"]] == [area.slug]
    organisation.refresh_from_db()
    assert organisation.latitude == Decimal("51.962944")
    assert organisation.description_de == "Energie und Mobilität."  # not sent, not changed
    entry = AuditEntry.objects.get(action="partner.profile.changed")
    assert entry.actor == partner_admin
    assert entry.after["city"] == "Münster"


def test_a_partner_admin_manages_offers_with_a_token(call, token_for, organisation, partner_admin,
                                                     offer):
    """Create, change and delete an offer; each is audited."""
    key = token_for(partner_admin)
    body = {"kind": "need", "category": "co_financing", "text": "  Kofinanzierung  "}
    created = call("POST", offers(organisation), body, key=key)
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "need" and created.json()["text"] == "Kofinanzierung"
    new = Offer.objects.get(pk=created.json()["id"])

    changed = call("PATCH", one_offer(new), {"category": "reach"}, key=key)
    assert changed.status_code == 200
    new.refresh_from_db()
    assert (new.category, new.text) == ("reach", "Kofinanzierung")

    deleted = call("DELETE", one_offer(offer), key=key)
    assert deleted.status_code == 204
    assert not Offer.objects.filter(pk=offer.pk).exists()
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "partner.need.created", "partner.need.changed", "partner.offer.deleted"}


def test_the_coordinator_may_change_any_organisation(call, token_for, make_organisation,
                                                     coordinator):
    """The coordination office edits even a draft organisation it is not a member of."""
    draft = make_organisation("Entwurf", status=Organisation.Status.DRAFT)
    response = call("PATCH", profile(draft), {"name": "Entwurf eG"}, key=token_for(coordinator))
    assert response.status_code == 200
    assert Organisation.objects.get(pk=draft.pk).name == "Entwurf eG"


def test_the_session_with_csrf_token_may_write(organisation, partner_admin):
    """A logged-in admin's browser writes when it sends the CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(partner_admin, backend="django.contrib.auth.backends.ModelBackend")
    browser.get("/api/v1/docs")  # any page that uses the token sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.patch(profile(organisation), data='{"city": "Münster"}',
                             content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200, response.content
    assert Organisation.objects.get(pk=organisation.pk).city == "Münster"


def test_a_session_without_csrf_token_is_refused(organisation, partner_admin, offer):
    """Without the CSRF token a logged-in session changes nothing: 403."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(partner_admin, backend="django.contrib.auth.backends.ModelBackend")
    for method, path, body in write_calls(organisation, offer):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(browser, method.lower())(path, **kwargs)
        assert response.status_code == 403, (method, path)
    assert unchanged(organisation, offer)


def test_anonymous_writes_answer_401(call, organisation, offer):
    """Without a token or session every write answers 401 and asks for a bearer token."""
    for method, path, body in write_calls(organisation, offer):
        response = call(method, path, body)
        assert response.status_code == 401, (method, path)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert unchanged(organisation, offer)


@pytest.mark.parametrize("key", ["sta_not-a-real-token", "something-else", ""])
def test_an_unknown_token_answers_401(call, organisation, offer, key):
    """A made-up token is no authentication."""
    for method, path, body in write_calls(organisation, offer):
        response = call(method, path, body, Authorization=f"Bearer {key}")
        assert response.status_code == 401, (method, path)
    assert unchanged(organisation, offer)


def test_a_revoked_token_answers_401(call, organisation, offer, partner_admin):
    """Once revoked, an admin's token no longer writes, nor reads."""
    from django.utils import timezone

    from stadtallianz.accounts.models import ApiToken

    token, key = ApiToken.issue(user=partner_admin, name="old")
    token.revoked_at = timezone.now()
    token.save()
    for method, path, body in write_calls(organisation, offer):
        assert call(method, path, body, key=key).status_code == 401, (method, path)
    assert call("GET", "/api/v1/partners", key=key).status_code == 401
    assert unchanged(organisation, offer)


def test_the_token_of_a_deactivated_person_answers_401(call, token_for, organisation, offer,
                                                       partner_admin):
    """A token stops working when its person's account is deactivated."""
    key = token_for(partner_admin)
    partner_admin.is_active = False
    partner_admin.save()
    assert call("PATCH", profile(organisation), {"city": "X"}, key=key).status_code == 401
    assert unchanged(organisation, offer)


@pytest.mark.parametrize("role", ["citizen", "member", "admin_elsewhere"])
def test_people_who_are_not_admins_of_the_organisation_get_403(call, token_for, make_user,
                                                               make_organisation, organisation,
                                                               offer, role, partner_member):
    """A citizen, a plain member, and an admin of another organisation may not write."""
    if role == "citizen":
        person = make_user("citizen@example.org")
    elif role == "member":
        person = partner_member
    else:
        person = make_user("other-admin@example.org")
        Membership.objects.create(user=person, organisation=make_organisation("Andere AG"),
                                  role=Membership.Role.ADMIN)
    key = token_for(person)
    for method, path, body in write_calls(organisation, offer):
        response = call(method, path, body, key=key)
        assert response.status_code == 403, (method, path, response.content)
    assert unchanged(organisation, offer)


def test_writes_to_an_organisation_one_cannot_see_answer_404(call, token_for, make_organisation,
                                                             partner_admin):
    """A draft organisation of others is not found, not forbidden: its existence stays hidden."""
    draft = make_organisation("Geheim", status=Organisation.Status.DRAFT)
    hidden = Offer.objects.create(organisation=draft, kind=Offer.Kind.OFFER,
                                  category=Offer.Category.DATA, text="x")
    key = token_for(partner_admin)
    for method, path, body in write_calls(draft, hidden):
        assert call(method, path, body, key=key).status_code == 404, (method, path)
    assert Offer.objects.get(pk=hidden.pk).text == "x"


def test_an_offer_of_another_organisation_is_404(call, token_for, make_organisation, organisation,
                                                 partner_admin):
    """An admin cannot reach another organisation's offer through their own organisation's URL."""
    other = make_organisation("Andere AG")
    foreign = Offer.objects.create(organisation=other, kind=Offer.Kind.OFFER,
                                   category=Offer.Category.DATA, text="fremd")
    path = f"{offers(organisation)}/{foreign.pk}"
    key = token_for(partner_admin)
    assert call("PATCH", path, {"text": "meins"}, key=key).status_code == 404
    assert call("DELETE", path, key=key).status_code == 404
    assert Offer.objects.get(pk=foreign.pk).text == "fremd"


def test_a_member_of_a_draft_organisation_sees_it_but_may_not_write(call, token_for, make_user,
                                                                    make_organisation):
    """Visible to its member (so 403, not 404) but only its admins change it."""
    draft = make_organisation("Entwurf", status=Organisation.Status.DRAFT)
    member = make_user("m@example.org")
    Membership.objects.create(user=member, organisation=draft, role=Membership.Role.MEMBER)
    assert call("PATCH", profile(draft), {"city": "X"}, key=token_for(member)).status_code == 403


# --- Invalid input -----------------------------------------------------------------------------


@pytest.mark.parametrize("body, field", [
    ({"name": 123}, "name"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"type": "spaceship"}, "type"),
    ({"latitude": 91}, "latitude"),
    ({"latitude": "north"}, "latitude"),
    ({"longitude": -180.5}, "longitude"),
    ({"latitude": "51.1234567"}, "latitude"),
    ({"website": "not a url"}, "website"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"postal_code": "12345678901"}, "postal_code"),
    ({"focus_areas": ["no-such-area"]}, "focus_areas"),
    ({"focus_areas": "energy"}, "focus_areas"),
])
def test_invalid_profile_input_answers_422_naming_the_field(call, token_for, organisation, offer,
                                                             partner_admin, body, field):
    """Each kind of bad input is refused with the field's name, in ninja's error shape, and
    changes nothing (the other, valid field in the same request is not written either)."""
    response = call("PATCH", profile(organisation), {"city": "Münster", **body},
                    key=token_for(partner_admin))
    assert field_errors(response) == {field}
    item = response.json()["detail"][0]
    assert item["loc"][:2] == ["body", "payload"] and item["msg"] and item["type"]
    assert unchanged(organisation, offer)


@pytest.mark.parametrize("body, field", [
    ({"kind": "gift", "category": "data", "text": "x"}, "kind"),
    ({"kind": "offer", "category": "gold", "text": "x"}, "category"),
    ({"kind": "offer", "category": "data", "text": "x" * 2001}, "text"),
    ({"kind": "offer", "category": "data", "text": ""}, "text"),
    ({"kind": "offer", "category": "data", "text": "   "}, "text"),
    ({"kind": "offer", "category": "data", "text": 5}, "text"),
    ({"kind": "offer", "category": "data"}, "text"),
])
def test_invalid_offer_input_answers_422_naming_the_field(call, token_for, organisation, offer,
                                                           partner_admin, body, field):
    """A new offer with an unknown kind or category, or bad text, is refused; none is created."""
    response = call("POST", offers(organisation), body, key=token_for(partner_admin))
    assert field_errors(response) == {field}
    assert unchanged(organisation, offer)


@pytest.mark.parametrize("body, field", [
    ({"category": "gold"}, "category"),
    ({"text": "x" * 2001}, "text"),
    ({"text": None}, "text"),
])
def test_invalid_offer_changes_answer_422(call, token_for, organisation, offer, partner_admin,
                                          body, field):
    """A change with a bad category or text is refused and the offer stays as it was."""
    response = call("PATCH", one_offer(offer), body, key=token_for(partner_admin))
    assert field_errors(response) == {field}
    assert unchanged(organisation, offer)


def test_a_body_that_is_not_json_answers_422(call, token_for, organisation, offer, partner_admin):
    """Malformed JSON is refused without a server error."""
    response = Client().patch(profile(organisation), data="{city:", content_type="application/json",
                              headers={"Authorization": f"Bearer {token_for(partner_admin)}"})
    assert response.status_code == 400
    assert unchanged(organisation, offer)
