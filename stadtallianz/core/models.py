"""Reference data every app refers to, and the audit log every state change is written to."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import TranslatedField


class FocusAreaQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class FocusArea(models.Model):
    """A Handlungsfeld: mobility, energy, retail, …; the coordinator can add more."""

    slug = models.SlugField(_("short name"), unique=True)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    name = TranslatedField("name")
    description = TranslatedField("description")

    objects = FocusAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name


class Principle(models.Model):
    """One of the eight guiding principles of the Smart City Charta."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    slug = models.SlugField(_("short name"), unique=True)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    sentence_de = models.TextField(_("sentence (German)"))
    sentence_en = models.TextField(_("sentence (English)"))

    name = TranslatedField("name")
    sentence = TranslatedField("sentence")

    class Meta:
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class SustainableDevelopmentGoal(models.Model):
    """One of the 17 United Nations Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("sustainable development goal")
        verbose_name_plural = _("sustainable development goals")
        ordering = ["number"]

    def __str__(self):
        return f"SDG {self.number}: {self.name}"


class SDGTarget(models.Model):
    """One of the 169 targets of the SDGs ("11.2"), so a project can name what it contributes to
    more precisely than a whole goal. Short titles; the official texts are at unstats.un.org."""

    goal = models.ForeignKey(SustainableDevelopmentGoal, on_delete=models.CASCADE,
                             related_name="targets", verbose_name=_("goal"))
    code = models.CharField(_("code"), max_length=6, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    # Numbered targets (11.1) come before the means of implementation (11.a): the code alone
    # does not sort right ("11.10" < "11.2" as text).
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    name = TranslatedField("name")

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["goal__number", "position"]

    def __str__(self):
        return f"{self.code} {self.name}"


class AuditEntry(models.Model):
    """Who changed what, when, with the state before and after. Never edited, never deleted."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Kept as text too, so the entry still names the actor after the account is deleted.
    actor_repr = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), null=True, blank=True,
        on_delete=models.SET_NULL,
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=254, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return (f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} "
                f"{self.object_repr}")


class KeptMailQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(next_attempt_at__lte=now)


# Kept mails waiting for their next attempt, and those given up after every attempt failed
# (core/mail.py); Q objects, so that the health endpoint counts both in one aggregate.
KEPT_MAIL_WAITING = models.Q(sent_at__isnull=True, next_attempt_at__isnull=False)
KEPT_MAIL_GIVEN_UP = models.Q(sent_at__isnull=True, next_attempt_at__isnull=True)


class KeptMail(models.Model):
    """An e-mail that could not be sent when the platform wrote it (the mail server down, the
    mail folder not writable): kept here and sent again with back-off by
    `send_pending_notifications` (core/mail.py), so that a mail that fails never turns the
    request that wrote it into an error, and is not lost."""

    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.TextField()
    body = models.TextField()
    from_email = models.TextField(blank=True)
    to = models.JSONField()
    headers = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    # None once sent, or once it failed too often (last_error says why).
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = KeptMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("kept e-mail")
        verbose_name_plural = _("kept e-mails")

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class ProcessHeartbeat(models.Model):
    """The last sign of life of one process beside the web servers (the task worker, an MQTT
    bridge, the broker-configuration watcher, a periodic job), written by core/heartbeat.py and
    read by the operator's health and metrics endpoints (stadtallianz/operations). One row per
    process name, overwritten: it says how the process is now, not what it did."""

    # e.g. "worker", "mqtt-bridge:<client id>", "mosquitto-config", "job:apply_retention"
    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()  # this run of the process (a job: this run)
    last_seen = models.DateTimeField()
    # A job's or a check's last run that did its work; None while it never did.
    last_success = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Small counters and facts of the run (the bridge's received/stored/…, its lag).
    state = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.name} ({self.last_seen:%Y-%m-%d %H:%M:%S})"

    @property
    def failing(self) -> bool:
        """The last thing it reported was an error (no success since)."""
        return self.last_error_at is not None and (
            self.last_success is None or self.last_error_at > self.last_success)
