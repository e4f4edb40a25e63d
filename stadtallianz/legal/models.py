"""The legal pages (imprint, privacy notice, accessibility statement), each kept as versions,
and the record of who accepted which version of the privacy notice.

Every save makes a new version; the newest is the page. A version of the privacy notice marked
as a material change asks everyone logged in to accept it again (`middleware.py`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import TranslatedField


class Kind(models.TextChoices):
    IMPRINT = "imprint", _("Imprint")
    PRIVACY = "privacy", _("Privacy notice")
    ACCESSIBILITY = "accessibility", _("Accessibility statement")


class DocumentVersionQuerySet(models.QuerySet):
    def of(self, kind: str):
        return self.filter(kind=kind)

    def consent_needed_by(self, user):
        """The newest materially changed privacy notice that `user` has not accepted (nor a
        later version): one query, empty when nothing is to be accepted."""
        accepted_since = ConsentRecord.objects.filter(
            user=user, version__kind=Kind.PRIVACY,
            version__number__gte=models.OuterRef("number"))
        return (self.filter(kind=Kind.PRIVACY, material_change=True)
                .annotate(accepted=models.Exists(accepted_since))
                .order_by("-number"))


class DocumentVersion(models.Model):
    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices)
    number = models.PositiveIntegerField(_("version"))
    text_de = models.TextField(_("text (German)"))
    text_en = models.TextField(_("text (English)"))
    text = TranslatedField("text")
    # Privacy notice only: those who accepted an earlier version are asked again.
    material_change = models.BooleanField(_("material change"), default=False)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("saved by"))

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal page version")
        verbose_name_plural = _("legal page versions")
        ordering = ["kind", "-number"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"],
                                               name="legal_unique_version_number")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class ConsentRecord(models.Model):
    """A person accepted this version of the privacy notice at this time. Kept as long as the
    account (docs/legal.md)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="privacy_consents", verbose_name=_("person"))
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT,
                                related_name="consents", verbose_name=_("version"))
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent to the privacy notice")
        verbose_name_plural = _("consents to the privacy notice")
        ordering = ["-accepted_at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"],
                                               name="legal_unique_consent")]

    def __str__(self):
        return f"{self.user_id} → {self.version}"
