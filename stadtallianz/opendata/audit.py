"""The audit log's sentences for the catalogue's action codes (registered in
OpenDataConfig.ready)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "opendata.dataset.created": _("%(actor)s registered the dataset %(object)s."),
    "opendata.dataset.changed": _("%(actor)s changed the dataset %(object)s."),
    "opendata.dataset.submitted": _("%(actor)s submitted the dataset %(object)s for review."),
    "opendata.dataset.published": _("%(actor)s published the dataset %(object)s."),
    "opendata.dataset.returned": _("%(actor)s returned the dataset %(object)s for changes."),
    "opendata.dataset.withdrawn": _("%(actor)s withdrew the dataset %(object)s."),
}
