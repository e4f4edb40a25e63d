"""The reasons of a suggestion in plain words, in the reader's language, each naming its
evidence ("bietet Verkehrsdaten an (Angebot: …)"). The evidence is quoted from German texts:
on an English page `describe_html` marks it with lang="de"."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from stadtallianz.partners.models import Organisation

EVIDENCE_LENGTH = 90
# The parameters quoted from the partners' and subjects' German texts.
QUOTED = ("words", "evidence")


def _evidence(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EVIDENCE_LENGTH)


def _type_label(value: str) -> str:
    return str(dict(Organisation.Type.choices).get(value, value))


def _english() -> bool:
    return (get_language() or "de").startswith("en")


def _sentence(reason, focus_names: dict, own_view: bool) -> tuple[str, dict]:
    """The translated sentence with %(…)s placeholders, and its values."""
    p, code = reason.params, reason.code
    if code in ("offer", "need", "profile"):
        values = {"words": ", ".join(p["words"]), "evidence": _evidence(p["evidence"])}
        templates = {
            ("offer", True): _("fits your offer %(words)s (offer: %(evidence)s)"),
            ("offer", False): _("offers %(words)s (offer: %(evidence)s)"),
            ("need", True): _("fits your need %(words)s (need: %(evidence)s)"),
            ("need", False): _("needs %(words)s (need: %(evidence)s)"),
            ("profile", True): _("fits your profile: %(words)s (profile: %(evidence)s)"),
            ("profile", False): _("works on %(words)s (profile: %(evidence)s)"),
        }
        return templates[(code, own_view)], values
    if code == "working_group":
        values = {"group": p["group_en"] if _english() else p["group"]}
        if own_view:
            return _("your organisation is a member of the working group %(group)s"), values
        return _("member of the working group %(group)s"), values
    if code == "focus_area":
        names = ", ".join(str(focus_names.get(a, a)) for a in p["areas"])
        return ngettext("works in the focus area %(areas)s",
                        "works in the focus areas %(areas)s", len(p["areas"])), {"areas": names}
    if code == "eligible":
        return _("eligible as %(type)s"), {"type": _type_label(p["type"])}
    if code == "wanted_type":
        return _("sought as %(type)s"), {"type": _type_label(p["type"])}
    if code == "joint_work":
        return ngettext("worked with %(partner)s on one project",
                        "worked with %(partner)s on %(count)s projects", p["count"]), {
            "partner": p["partner"], "count": p["count"]}
    if code == "nearby":
        return _("%(km)s km away"), {"km": p["km"]}
    return "%(code)s", {"code": code}


def describe(reason, *, focus_names: dict, own_view: bool = False) -> str:
    """One reason as plain text (the API). `own_view`: the reader is the partner (their own
    suggestions page), so "your offer" rather than "offers"."""
    template, values = _sentence(reason, focus_names, own_view)
    return template % values


def describe_html(reason, *, focus_names: dict, own_view: bool = False) -> SafeString:
    """The same, escaped, with the German quotes marked lang="de" on a page in English."""
    template, values = _sentence(reason, focus_names, own_view)
    english = _english()
    marked = {key: (format_html('<span lang="de">{}</span>', value)
                    if english and key in QUOTED else escape(value))
              for key, value in values.items()}
    return mark_safe(escape(template) % marked)  # noqa: S308 - every part escaped above
