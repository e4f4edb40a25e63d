"""The letter-of-intent pages over HTTP: text and signatories, signing, status, withdrawal."""

import pytest
from django.core import mail
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.letter_of_intent import services
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Membership, Organisation

Status = Organisation.Status
SIGN_DATA = {"version": 1, "signatory_name": "X", "signatory_function": "Y",
             "authority_confirmed": "on"}
ROLES = ["visitor", "citizen", "member", "other_admin", "admin", "coordinator"]


@pytest.fixture
def person(request, citizen, other_admin, applicant, applicant_admin, coordinator, make_user):
    """The person of a role, relative to the applicant organisation."""
    def get(role):
        if role == "visitor":
            return None
        if role == "member":
            user = make_user("applicant-member@example.org")
            Membership.objects.create(user=user, organisation=applicant,
                                      role=Membership.Role.MEMBER)
            return user
        return {"citizen": citizen, "other_admin": other_admin, "admin": applicant_admin,
                "coordinator": coordinator}[role]
    return get


def test_the_current_version_is_public(client, version_1):
    """Anyone reads the current version's title, text, number and date."""
    response = client.get(reverse("letter_of_intent:current"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Absichtserklärung für die" in content
    assert "Version 1" in content
    assert "<script" not in content.split("<main")[1].split("</main>")[0]


def test_the_english_page_shows_the_english_text(client, version_1):
    """On /en/ the English title and text are shown."""
    response = client.get("/en/letter-of-intent/")
    assert "Letter of intent for the" in response.content.decode()


def test_signatories_are_the_public_partners(client, partner_on_v1, make_organisation, version_1):
    """The signatory list names public partners with version and date, linking their profile."""
    withdrawn = make_organisation("Ehemalige AG", status=Status.WITHDRAWN)
    Signature.objects.create(organisation=withdrawn, version=version_1, signatory_name="X",
                             signatory_function="Y", authority_confirmed=True,
                             state=Signature.State.WITHDRAWN)
    response = client.get(reverse("letter_of_intent:current"))
    signatories = list(response.context["signatories"])
    assert [s.organisation for s in signatories] == [partner_on_v1]
    profile_url = reverse("partners:detail", kwargs={"slug": partner_on_v1.slug})
    assert profile_url in response.content.decode()
    assert "Ehemalige AG" not in response.content.decode()


def test_signatory_list_query_count_is_constant(client, make_organisation, version_1):
    """The page's query count does not grow with the number of signatories."""
    def add(n):
        for _ in range(n):
            org = make_organisation()
            Signature.objects.create(organisation=org, version=version_1, signatory_name="X",
                                     signatory_function="Y", authority_confirmed=True,
                                     state=Signature.State.CONFIRMED)
    url = reverse("letter_of_intent:current")
    add(2)
    few = query_count(client.get, url)
    add(20)
    many = query_count(client.get, url)
    assert few == many


def test_earlier_versions_are_linked_and_readable(client, coordinator, version_1, version_2):
    """After publication the first version is an earlier version with its own page."""
    services.version_publish(version=version_2, by=coordinator)
    response = client.get(reverse("letter_of_intent:current"))
    assert "Text zwei" in response.content.decode()
    old_url = reverse("letter_of_intent:version", kwargs={"number": 1})
    assert old_url in response.content.decode()
    old = client.get(old_url)
    assert old.status_code == 200
    assert "Absichtserklärung für die" in old.content.decode()


def test_drafts_are_not_public(client, version_2):
    """A draft version has no public page."""
    assert client.get(reverse("letter_of_intent:version", kwargs={"number": 2})).status_code == 404
    assert "Text zwei" not in client.get(reverse("letter_of_intent:current")).content.decode()


# The applicant is not public yet: people outside it get 404, as on its profile.
SIGN_EXPECTED = {"visitor": 302, "citizen": 404, "member": 403, "other_admin": 404, "admin": 200,
                 "coordinator": 403}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_sign_page(client_for, person, applicant, role):
    """Only the organisation's admins see the sign page; visitors are sent to log in."""
    response = client_for(person(role)).get(
        reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug}))
    assert response.status_code == SIGN_EXPECTED[role]
    if role == "visitor":
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_who_may_not_post_a_signature(client_for, person, applicant, role, version_1):
    """A POST from anyone but an admin changes nothing."""
    response = client_for(person(role)).post(
        reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug}),
        SIGN_DATA)
    assert response.status_code in (302, 403, 404)
    assert not Signature.objects.exists()


def test_signing_over_http(client_for, applicant, applicant_admin, coordinator, version_1,
                           django_capture_on_commit_callbacks):
    """The admin sees the exact text, signs and goes to the status page; coordinators are told."""
    client = client_for(applicant_admin)
    url = reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug})
    page = client.get(url)
    assert "Münster" in page.content.decode()
    assert page.context["version"] == version_1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": 1, "signatory_name": "Alex Applicant",
                                     "signatory_function": "Chair", "authority_confirmed": "on"})
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("letter_of_intent:status", kwargs={"slug": applicant.slug}))
    signature = Signature.objects.get()
    assert (signature.version, signature.signatory_function) == (version_1, "Chair")
    applicant.refresh_from_db()
    assert applicant.status == Status.PENDING
    # The coordination office is told; the signer gets a receipt (notifications).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email,
                                                           applicant_admin.email])


def test_signing_without_authority_shows_the_error_at_the_field(client_for, applicant,
                                                                applicant_admin, version_1):
    """Without the authority checkbox the form shows an error next to it and nothing is saved."""
    response = client_for(applicant_admin).post(
        reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug}),
        {"version": 1, "signatory_name": "X", "signatory_function": "Y"})
    assert response.status_code == 200
    assert response.context["form"].errors["authority_confirmed"]
    assert 'id="id_authority_confirmed_error"' in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_twice_over_http_is_refused(client_for, applicant, applicant_admin, sign,
                                            version_1):
    """While a signature is pending the page explains so and a POST records nothing."""
    sign(applicant, applicant_admin)
    client = client_for(applicant_admin)
    url = reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug})
    assert client.get(url).context["refusal"]
    response = client.post(url, {"version": 1, "signatory_name": "X", "signatory_function": "Y",
                                 "authority_confirmed": "on"})
    assert response.status_code == 409
    assert Signature.objects.count() == 1


def test_signing_an_outdated_version_over_http_is_refused(client_for, applicant, applicant_admin,
                                                          coordinator, version_2):
    """A form filled in before a new version came out is refused, not recorded for the new text."""
    services.version_publish(version=version_2, by=coordinator)
    response = client_for(applicant_admin).post(
        reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug}),
        SIGN_DATA)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Signature.objects.exists()


def test_sign_page_offers_the_new_version_when_re_signing(client_for, partner_on_v1,
                                                          applicant_admin, coordinator, version_2):
    """After publication the partner's sign page shows version 2."""
    services.version_publish(version=version_2, by=coordinator)
    response = client_for(applicant_admin).get(
        reverse("letter_of_intent:sign", kwargs={"slug": partner_on_v1.slug}))
    assert response.context["version"] == version_2
    assert response.context["refusal"] is None
    assert "Text zwei" in response.content.decode()


STATUS_EXPECTED = {"visitor": 302, "citizen": 404, "member": 403, "other_admin": 404,
                   "admin": 200, "coordinator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_status(client_for, person, applicant, role):
    """The status panel is for the organisation's admins and the coordination office."""
    response = client_for(person(role)).get(
        reverse("letter_of_intent:status", kwargs={"slug": applicant.slug}))
    assert response.status_code == STATUS_EXPECTED[role]


def test_status_shows_history_and_re_signing(client_for, partner_on_v1, applicant_admin,
                                             coordinator, version_2):
    """The status page lists the signatures and says re-signing is requested."""
    services.version_publish(version=version_2, by=coordinator)
    response = client_for(applicant_admin).get(
        "/en" + reverse("letter_of_intent:status", kwargs={"slug": partner_on_v1.slug})[3:])
    content = response.content.decode()
    assert "Re-signing requested" in content
    assert list(response.context["signatures"]) == list(partner_on_v1.signatures.all())
    assert reverse("letter_of_intent:sign", kwargs={"slug": partner_on_v1.slug}) in content


def test_unknown_organisation_is_404(client_for, applicant_admin):
    """An unknown slug is 404 for sign, status and withdraw."""
    client = client_for(applicant_admin)
    for name in ("sign", "status", "withdraw"):
        url = reverse(f"letter_of_intent:{name}", kwargs={"slug": "nope"})
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["sign", "status", "withdraw"])
def test_a_non_public_organisation_looks_missing_to_outsiders(client_for, citizen, applicant,
                                                              name):
    """A citizen gets the same 404 for a draft organisation as for one that does not exist, so
    the pages do not reveal which organisations have registered."""
    client = client_for(citizen)
    draft = client.get(reverse(f"letter_of_intent:{name}", kwargs={"slug": applicant.slug}))
    missing = client.get(reverse(f"letter_of_intent:{name}", kwargs={"slug": "nope"}))
    assert draft.status_code == missing.status_code == 404


WITHDRAW_EXPECTED = {"visitor": 302, "citizen": 403, "member": 403, "other_admin": 403,
                     "admin": 302, "coordinator": 403}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_withdraw(client_for, person, partner_on_v1, role):
    """Only the organisation's admins withdraw it."""
    response = client_for(person(role)).post(
        reverse("letter_of_intent:withdraw", kwargs={"slug": partner_on_v1.slug}),
        {"confirm": "on"})
    assert response.status_code == WITHDRAW_EXPECTED[role]
    partner_on_v1.refresh_from_db()
    assert partner_on_v1.status == (Status.WITHDRAWN if role == "admin" else Status.PARTNER)


def test_withdrawal_needs_the_confirmation(client_for, partner_on_v1, applicant_admin):
    """Without the checkbox the error is shown next to it and nothing changes."""
    response = client_for(applicant_admin).post(
        reverse("letter_of_intent:withdraw", kwargs={"slug": partner_on_v1.slug}))
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    partner_on_v1.refresh_from_db()
    assert partner_on_v1.status == Status.PARTNER


def test_withdrawing_without_a_signature_is_refused(client_for, applicant, applicant_admin):
    """A draft organisation has nothing to withdraw."""
    response = client_for(applicant_admin).post(
        reverse("letter_of_intent:withdraw", kwargs={"slug": applicant.slug}), {"confirm": "on"})
    assert response.status_code == 409
    applicant.refresh_from_db()
    assert applicant.status == Status.DRAFT


def test_the_status_panel_tag(rf, partner_on_v1, applicant_admin, coordinator, version_2):
    """Other pages show the re-signing request with the status panel tag."""
    from django.template import Context, Template

    services.version_publish(version=version_2, by=coordinator)
    partner_on_v1.refresh_from_db()
    request = rf.get("/")
    request.user = applicant_admin
    html = Template("{% load letter_of_intent %}{% letter_of_intent_status organisation %}").render(
        Context({"request": request, "organisation": partner_on_v1}))
    assert "Re-signing requested" in html or "Erneute Unterzeichnung" in html
    assert reverse("letter_of_intent:sign", kwargs={"slug": partner_on_v1.slug}) in html


def test_get_withdraw_page_changes_nothing(client_for, partner_on_v1, applicant_admin):
    """Opening the withdrawal page only asks; the change needs a POST."""
    response = client_for(applicant_admin).get(
        reverse("letter_of_intent:withdraw", kwargs={"slug": partner_on_v1.slug}))
    assert response.status_code == 200
    partner_on_v1.refresh_from_db()
    assert partner_on_v1.status == Status.PARTNER
    assert Version.objects.count() == 1
