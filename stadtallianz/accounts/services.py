"""Changes to accounts. Each is one transaction with an audit entry; e-mails go out after it."""

from datetime import timedelta
from importlib import import_module

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.last_used import worth_recording
from stadtallianz.core.mail import send_mail_to
from stadtallianz.core.models import AuditEntry
from stadtallianz.core.ratelimit import client_address, hit, parse_rate
from stadtallianz.legal import services as legal_services

from .models import ApiToken, User
from .names import display_name_problem, normalised
from .signals import account_deletion_check, account_erasing

CONFIRMATION_SALT = "stadtallianz.accounts.email-confirmation"
CONFIRMATION_MAX_AGE = timedelta(days=3)
# A person asking for the confirmation e-mail again gets at most one per address in this time,
# so the form cannot be used to flood someone's inbox.
RESEND_INTERVAL_SECONDS = 120


class AccountDeletionRefused(Exception):
    """Other apps keep the account (account_deletion_check): today, the person is the last
    admin of organisations that still have other people."""

    def __init__(self, organisations):
        self.organisations = list(organisations)
        super().__init__(", ".join(str(o) for o in self.organisations))


class InvalidConfirmationToken(Exception):
    def __init__(self, *, expired: bool):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def send_account_mail(*, to: User, template: str, context: dict) -> None:
    """`accounts/emails/<template>_subject.txt` and `_body.txt` in the person's language,
    through the outbox (core.mail): a mail server that is down never fails the request."""
    send_mail_to(to, template=f"accounts/emails/{template}", context=context)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def email_confirmation_token(user: User) -> str:
    # The address is part of the signed value: a link stops working if the address changes.
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign_object(
        {"id": user.pk, "email": user.email}
    )


def user_for_confirmation_token(token: str) -> User:
    """The person a confirmation link belongs to; raises InvalidConfirmationToken."""
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        value = signer.unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidConfirmationToken(expired=True) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidConfirmationToken(expired=False) from None
    user = User.objects.filter(pk=value.get("id"), email=value.get("email"), is_active=True).first()
    if user is None:
        raise InvalidConfirmationToken(expired=False)
    return user


def send_confirmation_email(*, user: User) -> None:
    with translation.override(user.preferred_language):
        path = reverse("accounts:confirm_email", kwargs={"token": email_confirmation_token(user)})
    send_account_mail(to=user, template="confirm_email", context={
        "confirm_url": absolute_url(path),
        "valid_days": CONFIRMATION_MAX_AGE.days,
    })


def account_register(*, full_name: str, email: str, password: str,
                     preferred_language: str, display_name: str = "") -> User | None:
    """Creates an account that can log in once its address is confirmed, and sends the link.

    For an address that has an account already nothing is created: its owner gets an e-mail
    that someone tried to register with it (log in or reset the password if it was them), and
    None is returned. The caller answers both cases alike, so that the form does not tell who
    has an account; the password is hashed in both, so that neither answers faster.
    A new account records the consent to the current privacy notice in the same transaction."""
    display_name = normalised(display_name)
    problem = display_name_problem(display_name)
    if problem:
        raise ValidationError({"display_name": problem})
    owner = User.objects.filter(email__iexact=email).first()
    if owner is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password, full_name=full_name,
                                                display_name=display_name,
                                                preferred_language=preferred_language)
                audit_log(actor=None, action="account.registered", target=user,
                          after={"id": user.pk, "preferred_language": preferred_language})
                # Consent to the privacy notice shown, with the account or not at all.
                legal_services.consent_give(user=user, version=legal_services.current("privacy"))
        except IntegrityError:  # registered by someone else between the check and the insert
            owner = User.objects.filter(email__iexact=email).first()
            if owner is None:  # not the address: the display name was chosen at the same time
                raise ValidationError({"display_name": _display_name_taken()}) from None
        else:
            send_confirmation_email(user=user)
            return user
    make_password(password)
    if owner is not None and owner.is_active:
        audit_log(actor=None, action="account.registration_attempted", target=owner)
        with translation.override(owner.preferred_language):
            login_path, reset_path = reverse("accounts:login"), reverse("accounts:password_reset")
        send_account_mail(to=owner, template="registration_attempt", context={
            "login_url": absolute_url(login_path), "reset_url": absolute_url(reset_path)})
    return None


def account_mail_wait(request, *, action: str, email: str) -> int | None:
    """Registrations and password resets each send an e-mail: at most ACCOUNT_CLIENT_RATE per
    client address and ACCOUNT_EMAIL_RATE per e-mail address (settings, "events/seconds"), so
    the forms can neither flood an inbox nor be used to probe many addresses. Counts this
    request; None while within both limits, else the seconds to wait (for Retry-After)."""
    client_rate = parse_rate(settings.ACCOUNT_CLIENT_RATE)
    if client_rate is not None:
        wait = hit(f"{action}:client:{client_address(request) or 'unknown'}", *client_rate)
        if wait is not None:
            return wait
    address_rate = parse_rate(settings.ACCOUNT_EMAIL_RATE)
    if address_rate is not None:
        return hit(f"{action}:address:{email.strip().lower()}", *address_rate)
    return None


def account_resend_confirmation(*, email: str) -> bool:
    """Sends a new link to an unconfirmed account; says nothing about whether one exists."""
    user = User.objects.filter(email__iexact=email, is_active=True,
                               email_confirmed_at__isnull=True).first()
    if user is None:
        return False
    if not cache.add(f"accounts:resend:{user.pk}", 1, timeout=RESEND_INTERVAL_SECONDS):
        return False
    send_confirmation_email(user=user)
    return True


@transaction.atomic
def account_confirm_email(*, user: User) -> User:
    """Marks the address as confirmed; confirming twice changes nothing."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
        audit_log(actor=user, action="account.email_confirmed", target=user)
    return user


@transaction.atomic
def account_password_reset(*, user: User, password: str) -> User:
    """Sets a password from a reset link. The link reached the inbox, so the address is confirmed,
    and the person's lock-out is lifted: the lock-out page sends them here."""
    user.set_password(password)
    fields = ["password"]
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        fields.append("email_confirmed_at")
    user.save(update_fields=fields)
    audit_log(actor=user, action="account.password_reset", target=user)
    axes_reset(username=user.email)
    return user


@transaction.atomic
def account_password_change(*, user: User, new_password: str) -> User:
    """Sets a new password chosen by the logged-in person (the old one was checked by the form).
    The password and its audit entry are one transaction: no change goes unrecorded."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_log(actor=user, action="account.password_changed", target=user)
    return user


def _display_name_taken() -> str:
    return str(_("Another person already uses this display name. Please choose another one."))


PROFILE_FIELDS = ["full_name", "display_name", "preferred_language"]


@transaction.atomic
def account_update_profile(*, user: User, by: User, full_name: str,
                           preferred_language: str, display_name: str | None = None) -> User:
    before = snapshot(user, PROFILE_FIELDS)
    user.full_name, user.preferred_language = full_name, preferred_language
    if display_name is not None:
        user.display_name = display_name
    # full_clean trims the display name and refuses one that passes for someone else
    # (User.clean, names.display_name_problem); the constraint holds against a race.
    user.full_clean(exclude=["password", "email"])
    try:
        with transaction.atomic():
            user.save(update_fields=PROFILE_FIELDS)
    except IntegrityError:
        raise ValidationError({"display_name": _display_name_taken()}) from None
    after = snapshot(user, PROFILE_FIELDS)
    changed = [key for key in PROFILE_FIELDS if before[key] != after[key]]
    if changed:
        audit_log(actor=by, action="account.profile.changed", target=user,
                  before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return user




def api_token_owner(key: str) -> User | None:
    """The active person a token key belongs to, or None for an unknown or revoked key; notes
    when the token was last used. The REST API asks through core.api_auth (accounts.apps)."""
    if not key.startswith("sta_"):
        return None
    token = (ApiToken.objects.active().select_related("user")
             .filter(key_hash=ApiToken.hash_key(key)).first())
    if token is None:
        return None
    now = timezone.now()
    if worth_recording(token.last_used_at, now):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_create(*, user: User, name: str, by: User) -> tuple[ApiToken, str]:
    """Issues a token; the key is returned once and never stored in clear."""
    token, key = ApiToken.issue(user=user, name=name)
    audit_log(actor=by, action="account.api_token.created", target=user,
              after={"token": token.pk, "name": name, "prefix": token.prefix})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=by, action="account.api_token.revoked", target=token.user,
                  after={"token": token.pk, "name": token.name, "prefix": token.prefix})
    return token


def organisations_blocking_deletion(user: User, *, lock: bool = False) -> list:
    """What keeps the person's account from being deleted, as the apps above accounts answer
    account_deletion_check: the organisations where they are the only admin while other people
    remain. `lock` (inside a transaction) locks what the answers rest on."""
    return [blocker
            for _receiver, blockers in account_deletion_check.send(sender=User, user=user,
                                                                    lock=lock)
            for blocker in blockers or ()]


def personal_strings(user: User) -> list[str]:
    """What names the person as text: their name, display name and address (erasure looks for
    these wherever other apps copied them)."""
    return [value for value in (user.full_name, user.display_name, user.email)
            if value and len(value.strip()) >= 3]


def end_sessions(user_id: int) -> int:
    """Ends every session of the person, on every device. With a session store in the database
    (the default, and cached_db) the sessions are looked up and deleted; a store that cannot be
    listed (cache only) loses them at the next request, since their account is gone.
    Every live session is read (the store cannot look them up by person): account_delete
    runs it after its commit, not inside the transaction."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    ended = 0
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        data = store_class().decode(session.session_data)
        if str(data.get(SESSION_KEY)) == str(user_id):
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def account_delete(*, user: User, by: User, delete_contributions: bool = False) -> None:
    """Erases the account (GDPR Art. 17): the profile, memberships, tokens and sessions go;
    what the person wrote stays under "former participant" (public_name of an empty author), or
    goes too where they chose so and nobody answered it (`delete_contributions`); the apps
    above remove the copies of name and address they keep (signals.account_erasing, answered
    by privacy/erasure.py). The audit log keeps what happened under a pseudonym.

    Refuses (AccountDeletionRefused) while the person is the last admin of an organisation with
    other people: they would be left with nobody who can manage it.
    """
    # Locked, so two admins deleting their accounts at the same time cannot both pass the check.
    blocking = organisations_blocking_deletion(user, lock=True)
    if blocking:
        raise AccountDeletionRefused(blocking)
    user_id = user.pk
    pseudonym = f"deleted account #{user_id}"
    account_erasing.send(sender=User, user=user, strings=personal_strings(user),
                         pseudonym=pseudonym, delete_contributions=delete_contributions)
    # Erasure: the audit log keeps what happened, but no longer the person's name or address.
    AuditEntry.objects.filter(actor=user).update(actor_repr=pseudonym)
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user_id)
    ).update(object_repr=pseudonym)
    # After the commit: reading every live session holds no locks of the deletion meanwhile;
    # until then the sessions already lead nowhere (their account is gone with the commit).
    transaction.on_commit(lambda: end_sessions(user_id))
    user.delete()
    audit_log(actor=None, action="account.deleted", target=User(pk=user_id), object_repr=pseudonym,
              after={"contributions_deleted": delete_contributions})
