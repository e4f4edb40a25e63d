"""The audit log's sentences for matchmaking's action codes (registered in ready())."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "matchmaking.suggestion.dismissed": _("%(actor)s hid the suggestion %(object)s as not "
                                          "relevant."),
    "matchmaking.suggestion.restored": _("%(actor)s showed the hidden suggestion %(object)s "
                                         "again."),
}
