"""The reasons of a suggestion in plain words, in the reader's language, each naming its
evidence ("bietet Verkehrsdaten an (Angebot: …)")."""

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stadtallianz.partners.models import Organisation

EVIDENCE_LENGTH = 90


def _words(words) -> str:
    return ", ".join(words)


def _evidence(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EVIDENCE_LENGTH)


def describe(reason, *, focus_names: dict, own_view: bool = False) -> str:
    """One reason as a sentence part. `own_view`: the reader is the partner (their suggestions
    page), so "your offer" rather than "offers"."""
    p = reason.params
    code = reason.code
    if code == "offer":
        if own_view:
            return _("fits your offer %(words)s (offer: %(evidence)s)") % {
                "words": _words(p["words"]), "evidence": _evidence(p["evidence"])}
        return _("offers %(words)s (offer: %(evidence)s)") % {
            "words": _words(p["words"]), "evidence": _evidence(p["evidence"])}
    if code == "need":
        if own_view:
            return _("fits your need %(words)s (need: %(evidence)s)") % {
                "words": _words(p["words"]), "evidence": _evidence(p["evidence"])}
        return _("needs %(words)s (need: %(evidence)s)") % {
            "words": _words(p["words"]), "evidence": _evidence(p["evidence"])}
    if code == "profile":
        if own_view:
            return _("fits your profile: %(words)s (profile: %(evidence)s)") % {
                "words": _words(p["words"]), "evidence": _evidence(p["evidence"])}
        return _("works on %(words)s (profile: %(evidence)s)") % {
            "words": _words(p["words"]), "evidence": _evidence(p["evidence"])}
    if code == "working_group":
        from django.utils.translation import get_language

        name = p["group_en"] if (get_language() or "de").startswith("en") else p["group"]
        if own_view:
            return _("your organisation is a member of the working group %(group)s") % {
                "group": name}
        return _("member of the working group %(group)s") % {"group": name}
    if code == "focus_area":
        names = ", ".join(str(focus_names.get(a, a)) for a in p["areas"])
        return ngettext("works in the focus area %(areas)s",
                        "works in the focus areas %(areas)s", len(p["areas"])) % {"areas": names}
    if code == "eligible":
        return _("eligible as %(type)s") % {"type": _type_label(p["type"])}
    if code == "wanted_type":
        return _("sought as %(type)s") % {"type": _type_label(p["type"])}
    if code == "joint_work":
        return ngettext("worked with %(partner)s on one project",
                        "worked with %(partner)s on %(count)s projects", p["count"]) % {
            "partner": p["partner"], "count": p["count"]}
    if code == "nearby":
        return _("%(km)s km away") % {"km": p["km"]}
    return code


def _type_label(value: str) -> str:
    return str(dict(Organisation.Type.choices).get(value, value))
