"""The signature life cycle: every transition, the illegal ones, status sync, e-mails, audit."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.models import AuditEntry
from stadtallianz.letter_of_intent import services
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Membership, Organisation

Status = Organisation.Status
State = Signature.State


def test_an_admin_signs_and_the_organisation_becomes_pending(
        applicant, applicant_admin, coordinator, sign, version_1,
        django_capture_on_commit_callbacks):
    """An admin's signature is pending, the organisation pending, the coordinators are e-mailed."""
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(applicant, applicant_admin, signatory_name="Alex Applicant",
                         signatory_function="Chair")
    applicant.refresh_from_db()
    assert signature.state == State.PENDING
    assert signature.version == version_1
    assert signature.signed_by == applicant_admin
    assert applicant.status == Status.PENDING
    # The coordination office is told; the signer gets a receipt (notifications).
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [coordinator.email, applicant_admin.email])
    entry = AuditEntry.objects.get(action="partner.signature.submitted")
    assert entry.actor == applicant_admin
    assert entry.before["organisation_status"] == "draft"
    assert entry.after == {"organisation_status": "pending", "partner_since": None,
                           "signature": signature.pk, "signature_state": "pending", "version": 1}


def test_signing_twice_is_refused(applicant, applicant_admin, sign):
    """A second signature is refused while the first awaits review."""
    sign(applicant, applicant_admin)
    with pytest.raises(services.TransitionError):
        sign(applicant, applicant_admin)
    assert applicant.signatures.count() == 1


def test_a_partner_on_the_current_version_cannot_sign_again(partner_on_v1, applicant_admin, sign):
    """A partner whose confirmed signature is of the current version has nothing to sign."""
    with pytest.raises(services.TransitionError):
        sign(partner_on_v1, applicant_admin)


@pytest.mark.parametrize("who", ["citizen", "partner_member", "other_admin", "coordinator"])
def test_only_admins_of_the_organisation_sign(request, applicant, sign, who):
    """Nobody but the organisation's admins signs for it, not even the coordinator."""
    person = request.getfixturevalue(who)
    if who == "partner_member":
        Membership.objects.create(user=person, organisation=applicant, role=Membership.Role.MEMBER)
    with pytest.raises(PermissionDenied):
        sign(applicant, person)
    applicant.refresh_from_db()
    assert applicant.status == Status.DRAFT
    assert not applicant.signatures.exists()


def test_authority_must_be_confirmed(applicant, applicant_admin, sign):
    """Without the confirmation of authority nothing is recorded."""
    with pytest.raises(ValidationError):
        sign(applicant, applicant_admin, authority_confirmed=False)
    assert not applicant.signatures.exists()


def test_only_the_current_version_can_be_signed(applicant, applicant_admin, coordinator, sign,
                                                version_1, version_2):
    """Signing a draft or a replaced version is refused."""
    with pytest.raises(services.TransitionError):
        sign(applicant, applicant_admin, version=version_2)
    services.version_publish(version=version_2, by=coordinator)
    with pytest.raises(services.TransitionError):
        sign(applicant, applicant_admin, version=version_1)
    assert not applicant.signatures.exists()


def test_confirming_makes_a_partner(applicant, applicant_admin, coordinator, sign,
                                    django_capture_on_commit_callbacks):
    """Confirmation makes the organisation a partner since now, and tells its admins."""
    signature = sign(applicant, applicant_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_confirm(signature=signature, by=coordinator)
    applicant.refresh_from_db()
    signature.refresh_from_db()
    assert signature.state == State.CONFIRMED
    assert signature.reviewed_by == coordinator and signature.reviewed_at is not None
    assert applicant.status == Status.PARTNER
    assert applicant.partner_since is not None
    assert applicant in Organisation.objects.public()
    assert [message.to for message in mail.outbox] == [[applicant_admin.email]]
    # The recipient prefers English.
    assert "is an alliance partner" in mail.outbox[0].subject
    entry = AuditEntry.objects.get(action="partner.signature.confirmed")
    assert entry.before["organisation_status"] == "pending"
    assert entry.before["signature_state"] == "pending"
    assert entry.after["organisation_status"] == "partner"
    assert entry.after["signature_state"] == "confirmed"


def test_e_mails_follow_the_recipients_language(applicant, applicant_admin, coordinator, sign,
                                                django_capture_on_commit_callbacks):
    """A recipient who prefers German gets the e-mail in German."""
    applicant_admin.preferred_language = "de"
    applicant_admin.save()
    signature = sign(applicant, applicant_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_confirm(signature=signature, by=coordinator)
    assert "ist Allianzpartner" in mail.outbox[0].subject
    assert "/de/letter-of-intent/status/" in mail.outbox[0].body


def test_confirming_a_non_pending_signature_is_refused(partner_on_v1, coordinator):
    """A confirmed (or rejected) signature cannot be confirmed or rejected again."""
    signature = partner_on_v1.signatures.get()
    with pytest.raises(services.TransitionError):
        services.signature_confirm(signature=signature, by=coordinator)
    with pytest.raises(services.TransitionError):
        services.signature_reject(signature=signature, by=coordinator, reason="No.")
    signature.refresh_from_db()
    assert signature.state == State.CONFIRMED


@pytest.mark.parametrize("who", ["citizen", "partner_admin", "applicant_admin"])
def test_only_the_coordination_office_reviews(request, applicant, applicant_admin, sign, who):
    """Nobody outside the coordination office confirms or rejects, the applicant's admin neither."""
    signature = sign(applicant, applicant_admin)
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.signature_confirm(signature=signature, by=person)
    with pytest.raises(PermissionDenied):
        services.signature_reject(signature=signature, by=person, reason="No.")
    signature.refresh_from_db()
    assert signature.state == State.PENDING


def test_a_superuser_confirms(applicant, applicant_admin, superuser, sign):
    """A superuser belongs to the coordination office."""
    signature = sign(applicant, applicant_admin)
    services.signature_confirm(signature=signature, by=superuser)
    applicant.refresh_from_db()
    assert applicant.status == Status.PARTNER


def test_rejecting_needs_a_reason_and_tells_the_admins(applicant, applicant_admin, coordinator,
                                                      sign, django_capture_on_commit_callbacks):
    """A rejection without reason is refused; with one, the organisation is rejected and told."""
    signature = sign(applicant, applicant_admin)
    with pytest.raises(ValidationError):
        services.signature_reject(signature=signature, by=coordinator, reason="   ")
    with django_capture_on_commit_callbacks(execute=True):
        services.signature_reject(signature=signature, by=coordinator,
                                  reason="The signatory is not the managing director.")
    applicant.refresh_from_db()
    signature.refresh_from_db()
    assert signature.state == State.REJECTED
    assert applicant.status == Status.REJECTED
    assert applicant not in Organisation.objects.public()
    assert [message.to for message in mail.outbox] == [[applicant_admin.email]]
    assert "The signatory is not the managing director." in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="partner.signature.rejected")
    assert entry.before["organisation_status"] == "pending"
    assert entry.after["organisation_status"] == "rejected"
    assert entry.after["reason"] == "The signatory is not the managing director."


def test_a_rejected_organisation_can_sign_again(applicant, applicant_admin, coordinator, sign):
    """After a rejection the admin may sign anew."""
    services.signature_reject(signature=sign(applicant, applicant_admin), by=coordinator,
                              reason="Wrong person.")
    sign(applicant, applicant_admin)
    applicant.refresh_from_db()
    assert applicant.status == Status.PENDING


def test_withdrawal(partner_on_v1, applicant_admin, coordinator,
                    django_capture_on_commit_callbacks):
    """Withdrawing hides the partner, withdraws its signature and tells the coordinators."""
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_withdraw(organisation=partner_on_v1, by=applicant_admin)
    partner_on_v1.refresh_from_db()
    signature = partner_on_v1.signatures.get()
    assert partner_on_v1.status == Status.WITHDRAWN
    assert partner_on_v1.partner_since is None
    assert partner_on_v1 not in Organisation.objects.public()
    assert signature.state == State.WITHDRAWN and signature.withdrawn_at is not None
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    entry = AuditEntry.objects.get(action="partner.withdrawn")
    assert entry.before["organisation_status"] == "partner"
    assert entry.before["signatures"] == {str(signature.pk): "confirmed"}
    assert entry.after["organisation_status"] == "withdrawn"
    assert entry.after["signatures"] == {str(signature.pk): "withdrawn"}


def test_a_withdrawn_organisation_can_apply_again(partner_on_v1, applicant_admin, coordinator,
                                                  sign):
    """After withdrawal the organisation signs again and becomes a partner anew."""
    services.organisation_withdraw(organisation=partner_on_v1, by=applicant_admin)
    signature = sign(partner_on_v1, applicant_admin)
    partner_on_v1.refresh_from_db()
    assert partner_on_v1.status == Status.PENDING
    services.signature_confirm(signature=signature, by=coordinator)
    partner_on_v1.refresh_from_db()
    assert partner_on_v1.status == Status.PARTNER
    assert partner_on_v1.partner_since is not None


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REJECTED, Status.WITHDRAWN])
def test_nothing_to_withdraw(applicant, applicant_admin, status):
    """An organisation that is not a partner and has no pending signature cannot withdraw."""
    applicant.status = status
    applicant.save()
    with pytest.raises(services.TransitionError):
        services.organisation_withdraw(organisation=applicant, by=applicant_admin)


@pytest.mark.parametrize("who", ["partner_member", "other_admin", "coordinator"])
def test_only_admins_withdraw(request, organisation, who):
    """Only the organisation's own admins withdraw it."""
    with pytest.raises(PermissionDenied):
        services.organisation_withdraw(organisation=organisation, by=request.getfixturevalue(who))
    organisation.refresh_from_db()
    assert organisation.status == Status.PARTNER


def test_withdrawing_a_pending_application(applicant, applicant_admin, sign):
    """A pending application can be withdrawn too."""
    signature = sign(applicant, applicant_admin)
    services.organisation_withdraw(organisation=applicant, by=applicant_admin)
    signature.refresh_from_db()
    assert signature.state == State.WITHDRAWN


def test_publishing_asks_partners_to_resign(partner_on_v1, applicant_admin, coordinator,
                                           organisation, partner_admin, version_2,
                                           django_capture_on_commit_callbacks):
    """On publication every partner is asked to re-sign, stays public, and its admins are told."""
    with django_capture_on_commit_callbacks(execute=True):
        asked = services.version_publish(version=version_2, by=coordinator)
    assert Version.objects.current() == version_2
    assert sorted(asked) == sorted([partner_on_v1.pk, organisation.pk])
    for org in (partner_on_v1, organisation):
        org.refresh_from_db()
        assert org.status == Status.RESIGN_REQUIRED
        assert org in Organisation.objects.public()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [applicant_admin.email, partner_admin.email])
    assert any("/letter-of-intent/sign/" + partner_on_v1.slug in m.body for m in mail.outbox)
    entries = AuditEntry.objects.filter(action="partner.status.resign_required")
    assert {entry.object_id for entry in entries} == {str(partner_on_v1.pk), str(organisation.pk)}
    assert all(entry.before == {"organisation_status": "partner"} for entry in entries)
    assert all(entry.after["organisation_status"] == "resign_required" for entry in entries)
    assert AuditEntry.objects.filter(action="letter.version.published").count() == 1


def test_re_signing_keeps_the_partner_public(partner_on_v1, applicant_admin, coordinator, sign,
                                             version_2):
    """A partner re-signing stays listed; on confirmation it is a partner on the new version."""
    services.version_publish(version=version_2, by=coordinator)
    first = partner_on_v1.signatures.get()
    partner_since = Organisation.objects.get(pk=partner_on_v1.pk).partner_since
    signature = sign(partner_on_v1, applicant_admin)
    partner_on_v1.refresh_from_db()
    assert signature.version == version_2
    assert partner_on_v1.status == Status.RESIGN_REQUIRED
    services.signature_confirm(signature=signature, by=coordinator)
    partner_on_v1.refresh_from_db()
    first.refresh_from_db()
    assert partner_on_v1.status == Status.PARTNER
    assert partner_on_v1.partner_since == partner_since
    assert first.state == State.SUPERSEDED


def test_rejecting_a_re_signature_keeps_the_public_status(partner_on_v1, applicant_admin,
                                                          coordinator, sign, version_2):
    """A rejected re-signature leaves the partner public, still asked to re-sign."""
    services.version_publish(version=version_2, by=coordinator)
    signature = sign(partner_on_v1, applicant_admin)
    services.signature_reject(signature=signature, by=coordinator, reason="Wrong signatory.")
    partner_on_v1.refresh_from_db()
    assert partner_on_v1.status == Status.RESIGN_REQUIRED
    assert partner_on_v1.signatures.confirmed().get().version.number == 1


def test_confirming_a_signature_of_a_replaced_version(applicant, applicant_admin, coordinator,
                                                      sign, version_2):
    """A signature that waited while a new version came out makes a partner asked to re-sign."""
    signature = sign(applicant, applicant_admin)
    services.version_publish(version=version_2, by=coordinator)
    services.signature_confirm(signature=signature, by=coordinator)
    applicant.refresh_from_db()
    assert applicant.status == Status.RESIGN_REQUIRED


def test_versions_draft_rules(coordinator, version_2, partner_admin):
    """One draft at a time; published versions are never changed; only coordinators manage them."""
    with pytest.raises(services.TransitionError):
        services.version_create(by=coordinator, title_de="x", title_en="x", text_de="x",
                                text_en="x")
    with pytest.raises(PermissionDenied):
        services.version_publish(version=version_2, by=partner_admin)
    services.version_update(version=version_2, by=coordinator, title_de="Neu", title_en="New",
                            text_de="a", text_en="b")
    entry = AuditEntry.objects.get(action="letter.version.changed")
    assert entry.before["title_de"] == "Absichtserklärung 2" and entry.after["title_de"] == "Neu"
    services.version_publish(version=version_2, by=coordinator)
    with pytest.raises(services.TransitionError):
        services.version_publish(version=version_2, by=coordinator)
    with pytest.raises(services.TransitionError):
        services.version_update(version=version_2, by=coordinator, title_de="x", title_en="x",
                                text_de="x", text_en="x")
    version_2.refresh_from_db()
    assert version_2.title_de == "Neu"
