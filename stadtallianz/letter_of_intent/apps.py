from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LetterOfIntentConfig(AppConfig):
    name = "stadtallianz.letter_of_intent"
    label = "letter_of_intent"
    verbose_name = _("Letter of intent")
