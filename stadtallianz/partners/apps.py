from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "stadtallianz.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from stadtallianz.accounts.signals import account_deletion_check

        from .services import organisations_left_without_admin

        account_deletion_check.connect(organisations_left_without_admin,
                                       dispatch_uid="partners.organisations_left_without_admin")
