"""Living labs (Reallabore): places where the alliance tries digital solutions under real
conditions, with the sensors and data of the SensorThings hub (stadtallianz.sensorthings).

A lab is run by one partner organisation (the operator), whose admins manage it and issue its
device tokens. Who may read a lab's restricted data is decided in permissions.py.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.core import timerange
from stadtallianz.core.geo import validate_geometry
from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.timerange import PlausibleTime
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt import brokerconfig


class LivingLab(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    description_de = models.TextField(_("description (German)"), max_length=50000,
                                      help_text=_("Markdown."))
    description_en = models.TextField(_("description (English)"), max_length=50000, blank=True,
                                      help_text=_("Markdown."))
    trial_de = models.TextField(_("what is being tried (German)"), max_length=10000, blank=True,
                                help_text=_("Markdown."))
    trial_en = models.TextField(_("what is being tried (English)"), max_length=10000,
                                blank=True, help_text=_("Markdown."))
    learnings_de = models.TextField(_("what the lab has learned (German)"), max_length=50000,
                                    blank=True, help_text=_("Markdown."))
    learnings_en = models.TextField(_("what the lab has learned (English)"), max_length=50000,
                                    blank=True, help_text=_("Markdown."))
    permits_de = models.TextField(_("permits (German)"), max_length=10000, blank=True,
                                  help_text=_("Permits and approvals the lab operates under."))
    permits_en = models.TextField(_("permits (English)"), max_length=10000, blank=True)
    # GeoJSON geometry (Point, Polygon or MultiPolygon), checked by core.geo.
    area = models.JSONField(_("area"), validators=[validate_geometry])
    # A lab's period is a plan: the years 2000 to 2100 (core/timerange.py).
    starts_on = models.DateField(_("starts on"), validators=[PlausibleTime(timerange.PLAN)])
    ends_on = models.DateField(_("ends on"), null=True, blank=True,
                               validators=[PlausibleTime(timerange.PLAN)])
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PLANNED, db_index=True)
    operator = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                 related_name="operated_labs", verbose_name=_("operator"))
    partners = models.ManyToManyField("partners.Organisation", blank=True,
                                      related_name="living_labs",
                                      verbose_name=_("participating partners"))
    projects = models.ManyToManyField("projects.Project", blank=True,
                                      related_name="living_labs",
                                      verbose_name=_("linked projects"))
    # The lab's public contact: a role address (e.g. reallabor@stadtwerke.example), never a
    # sensed person.
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    # The level a datastream gets when a device creates it through the SensorThings API without
    # naming one. Restricted until the operator decides otherwise: privacy by default.
    default_privacy_level = models.CharField(
        _("privacy level of new datastreams"), max_length=10, choices=PrivacyLevel.choices,
        default=PrivacyLevel.RESTRICTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    name = TranslatedField("name")
    description = TranslatedField("description")
    trial = TranslatedField("trial")
    learnings = TranslatedField("learnings")
    permits = TranslatedField("permits")

    class Meta:
        verbose_name = _("living lab")
        verbose_name_plural = _("living labs")
        ordering = ["name_de"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("livinglabs:detail", args=[self.slug])

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot lie before the start.")})


# The user name issue() gives out: "lab_" and eight hex digits.
USERNAME_FORM = re.compile(r"lab_[0-9a-f]{8}")


class LabTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class LabToken(models.Model):
    """A device credential bound to one living lab. It may create and change that lab's things,
    their datastreams and observations, nothing else.

    The key is `<username>_<secret>` with username `lab_<8 hex>`. HTTP clients send the key as a
    bearer token or as Basic credentials (username, secret); MQTT devices log in to the broker
    with the same pair. Only hashes are stored: SHA-256 of the secret for the HTTP check, and
    the broker's PBKDF2-SHA512 form (`$7$…`) so `stadtallianz mosquitto-config` can write the
    broker's password file without ever knowing the secret.
    """

    lab = models.ForeignKey(LivingLab, on_delete=models.CASCADE, related_name="tokens",
                            verbose_name=_("living lab"))
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What the token is for, e.g. the device it sits in."))
    username = models.CharField(_("user name"), max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64)
    broker_hash = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = LabTokenQuerySet.as_manager()

    PREFIX = brokerconfig.DEVICE_USER_PREFIX

    class Meta:
        verbose_name = _("lab token")
        verbose_name_plural = _("lab tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.username})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, *, lab: LivingLab, name: str, created_by=None) -> tuple["LabToken", str]:
        """Creates a token and returns it with its key, which is shown once and never stored."""
        username = cls.PREFIX + secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(
            lab=lab, name=name, username=username, secret_hash=cls.hash_secret(secret),
            broker_hash=brokerconfig.password_hash(secret), created_by=created_by)
        return token, f"{username}_{secret}"

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, self.hash_secret(secret))

    @classmethod
    def authenticate(cls, username: str, secret: str) -> "LabToken | None":
        """The active token with this username and secret, or None."""
        # Only the form issue() gives out reaches the database (a NUL byte in a name would be
        # a database error on PostgreSQL, not a wrong credential).
        if not USERNAME_FORM.fullmatch(username):
            return None
        token = cls.objects.active().select_related("lab").filter(username=username).first()
        if token is None or not token.matches(secret):
            return None
        return token

    @classmethod
    def from_key(cls, key: str) -> "LabToken | None":
        """The active token of a full key `lab_xxxxxxxx_<secret>`, or None."""
        # The username has exactly one underscore ("lab_" + hex); the secret may have more.
        parts = key.strip().split("_", 2)
        if len(parts) != 3 or not parts[2]:
            return None
        return cls.authenticate(f"{parts[0]}_{parts[1]}", parts[2])
