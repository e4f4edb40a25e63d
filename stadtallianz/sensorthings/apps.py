from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorThingsConfig(AppConfig):
    name = "stadtallianz.sensorthings"
    label = "sensorthings"
    verbose_name = _("Sensor data (SensorThings)")

    def ready(self):
        from stadtallianz.core.ratelimit import register_read_api

        from .auth import caller_of
        from .errors import StaError

        def has_lab_token(request) -> bool:
            try:
                return caller_of(request).token is not None
            except StaError:  # wrong credentials: the view refuses them
                return False

        # Anonymous reads of /sta/ are limited like the REST API's (core.ratelimit), answered
        # in SensorThings' error shape.
        register_read_api("/sta/", has_valid_credentials=has_lab_token,
                          error_response=lambda message, status: StaError(message,
                                                                          status).response())
