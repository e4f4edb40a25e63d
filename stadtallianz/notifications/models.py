"""Notifications: one row per person and event, which is both the in-app list and the e-mail
outbox. A row is written in the same transaction as the change it reports, so an e-mail can fail
or be delayed but never be lost: the row stays un-emailed until a send succeeds."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.mail import MAX_ATTEMPTS


def email_due(now) -> models.Q:
    """The outbox rule: not e-mailed yet and its (next) attempt is due. Also for counting
    (the operator's health endpoint counts with it inside one aggregate)."""
    return models.Q(emailed_at__isnull=True, next_attempt_at__lte=now)


# Given up: every attempt failed, and no further attempt is planned.
EMAIL_GIVEN_UP = models.Q(emailed_at__isnull=True, next_attempt_at__isnull=True,
                          email_attempts__gte=MAX_ATTEMPTS)


def _not_supplied(user):
    raise ImproperlyConfigured("No app has supplied the groups a person is a member of "
                               "(notifications.models.supply_member_groups).")


_member_groups_of = _not_supplied


def supply_member_groups(groups_of) -> None:
    """The working groups app supplies, when it is ready, who is in which group:
    `groups_of(user)` gives the ids of the groups the person is an active member of, as a
    subquery. Notifications sit below the groups and import nothing of them (.importlinter)."""
    global _member_groups_of
    _member_groups_of = groups_of


class NotificationQuerySet(models.QuerySet):
    def email_due(self, now):
        return self.filter(email_due(now))

    def for_reader(self, user):
        """The person's own notifications that they may still read: one about a members-only
        thing only while they are in that group (or in the coordination office). Leaving the
        group hides it from the list, the count, the API and any e-mail not yet sent."""
        own = self.filter(recipient=user)
        if user.is_coordination_office:
            return own
        groups = _member_groups_of(user)
        return own.filter(models.Q(members_of__isnull=True) | models.Q(members_of__in=groups))


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=50)
    # What happened, e.g. "mention:post:17"; one person never gets the same key twice.
    key = models.CharField(_("key"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Set when the notification speaks of something only this group's members may see.
    members_of = models.ForeignKey("workinggroups.WorkingGroup", on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("for members of"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The e-mail outbox. next_attempt_at is set while an immediate e-mail (or a digest retry) is
    # due, and pushed into the future while a sender holds the row, so two never send it both.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveIntegerField(_("e-mail attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["emailed_at", "next_attempt_at"], name="notification_outbox_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(models.Model):
    """A person's choice of e-mail; created on first use, the default is `immediately`."""

    class EmailMode(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately, one e-mail per notification")
        DIGEST = "digest", _("Once a day, as a summary")
        NEVER = "never", _("Never (notifications only on this site)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings", verbose_name=_("person"))
    email_mode = models.CharField(_("e-mail"), max_length=12, choices=EmailMode.choices,
                                  default=EmailMode.IMMEDIATELY)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return f"{self.user}: {self.email_mode}"
