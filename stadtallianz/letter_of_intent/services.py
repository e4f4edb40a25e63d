"""Signing, reviewing and withdrawing, and publishing new versions of the letter of intent.

Each function is one transaction that keeps `Organisation.status` (the denormalised state the
public directory reads) in step with the signatures, writes an audit entry with the state before
and after, and sends its e-mails once the transaction has committed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log, audit_log_many
from stadtallianz.notifications.receipts import receipt
from stadtallianz.partners.models import Organisation

from . import notifications
from .models import Signature, Version
from .permissions import can_manage_versions, can_review, can_sign, can_withdraw

Status = Organisation.Status
VERSION_FIELDS = ["title_de", "title_en", "text_de", "text_en"]


class TransitionError(ValidationError):
    """A change that the current state of a signature, organisation or version does not allow."""


def _state(organisation: Organisation, signature: Signature | None = None) -> dict:
    state = {"organisation_status": organisation.status,
             "partner_since": organisation.partner_since.isoformat()
             if organisation.partner_since else None}
    if signature is not None:
        state.update(signature=signature.pk, signature_state=signature.state,
                     version=signature.version.number)
    return state


def _locked(organisation: Organisation) -> Organisation:
    """Re-reads the organisation under a row lock, so two requests cannot both change it.
    Deleted by another request meanwhile, the change is a 404 and writes nothing (issue 11,
    item 5, "objects deleted between read and write"); so are the signatures and versions
    below."""
    return get_object_or_404(Organisation.objects.select_for_update(), pk=organisation.pk)


def refusal_to_sign(organisation: Organisation, version: Version | None) -> str | None:
    """Why the organisation cannot sign `version` now, or None if it can."""
    if version is None or not version.is_published:
        return str(_("There is no published version of the letter of intent to sign."))
    if organisation.signatures.pending().exists():
        return str(_("A signature of this organisation is already awaiting review."))
    signed_this = organisation.signatures.confirmed().filter(version=version).exists()
    if organisation.is_public and signed_this:
        return str(_("This organisation is already an alliance partner on the current version."))
    return None


@transaction.atomic
def signature_create(*, organisation: Organisation, version: Version, by, signatory_name: str,
                     signatory_function: str, authority_confirmed: bool) -> Signature:
    """An admin signs the current version for the organisation; the coordinator reviews it.

    A partner that re-signs a newer version stays public while its signature waits for review.
    """
    # Read first: an organisation deleted meanwhile is a 404, not "you are not its admin".
    organisation = _locked(organisation)
    if not can_sign(by, organisation):
        raise PermissionDenied
    if not authority_confirmed:
        raise ValidationError({"authority_confirmed": _(
            "Please confirm that the signatory is authorised to sign.")})
    current = Version.objects.current()
    if current is None or version.pk != current.pk:
        raise TransitionError(_("A newer version of the letter of intent has been published. "
                                "Please read and sign that one."))
    refusal = refusal_to_sign(organisation, version)
    if refusal:
        raise TransitionError(refusal)
    before = _state(organisation)
    signature = Signature(
        organisation=organisation, version=version, signed_by=by,
        signatory_name=signatory_name.strip(), signatory_function=signatory_function.strip(),
        authority_confirmed=True,
    )
    signature.full_clean()
    signature.save()
    if not organisation.is_public:
        organisation.status = Status.PENDING
        organisation.save(update_fields=["status", "updated_at"])
    audit_log(actor=by, action="partner.signature.submitted", target=organisation,
              before=before, after=_state(organisation, signature))
    receipt(by, "signature_submitted", key=f"signature:{signature.pk}",
            context={"signature": signature, "organisation": organisation},
            url=lambda: reverse("letter_of_intent:status", kwargs={"slug": organisation.slug}))
    transaction.on_commit(lambda: notifications.notify_signature_submitted(signature))
    return signature


def _pending_locked(signature: Signature) -> Signature:
    signature = get_object_or_404(
        Signature.objects.select_for_update().select_related("version", "organisation"),
        pk=signature.pk)
    if signature.state != Signature.State.PENDING:
        raise TransitionError(_("Only a signature awaiting review can be confirmed or rejected."))
    return signature


@transaction.atomic
def signature_confirm(*, signature: Signature, by) -> Signature:
    """The coordinator confirms: the organisation becomes (or stays) a public alliance partner."""
    if not can_review(by):
        raise PermissionDenied
    signature = _pending_locked(signature)
    organisation = _locked(signature.organisation)
    before = _state(organisation, signature)
    now = timezone.now()
    organisation.signatures.confirmed().update(state=Signature.State.SUPERSEDED)
    signature.state = Signature.State.CONFIRMED
    signature.reviewed_by, signature.reviewed_at = by, now
    signature.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    current = Version.objects.current()
    # A signature of a version that was replaced while it waited still makes a partner, one
    # who is asked to re-sign at once.
    is_current = current is not None and signature.version.number >= current.number
    organisation.status = Status.PARTNER if is_current else Status.RESIGN_REQUIRED
    if organisation.partner_since is None:
        organisation.partner_since = now
    organisation.save(update_fields=["status", "partner_since", "updated_at"])
    signature.organisation = organisation
    audit_log(actor=by, action="partner.signature.confirmed", target=organisation,
              before=before, after=_state(organisation, signature))
    transaction.on_commit(lambda: notifications.notify_signature_confirmed(signature))
    return signature


@transaction.atomic
def signature_reject(*, signature: Signature, by, reason: str) -> Signature:
    """The coordinator rejects with a reason the organisation's admins are told.

    A partner that was re-signing keeps its public status; anyone else is marked rejected.
    """
    if not can_review(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason for the rejection.")})
    signature = _pending_locked(signature)
    organisation = _locked(signature.organisation)
    before = _state(organisation, signature)
    signature.state = Signature.State.REJECTED
    signature.rejection_reason = reason
    signature.reviewed_by, signature.reviewed_at = by, timezone.now()
    signature.save(update_fields=["state", "rejection_reason", "reviewed_by", "reviewed_at"])
    if not organisation.is_public:
        organisation.status = Status.REJECTED
        organisation.save(update_fields=["status", "updated_at"])
    signature.organisation = organisation
    after = _state(organisation, signature)
    after["reason"] = reason
    audit_log(actor=by, action="partner.signature.rejected", target=organisation,
              before=before, after=after)
    transaction.on_commit(lambda: notifications.notify_signature_rejected(signature))
    return signature


WITHDRAWABLE = (Status.PARTNER, Status.RESIGN_REQUIRED, Status.PENDING)


@transaction.atomic
def organisation_withdraw(*, organisation: Organisation, by) -> Organisation:
    """An admin withdraws the organisation from the alliance; it may sign again later.

    Its confirmed and pending signatures are marked withdrawn (kept as the record) and it leaves
    the public directory at once.
    """
    organisation = _locked(organisation)  # first: deleted meanwhile is a 404, not a 403
    if not can_withdraw(by, organisation):
        raise PermissionDenied
    if organisation.status not in WITHDRAWABLE:
        raise TransitionError(_("This organisation has no signature that could be withdrawn."))
    before = _state(organisation)
    now = timezone.now()
    signatures = organisation.signatures.filter(
        state__in=[Signature.State.CONFIRMED, Signature.State.PENDING])
    before["signatures"] = {str(pk): state for pk, state in signatures.values_list("pk", "state")}
    withdrawn_ids = list(before["signatures"])
    signatures.update(state=Signature.State.WITHDRAWN, withdrawn_at=now)
    organisation.status = Status.WITHDRAWN
    # A later return starts a new partnership.
    organisation.partner_since = None
    organisation.save(update_fields=["status", "partner_since", "updated_at"])
    after = _state(organisation)
    after["signatures"] = {pk: Signature.State.WITHDRAWN.value for pk in withdrawn_ids}
    audit_log(actor=by, action="partner.withdrawn", target=organisation, before=before, after=after)
    transaction.on_commit(lambda: notifications.notify_withdrawn(organisation))
    return organisation


def _version_state(version: Version) -> dict:
    state = {field: getattr(version, field) for field in VERSION_FIELDS}
    state.update(number=version.number,
                 published_at=version.published_at.isoformat() if version.published_at else None)
    return state


@transaction.atomic
def version_create(*, by, title_de: str, title_en: str, text_de: str, text_en: str) -> Version:
    """A draft of the next version; only one draft exists at a time, so numbers stay in order."""
    if not can_manage_versions(by):
        raise PermissionDenied
    already_a_draft = _("There is already a draft version. Edit or publish it first.")
    if Version.objects.filter(published_at__isnull=True).exists():
        raise TransitionError(already_a_draft)
    number = (Version.objects.aggregate(highest=Max("number"))["highest"] or 0) + 1
    version = Version(number=number, title_de=title_de, title_en=title_en,
                      text_de=text_de, text_en=text_en)
    version.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        # Two drafts created at the same moment (a double click) took the same number; the
        # unique index made the second wait for the first and refuse.
        raise TransitionError(already_a_draft) from None
    audit_log(actor=by, action="letter.version.created", target=version,
              after=_version_state(version))
    return version


@transaction.atomic
def version_update(*, version: Version, by, title_de: str, title_en: str, text_de: str,
                   text_en: str) -> Version:
    """Changes a draft. A published version is the record of what partners signed: never changed."""
    if not can_manage_versions(by):
        raise PermissionDenied
    version = get_object_or_404(Version.objects.select_for_update(), pk=version.pk)
    if version.is_published:
        raise TransitionError(_("A published version cannot be changed."))
    before = _version_state(version)
    version.title_de, version.title_en = title_de, title_en
    version.text_de, version.text_en = text_de, text_en
    version.full_clean()
    version.save()
    audit_log(actor=by, action="letter.version.changed", target=version, before=before,
              after=_version_state(version))
    return version


@transaction.atomic
def version_publish(*, version: Version, by) -> list[int]:
    """Publishes a draft; every partner on an older version is asked to re-sign (and stays public).

    Returns the ids of the organisations asked to re-sign.
    """
    if not can_manage_versions(by):
        raise PermissionDenied
    version = get_object_or_404(Version.objects.select_for_update(), pk=version.pk)
    if version.is_published:
        raise TransitionError(_("This version is already published."))
    current = Version.objects.current()
    if current is not None and current.number > version.number:
        raise TransitionError(_("A newer version is already published."))
    before = _version_state(version)
    version.published_at, version.published_by = timezone.now(), by
    version.save(update_fields=["published_at", "published_by"])
    # Nobody has signed the new wording yet, so every confirmed partner is on an older one.
    affected = Organisation.objects.select_for_update().filter(status=Status.PARTNER)
    organisation_ids = list(affected.values_list("pk", flat=True))
    Organisation.objects.filter(status=Status.PARTNER).update(
        status=Status.RESIGN_REQUIRED, updated_at=timezone.now())
    after = _version_state(version)
    after["organisations_asked_to_resign"] = len(organisation_ids)
    audit_log(actor=by, action="letter.version.published", target=version, before=before,
              after=after)
    _audit_status_changes(by=by, organisation_ids=organisation_ids, version=version)
    transaction.on_commit(
        lambda: notifications.notify_resign_required(version, organisation_ids))
    return organisation_ids


def _audit_status_changes(*, by, organisation_ids: list[int], version: Version) -> None:
    """One entry per organisation, written in bulk: a publication can touch thousands."""
    names = dict(Organisation.objects.filter(status=Status.RESIGN_REQUIRED)
                 .values_list("pk", "name"))
    audit_log_many(
        actor=by, action="partner.status.resign_required",
        targets=[Organisation(pk=pk, name=names.get(pk, "")) for pk in organisation_ids],
        before={"organisation_status": Status.PARTNER.value},
        after={"organisation_status": Status.RESIGN_REQUIRED.value, "version": version.number})
