"""The audit log's sentences for the proposals' action codes (registered in
ProposalsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "proposals.application.created": _("%(actor)s started the funding application %(object)s."),
    "proposals.application.changed": _("%(actor)s changed the funding application %(object)s."),
    "proposals.application.state_changed": _(
        "%(actor)s changed the state of the funding application %(object)s."),
    "proposals.application.granted": _(
        "%(actor)s recorded the grant of the funding application %(object)s."),
    "proposals.member.added": _(
        "%(actor)s added an organisation to the consortium of the funding application "
        "%(object)s."),
    "proposals.member.removed": _(
        "%(actor)s removed an organisation from the consortium of the funding application "
        "%(object)s."),
    "proposals.budget.saved": _(
        "%(actor)s changed the budget of the funding application %(object)s."),
    "proposals.checklist.added": _(
        "%(actor)s added a checklist item to the funding application %(object)s."),
    "proposals.checklist.changed": _(
        "%(actor)s ticked or unticked a checklist item of the funding application %(object)s."),
    "proposals.checklist.removed": _(
        "%(actor)s removed a checklist item from the funding application %(object)s."),
    "proposals.document.uploaded": _(
        "%(actor)s uploaded a document for the funding application %(object)s."),
    "proposals.document.linked": _(
        "%(actor)s linked a document to the funding application %(object)s."),
    "proposals.document.unlinked": _(
        "%(actor)s removed a document from the funding application %(object)s."),
}
