"""`{% letter_of_intent_status organisation %}`: the signature status panel for other pages."""

from django import template

from stadtallianz.letter_of_intent import services
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.letter_of_intent.permissions import can_sign, can_view_status, can_withdraw

register = template.Library()


@register.inclusion_tag("letter_of_intent/includes/status_panel.html", takes_context=True)
def letter_of_intent_status(context, organisation):
    user = context["request"].user
    version = Version.objects.current()
    return {
        "request": context["request"],
        "organisation": organisation,
        "current_version": version,
        "can_view_status": can_view_status(user, organisation),
        "can_sign": can_sign(user, organisation)
        and services.refusal_to_sign(organisation, version) is None,
        "can_withdraw": can_withdraw(user, organisation)
        and organisation.status in services.WITHDRAWABLE,
    }
