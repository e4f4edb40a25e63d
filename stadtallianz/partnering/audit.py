"""The sentences of the partner search's audit entries (core.audit_sentences), registered in
PartneringConfig.ready."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "partnering.notice.created": _("%(actor)s posted the partner search %(object)s."),
    "partnering.notice.changed": _("%(actor)s changed the partner search %(object)s."),
    "partnering.notice.closed": _("%(actor)s closed the partner search %(object)s."),
    "partnering.notice.renewed": _("%(actor)s renewed the partner search %(object)s."),
    "partnering.notice.archived": _("%(actor)s archived the expired partner search %(object)s."),
    "partnering.interest.created": _(
        "%(actor)s expressed interest in a partner search (%(object)s)."),
    "partnering.interest.accepted": _(
        "%(actor)s accepted an interest in a partner search (%(object)s)."),
    "partnering.interest.declined": _(
        "%(actor)s declined an interest in a partner search (%(object)s)."),
}
