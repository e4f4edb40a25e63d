from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's data: the export (GDPR Art. 15, 20) and the erasure of what the apps keep
    beyond the account (Art. 17). In the top layer, so it may read every app; the apps below
    import nothing of it and learn of nothing from it."""

    name = "stadtallianz.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from stadtallianz.accounts.signals import account_erasing

        from .erasure import erase

        account_erasing.connect(erase, dispatch_uid="privacy-erase")
