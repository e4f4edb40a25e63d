from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


def _withhold_labels_of_restricted_documents(sender, instance, **kwargs):
    """Evidence keeps its label when its document is deleted, unless a visitor could not read
    the document (see Evidence.label_withheld)."""
    from django.contrib.auth.models import AnonymousUser

    from .models import Evidence

    if not sender.objects.visible_to(AnonymousUser()).filter(pk=instance.pk).exists():
        Evidence.objects.filter(document=instance).update(label_withheld=True)


class AssessmentsConfig(AppConfig):
    name = "stadtallianz.assessments"
    label = "assessments"
    verbose_name = _("Assessments against the guiding principles")

    def ready(self):
        pre_delete.connect(_withhold_labels_of_restricted_documents,
                           sender="knowledge.Document",
                           dispatch_uid="assessments.withhold_labels_of_restricted_documents")
