from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


def _remove_file_after_commit(sender, instance, **kwargs):
    """A version's file goes when its row is gone for good. A signal rather than the services
    alone: versions are also deleted by cascade (with their document, article, event or group),
    and a rolled-back deletion keeps the file."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class KnowledgeConfig(AppConfig):
    name = "stadtallianz.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge exchange")

    def ready(self):
        post_delete.connect(_remove_file_after_commit, sender="knowledge.DocumentVersion",
                            dispatch_uid="knowledge.remove_file_after_commit")
