"""The one rule for the name shown for a person as the author of something (an idea, a comment,
a version, a discussion post or thread, an uploaded document) and the one rule for which display
names a person may choose. Pages, the API and feeds ask `shown_name`; forms and services ask
`display_name_problem`.

Who sees the real name: the coordination office (it runs the alliance and answers for the
content) and the person themself. Everyone else, visitors and logged-in people alike, also
members of the same organisation or working group, sees the public name (models.public_name):
the chosen display name, else "participant 12", "former participant" once the account is
deleted. A shared organisation is no consent to show a citizen's real name next to what they
wrote. Lists where a person appears in an organisational role they agreed to by joining
(working-group members and leads, partner contact persons and members, event attendance for the
organisers) are not authorship and keep the real name; docs/privacy.md says so.
"""

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from stadtallianz.core.office import office_name

from .models import public_name


def sees_real_names(viewer) -> bool:
    """Whether `viewer` sees every author's real name: the coordination office only."""
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                and viewer.is_coordination_office)


def shown_name(person, viewer) -> str:
    """The name shown to `viewer` for `person` as an author (None: a deleted account)."""
    if person is None or getattr(person, "pk", None) is None:
        return public_name(None)
    if person.full_name and (sees_real_names(viewer)
                             or getattr(viewer, "pk", None) == person.pk):
        return person.full_name
    return public_name(person)


def normalised(name: str) -> str:
    """A display name as stored and compared: trimmed, runs of whitespace as one space."""
    return " ".join((name or "").split())


def _labels() -> set[str]:
    """The reserved words in every language: the deleted-account label and the office."""
    words = {"koordinierungsstelle", "coordination office"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.add(str(public_name(None)).casefold())
            words.add(normalised(office_name()).casefold())
    return words


def _default_patterns() -> list[re.Pattern]:
    """"participant 12" in every language, "Person 12" too (the German label)."""
    patterns = [re.compile(r"^(person|participant|teilnehmer\w*)\s*#?\s*\d+$", re.IGNORECASE)]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            label = _("participant %(number)s")
        pattern = re.escape(label.casefold()).replace(re.escape("%(number)s"), r"#?\s*\d+")
        patterns.append(re.compile(rf"^{pattern}$", re.IGNORECASE))
    return patterns


def display_name_problem(name: str, user=None) -> str | None:
    """Why `name` may not be `user`'s display name (it would pass for someone else), or None.
    Equal to another person's display name or real name (any case, spaces collapsed), a
    default label ("participant 12"), the deleted-account label or the coordination office."""
    from .models import User

    name = normalised(name)
    if not name:
        return None
    key = name.casefold()
    if key in _labels() or any(p.match(key) for p in _default_patterns()):
        return _("This name is reserved for the platform. Please choose another one.")
    others = User.objects.exclude(pk=getattr(user, "pk", None))
    if others.filter(display_name__iexact=name).exists():
        return _("Another person already uses this display name. Please choose another one.")
    if others.filter(full_name__iexact=name).exists():
        return _("This is another person’s name. Please choose another display name.")
    return None
