"""The REST API under /api/v1/: each app contributes a router from its own api.py."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from stadtallianz.core.api import router as reference_router
from stadtallianz.partners.api import router as partners_router

api = NinjaAPI(
    title="Stadtallianz API",
    version="1",
    description=str(_("Public and partner API of the smart-city alliance platform.")),
    urls_namespace="api-v1",
)
api.add_router("/", reference_router)
api.add_router("/partners/", partners_router)
