from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivingLabsConfig(AppConfig):
    name = "stadtallianz.livinglabs"
    label = "livinglabs"
    verbose_name = _("Living labs")

    def ready(self):
        # SensorThings learns about labs, their insiders and device tokens only through this
        # hook (stadtallianz/sensorthings/labs.py).
        from stadtallianz.sensorthings import labs

        from .directory import LivingLabDirectory

        labs.register(LivingLabDirectory())
