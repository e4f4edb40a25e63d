"""The coordination office's one name, written once (docs/deployment.md, COORDINATION_OFFICE_NAME).

A deployment names its office (Münster: "Stabsstelle Smart City"); without a name it is
"coordination office" in the reader's language. Every text that names the office says so through
a placeholder and fills in this name when it is shown or sent, in the language active then (a
page: the reader's; an e-mail or a notification: the recipient's, core.mail.render_mail):

- templates: `{% blocktranslate with office=COORDINATION_OFFICE_NAME %}… the {{ office }}
  …{% endblocktranslate %}` (the context processor and render_mail give COORDINATION_OFFICE_NAME);
- Python, at call time: `with_office(_("… the %(office)s …"))`;
- Python, a text made at import time (a field's help text, a module constant):
  `with_office_lazy(gettext_lazy("… the %(office)s …"))`.

German texts use the name with feminine articles ("die", "der"), which fit both
"Koordinierungsstelle" and "Stabsstelle Smart City".
"""

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext


def office_name() -> str:
    """The configured name, else "coordination office" in the active language."""
    return settings.COORDINATION_OFFICE_NAME or gettext("coordination office")


def with_office(message) -> str:
    """A translated text with `%(office)s`, the office's name filled in."""
    return str(message) % {"office": office_name()}


# For texts made at import time: translated and filled in each time the text is shown.
with_office_lazy = lazy(with_office, str)
