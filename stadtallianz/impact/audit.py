"""The audit log's sentences for the impact dashboard's action codes (registered in
ImpactConfig.ready)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "impact.target.set": _("%(actor)s set the impact target %(object)s."),
    "impact.target.deleted": _("%(actor)s deleted the impact target %(object)s."),
}
