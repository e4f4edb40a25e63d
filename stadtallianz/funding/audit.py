"""The audit log's sentences for funding's action codes (registered in FundingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "funding.programme.created": _("%(actor)s created the funding programme %(object)s."),
    "funding.programme.changed": _("%(actor)s changed the funding programme %(object)s."),
    "funding.programme.deleted": _("%(actor)s deleted the funding programme %(object)s."),
    "funding.call.created": _("%(actor)s created the funding call %(object)s."),
    "funding.call.changed": _("%(actor)s changed the funding call %(object)s."),
    "funding.call.verified": _("%(actor)s checked the funding call %(object)s against its "
                               "source."),
    "funding.call.closed": _("%(actor)s closed the funding call %(object)s: its last deadline "
                             "has passed."),
    "funding.call.deleted": _("%(actor)s deleted the funding call %(object)s."),
    "funding.call.followed": _("%(actor)s followed the funding call %(object)s."),
    "funding.call.unfollowed": _("%(actor)s stopped following the funding call %(object)s."),
    "funding.call.imported": _("%(actor)s imported funding calls (%(object)s)."),
    "funding.reminder.sent": _("%(actor)s sent deadline reminders for the funding call "
                               "%(object)s."),
    "funding.feed.created": _("%(actor)s created a deadline calendar feed for %(object)s."),
    "funding.feed.renewed": _("%(actor)s renewed the deadline calendar feed of %(object)s."),
    "funding.feed.revoked": _("%(actor)s revoked the deadline calendar feed of %(object)s."),
}
