"""People: one account per e-mail address, with a preferred language and the coordinator flag."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_coordinator", True)
        extra_fields.setdefault("email_confirmed_at", timezone.now())
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


# Letters of any script, digits, spaces and . - _ ' ; at least one letter or digit, no address,
# no link, no markup: a name others read, not a place to put contact details.
DISPLAY_NAME_MAX_LENGTH = 40
validate_display_name = RegexValidator(
    r"^(?=.*[^\W_])[\w .'\-]+\Z",
    _("Use letters, digits, spaces and . - _ ' only."), code="invalid_display_name")


def public_name(user) -> str:
    """The one rule for how a person is shown to those who may not see real names: the display
    name they chose, else "participant" with their account number; "former participant" once
    the account is deleted (the contribution's author is then empty)."""
    if user is None or getattr(user, "pk", None) is None:
        return str(_("former participant"))
    if user.display_name:
        return user.display_name
    return str(_("participant %(number)s") % {"number": user.pk})


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Without a membership a citizen; with one a partner member or admin."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    display_name = models.CharField(
        _("public display name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True,
        # A default in the database too: a process of the release before, still running during
        # an upgrade (or an older migration's state), inserts people without the column.
        default="", db_default="",
        validators=[validate_display_name],
        help_text=_("Shown to visitors with your ideas and comments instead of your name; a "
                    "pseudonym is fine. Left empty, you are shown as “participant” with a "
                    "number."))
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Its help text names the office, whose name is a deployment setting; the admin form fills it
    # in (accounts/admin.py), so that no model state, and no migration, depends on the setting.
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]
        constraints = [
            # names.display_name_problem checks it first with a friendlier message; this one
            # holds against two people choosing the same name at once.
            models.UniqueConstraint(
                Lower("display_name"), condition=~models.Q(display_name=""),
                name="unique_display_name_any_case",
                violation_error_message=_("Another person already uses this display name. "
                                          "Please choose another one.")),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        from .names import display_name_problem, normalised

        self.display_name = normalised(self.display_name)
        problem = display_name_problem(self.display_name, self)
        if problem:
            raise ValidationError({"display_name": problem})

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def public_name(self) -> str:
        return public_name(self)

    @property
    def is_coordination_office(self) -> bool:
        """Coordinators and superusers may do everything the back office offers."""
        return self.is_active and (self.is_coordinator or self.is_superuser)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal token for the REST API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        """Creates a token and returns it with its key, which is never stored in clear."""
        key = "sta_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:12],
                                   key_hash=cls.hash_key(key))
        return token, key
