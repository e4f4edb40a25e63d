"""A person's request for a copy of their data (GDPR Art. 15 and 20)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataExportQuerySet(models.QuerySet):
    def expired(self, now=None):
        """Ready exports whose link has run out; their files are deleted by
        `expire_data_exports`."""
        return self.filter(state=DataExport.State.READY, expires_at__lte=now or timezone.now())


class DataExport(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="data_exports", verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.REQUESTED)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Relative to PRIVATE_MEDIA_ROOT; a random name, empty once deleted.
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def is_downloadable(self) -> bool:
        return (self.state == self.State.READY and bool(self.file_name)
                and self.expires_at is not None and self.expires_at > timezone.now())

    @property
    def token(self) -> str:
        """The signed value of the download link (services.download_token)."""
        from .services import download_token

        return download_token(self)
