"""Changes to organisations, their people and their offers. Each is one transaction with an
audit entry; e-mails go out only once the transaction has committed."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.mail import send_mail_to
from stadtallianz.core.office import with_office_lazy
from stadtallianz.core.slugs import unique_slug as core_unique_slug

from . import permissions
from .models import Invitation, Membership, Offer, Organisation

PROFILE_FIELDS = [
    "name", "type", "summary_de", "summary_en", "description_de", "description_en", "website",
    "street", "postal_code", "city", "latitude", "longitude", "contact_email", "phone",
    "contact_name", "contact_role",
]
# Path segments under partners/ that are routes of their own, never an organisation's slug.
RESERVED_SLUGS = frozenset({"new", "invitations"})


# What a person is told when a service refuses them; the pages and the API check the same
# permissions first, so that they can answer 404 or 403 before a form is validated.
EDIT_DENIED = with_office_lazy(_("Only the organisation's administrators and the %(office)s may "
                                "change it."))
MANAGE_MEMBERS_DENIED = with_office_lazy(_("Only the organisation's administrators and the "
                                          "%(office)s manage its people."))
WRONG_ACCOUNT_MESSAGE = _("This invitation was sent to a different e-mail address. Log in with "
                          "the account of that address to accept it.")


def _require(allowed: bool, message) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check_coordinates(latitude, longitude) -> None:
    errors = {}
    if latitude is not None and not Decimal("-90") <= Decimal(latitude) <= Decimal("90"):
        errors["latitude"] = _("The latitude must lie between -90 and 90.")
    if longitude is not None and not Decimal("-180") <= Decimal(longitude) <= Decimal("180"):
        errors["longitude"] = _("The longitude must lie between -180 and 180.")
    if errors:
        raise ValidationError(errors)


def unique_slug(name: str) -> str:
    """A free slug for a new organisation: the name slugified, with -2, -3, … when taken."""
    return core_unique_slug(Organisation.objects.all(), name, fallback="organisation",
                            reserved=RESERVED_SLUGS)


def _save_with_free_slug(organisation: Organisation, attempts: int = 3) -> None:
    """Saves a new organisation; when another one took its slug in the meantime (two people
    registering the same name at once, or a double click) it takes the next free one."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                organisation.save()
            return
        except IntegrityError:
            if attempt == attempts - 1 or not Organisation.objects.filter(
                    slug=organisation.slug).exists():
                raise
            organisation.slug = unique_slug(organisation.name)


@transaction.atomic
def organisation_create(*, by, name: str, type: str, data: dict | None = None) -> Organisation:
    """Registers an organisation (not yet a partner) and makes the person who did it its admin."""
    _require(permissions.can_create(by), _("Log in to register an organisation."))
    data = dict(data or {})
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} are not profile fields")
    organisation = Organisation(name=name, type=type, slug=unique_slug(name),
                                status=Organisation.Status.DRAFT, **data)
    organisation.full_clean()
    _check_coordinates(organisation.latitude, organisation.longitude)
    _save_with_free_slug(organisation)
    Membership.objects.create(organisation=organisation, user=by, role=Membership.Role.ADMIN)
    audit_log(actor=by, action="partner.created", target=organisation,
              after=snapshot(organisation, ["slug", "status", *PROFILE_FIELDS]))
    return organisation


def _delete_file_after_commit(storage, name: str) -> None:
    """Removes a replaced or cleared logo once the change is committed. Deleting it earlier would
    leave a profile pointing at a missing file if the save rolls back; a rolled-back savepoint
    drops this callback, so the file then stays."""
    def delete():
        # Never remove a file another organisation still shows (e.g. copied demo data).
        if not Organisation.objects.filter(logo=name).exists():
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, by, data: dict, focus_areas=None
) -> Organisation:
    """Applies validated profile data (field name to value) and records what changed."""
    _require(permissions.can_edit(by, organisation), EDIT_DENIED)
    before = snapshot(organisation, PROFILE_FIELDS)
    before["focus_areas"] = sorted(organisation.focus_areas.values_list("slug", flat=True))
    old_logo = organisation.logo.name if "logo" in data else ""
    for field, value in data.items():
        if field not in PROFILE_FIELDS and field != "logo":
            raise ValueError(f"{field} is not a profile field")
        setattr(organisation, field, value)
    organisation.full_clean(exclude=["slug"])
    _check_coordinates(organisation.latitude, organisation.longitude)
    organisation.save()
    if old_logo and old_logo != organisation.logo.name:
        _delete_file_after_commit(organisation.logo.storage, old_logo)
    if focus_areas is not None:
        organisation.focus_areas.set(focus_areas)
    after = snapshot(organisation, PROFILE_FIELDS)
    after["focus_areas"] = sorted(organisation.focus_areas.values_list("slug", flat=True))
    changed = {key for key in after if before.get(key) != after.get(key)}
    if "logo" in data:
        changed.add("logo")
    if changed:
        audit_log(actor=by, action="partner.profile.changed", target=organisation,
                  before={key: before.get(key) for key in changed if key != "logo"},
                  after={key: after.get(key) for key in changed if key != "logo"})
    return organisation


@transaction.atomic
def offer_create(*, organisation: Organisation, by, kind: str, category: str, text: str) -> Offer:
    _require(permissions.can_edit(by, organisation), EDIT_DENIED)
    offer = Offer(organisation=organisation, kind=kind, category=category, text=text)
    offer.full_clean()
    offer.save()
    audit_log(actor=by, action=f"partner.{kind}.created", target=organisation,
              after={"id": offer.pk, "category": category, "text": text})
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, by, category: str, text: str) -> Offer:
    _require(permissions.can_edit(by, offer.organisation), EDIT_DENIED)
    before = {"category": offer.category, "text": offer.text}
    offer.category, offer.text = category, text
    offer.full_clean()
    offer.save()
    audit_log(actor=by, action=f"partner.{offer.kind}.changed", target=offer.organisation,
              before={"id": offer.pk, **before},
              after={"id": offer.pk, "category": category, "text": text})
    return offer


@transaction.atomic
def offer_delete(*, offer: Offer, by) -> None:
    _require(permissions.can_edit(by, offer.organisation), EDIT_DENIED)
    audit_log(actor=by, action=f"partner.{offer.kind}.deleted", target=offer.organisation,
              before={"id": offer.pk, "category": offer.category, "text": offer.text})
    offer.delete()


INVITATION_EXPIRED_MESSAGE = _(
    "This invitation has expired; ask the organisation's administrators for a new one."
)
ALREADY_MEMBER_MESSAGE = _("You are already a member of this organisation.")


def _send_invitation(invitation: Invitation, language: str) -> None:
    with translation.override(language):
        path = reverse("partners:invitation_accept", kwargs={"token": invitation.token})
    send_mail_to(invitation.email, template="partners/emails/invitation", language=language,
                 context={"invitation": invitation, "organisation": invitation.organisation,
                          "inviter": invitation.invited_by,
                          "accept_url": settings.SITE_URL.rstrip("/") + path})


@transaction.atomic
def membership_invite(*, organisation: Organisation, by, email: str, role: str) -> Invitation:
    """Invites a person by e-mail; the e-mail, in the inviter's language, has the accept link."""
    _require(permissions.can_manage_members(by, organisation), MANAGE_MEMBERS_DENIED)
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")}, code="invalid_role")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")},
                              code="already_member")
    pending = Invitation.objects.filter(organisation=organisation, email__iexact=email,
                                        accepted_at__isnull=True).first()
    if pending is not None:
        message = (_("This address has an expired invitation. Send it again from the list of "
                     "pending invitations.") if pending.is_expired
                   else _("This address has already been invited."))
        raise ValidationError({"email": message}, code="already_invited")
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=by,
        token=secrets.token_urlsafe(32),
    )
    audit_log(actor=by, action="partner.member.invited", target=organisation,
              after={"invitation": invitation.pk, "email": email, "role": role})
    language = getattr(by, "preferred_language", None) or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _send_invitation(invitation, language))
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by) -> Invitation:
    """Sends a pending invitation again with a new link: the old link stops working and the
    validity period starts anew."""
    _require(permissions.can_manage_members(by, invitation.organisation), MANAGE_MEMBERS_DENIED)
    # Locked and read again: cancelled meanwhile, it is a 404 (not a server error).
    invitation = get_object_or_404(Invitation.objects.select_for_update(), pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."), code="accepted")
    before = {"invitation": invitation.pk, "email": invitation.email,
              "sent_at": invitation.sent_at.isoformat()}
    invitation.token = secrets.token_urlsafe(32)
    invitation.sent_at = timezone.now()
    invitation.invited_by = by
    invitation.save(update_fields=["token", "sent_at", "invited_by"])
    audit_log(actor=by, action="partner.invitation.resent", target=invitation.organisation,
              before=before, after={"invitation": invitation.pk, "email": invitation.email,
                                    "sent_at": invitation.sent_at.isoformat()})
    language = getattr(by, "preferred_language", None) or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _send_invitation(invitation, language))
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, by) -> None:
    _require(permissions.can_manage_members(by, invitation.organisation), MANAGE_MEMBERS_DENIED)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."), code="accepted")
    audit_log(actor=by, action="partner.invitation.cancelled", target=invitation.organisation,
              before={"invitation": invitation.pk, "email": invitation.email,
                      "role": invitation.role})
    invitation.delete()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, by) -> Membership:
    """The invited person joins with the invited role; only the account with the invited address."""
    # The row lock makes a double click or two tabs wait for each other: the second then sees
    # the invitation used instead of racing for the same membership.
    # Locked and read again: cancelled meanwhile, it is a 404 (not a server error).
    invitation = get_object_or_404(Invitation.objects.select_for_update(), pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.is_expired:
        raise ValidationError(INVITATION_EXPIRED_MESSAGE, code="expired")
    _require(permissions.can_accept(by, invitation), WRONG_ACCOUNT_MESSAGE)
    membership = Membership.objects.filter(organisation=invitation.organisation, user=by).first()
    if membership is None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    organisation=invitation.organisation, user=by, role=invitation.role)
        except IntegrityError:
            # Joined at the same moment by another way (another invitation): not a crash.
            raise ValidationError(ALREADY_MEMBER_MESSAGE, code="already_member") from None
    elif invitation.role == Membership.Role.ADMIN and not membership.is_admin:
        # An invitation never lowers a role the person already has.
        membership.role = Membership.Role.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_log(actor=by, action="partner.invitation.accepted", target=invitation.organisation,
              after={"invitation": invitation.pk, "user": by.pk, "role": membership.role})
    return membership


def _other_admins(membership: Membership) -> int:
    # Locks the admin rows so that two concurrent removals cannot both leave the other.
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )
    return len([pk for pk in admins if pk != membership.pk])


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    _require(permissions.can_manage_members(by, membership.organisation), MANAGE_MEMBERS_DENIED)
    if membership.is_admin and _other_admins(membership) == 0:
        raise ValidationError(
            _("The last administrator cannot be removed. Make another member an administrator "
              "first."),
            code="last_admin",
        )
    audit_log(actor=by, action="partner.member.removed", target=membership.organisation,
              before={"user": membership.user_id, "email": membership.user.email,
                      "role": membership.role})
    membership.delete()


@transaction.atomic
def membership_change_role(*, membership: Membership, by, role: str) -> Membership:
    _require(permissions.can_manage_members(by, membership.organisation), MANAGE_MEMBERS_DENIED)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")}, code="invalid_role")
    if role == membership.role:
        return membership
    if membership.is_admin and _other_admins(membership) == 0:
        raise ValidationError(
            _("The last administrator cannot become a member. Make another member an "
              "administrator first."),
            code="last_admin",
        )
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(actor=by, action="partner.member.role_changed", target=membership.organisation,
              before={"user": membership.user_id, "role": before},
              after={"user": membership.user_id, "role": role})
    return membership


def organisations_left_without_admin(*, user, lock: bool = False, **_signal) -> list[Organisation]:
    """The organisations where `user` is the only admin while other people remain: deleting the
    account would leave nobody who can manage them. Answers accounts' account_deletion_check
    (partners.apps); `lock` locks the memberships of those organisations first, so that two
    admins deleting their accounts at the same time cannot both pass."""
    if lock:
        list(Membership.objects.select_for_update().filter(
            organisation__memberships__user=user,
            organisation__memberships__role=Membership.Role.ADMIN,
        ).values_list("pk", flat=True))
    blocking = []
    admin_of = (Membership.objects.filter(user=user, role=Membership.Role.ADMIN)
                .select_related("organisation"))
    for membership in admin_of:
        others = Membership.objects.filter(organisation=membership.organisation).exclude(user=user)
        if others.exists() and not others.filter(role=Membership.Role.ADMIN).exists():
            blocking.append(membership.organisation)
    return blocking
