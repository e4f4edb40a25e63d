from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "stadtallianz.proposals"
    label = "proposals"
    verbose_name = _("Joint funding applications")
