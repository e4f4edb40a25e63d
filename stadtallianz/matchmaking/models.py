"""What a person hid: a suggestion marked "not relevant", remembered so the ranking leaves it out
for that person (and only for them) until they undo it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a suggestion is for or of."""

    ORGANISATION = "organisation", _("Organisation")
    PROJECT = "project", _("Project")
    NOTICE = "notice", _("Partner search")
    CALL = "call", _("Funding call")


class Dismissal(models.Model):
    """A person's "not relevant" on one suggestion: `object` suggested for `subject` (a partner
    for a call, or a call for the person's organisation)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="matchmaking_dismissals", verbose_name=_("person"))
    subject_kind = models.CharField(_("suggestions for"), max_length=12, choices=Kind.choices)
    subject_id = models.PositiveBigIntegerField(_("suggestions for (number)"))
    object_kind = models.CharField(_("suggestion"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("suggestion (number)"))
    created_at = models.DateTimeField(_("hidden"), auto_now_add=True)

    class Meta:
        verbose_name = _("hidden suggestion")
        verbose_name_plural = _("hidden suggestions")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject_kind", "subject_id", "object_kind", "object_id"],
                name="matchmaking_one_dismissal"),
        ]

    def __str__(self):
        return f"{self.subject_kind}:{self.subject_id} – {self.object_kind}:{self.object_id}"
