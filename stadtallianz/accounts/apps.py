from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "stadtallianz.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from stadtallianz.core.api_auth import register_token_owner

        from .services import api_token_owner

        register_token_owner(api_token_owner)
