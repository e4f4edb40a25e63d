"""The letter of intent as versioned text, and organisations' signatures of its versions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import TranslatedField
from stadtallianz.partners.models import Organisation


class VersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current(self) -> "Version | None":
        """The newest published version: the one partners sign now."""
        return self.published().order_by("-number").first()


class Version(models.Model):
    """One wording of the letter of intent. Published versions are never changed."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_de = models.TextField(_("text (German)"), help_text=_("Markdown."))
    text_en = models.TextField(_("text (English)"), help_text=_("Markdown."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    title = TranslatedField("title")
    text = TranslatedField("text")

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter of intent version")
        verbose_name_plural = _("letter of intent versions")
        ordering = ["-number"]

    def __str__(self):
        return f"{self.title} (v{self.number})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SignatureQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Signature.State.PENDING)

    def confirmed(self):
        return self.filter(state=Signature.State.CONFIRMED)


class Signature(models.Model):
    """An organisation's signature of one version, given by one of its admins.

    Kept forever as the record of who signed which wording when; the organisation's status is
    derived from its newest signature by the services in this app.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # Replaced by a signature of a newer version.
        SUPERSEDED = "superseded", _("Superseded")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="signatures")
    version = models.ForeignKey(Version, verbose_name=_("version"), on_delete=models.PROTECT,
                                related_name="signatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"),
                                  null=True, on_delete=models.SET_NULL, related_name="+")
    signatory_name = models.CharField(_("name of the signatory"), max_length=150)
    signatory_function = models.CharField(_("function of the signatory"), max_length=150)
    authority_confirmed = models.BooleanField(
        _("authorised to sign"),
        help_text=_("The signatory is authorised to sign on behalf of the organisation."),
    )
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_at", "-id"]
        constraints = [
            # At most one signature per organisation waits for review at any time.
            models.UniqueConstraint(fields=["organisation"], condition=models.Q(state="pending"),
                                    name="one_pending_signature_per_organisation"),
        ]

    def __str__(self):
        return f"{self.organisation} – v{self.version.number} ({self.get_state_display()})"
