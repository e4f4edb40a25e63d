from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "stadtallianz.ideas"
    label = "ideas"
    verbose_name = _("Ideas")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from .signals import withdraw_supports_of_deleted_account

        pre_delete.connect(withdraw_supports_of_deleted_account, sender=settings.AUTH_USER_MODEL,
                           dispatch_uid="ideas.withdraw_supports_of_deleted_account")
