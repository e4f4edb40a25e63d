from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorThingsConfig(AppConfig):
    name = "stadtallianz.sensorthings"
    label = "sensorthings"
    verbose_name = _("Sensor data (SensorThings)")
