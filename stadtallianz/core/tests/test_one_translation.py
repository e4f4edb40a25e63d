"""One translation for each message across the apps' German catalogues.

Django merges the catalogues of all apps into one at run time: a message (the same context and
msgid) that two apps translate differently gets one of the two translations on every page,
whichever catalogue wins. The ideas filter once showed the living labs' "Stand" for "State", and
the events page could have said "Registrieren" for registering for a meeting. Where an English
word means two things ("Register" an account or for an event, "Report" as a verb or a document
type), the code gives it a context (pgettext, `{% translate "Register" context "event" %}`) and
the context keeps the two apart here as at run time.
"""

from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def _string(line: str) -> str:
    """The text of a quoted .po string (escapes left as they are: equal text, equal escapes)."""
    line = line.strip()
    assert line.startswith('"') and line.endswith('"'), line
    return line[1:-1]


def parse_catalogue(text: str) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """{(context, msgid, msgid_plural): (msgstr, ...)} of a .po file's translated entries,
    without the header, fuzzy entries and obsolete (#~) ones."""
    entries: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def finish(entry):
        if entry is None or entry["fuzzy"] or not entry["msgid"]:
            return
        strings = tuple(text for _index, text in sorted(entry["msgstr"].items()))
        if any(strings):
            entries[(entry["msgctxt"] or "", entry["msgid"], entry["msgid_plural"] or "")] = strings

    entry = None
    field = None  # (name, plural index) the continuation lines belong to
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if not stripped:
            finish(entry)
            entry, field = None, None
            continue
        if stripped.startswith("#"):
            if stripped.startswith("#~"):
                field = None  # an obsolete entry: none of its lines count
                continue
            if entry is not None and entry["msgstr"]:
                finish(entry)  # a comment after a complete entry starts the next one
                entry = None
            entry = entry or {"msgctxt": None, "msgid": None, "msgid_plural": None,
                              "msgstr": {}, "fuzzy": False}
            if stripped.startswith("#,") and "fuzzy" in stripped:
                entry["fuzzy"] = True
            continue
        if stripped.startswith('"'):
            if field is None:
                continue
            name, index = field
            if name == "msgstr":
                entry["msgstr"][index] += _string(stripped)
            else:
                entry[name] += _string(stripped)
            continue
        keyword, _space, rest = stripped.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry is not None and entry["msgstr"]:
            finish(entry)  # a new entry without a blank line before it
            entry = None
        entry = entry or {"msgctxt": None, "msgid": None, "msgid_plural": None,
                          "msgstr": {}, "fuzzy": False}
        if keyword.startswith("msgstr"):
            index = int(keyword[len("msgstr["):-1]) if "[" in keyword else 0
            entry["msgstr"][index] = _string(rest)
            field = ("msgstr", index)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            entry[keyword] = _string(rest)
            field = (keyword, None)
        else:
            raise AssertionError(f"unexpected line in a catalogue: {line!r}")
    return entries


def german_catalogues():
    for path in sorted(PACKAGE.glob("*/locale/de/LC_MESSAGES/django.po")):
        yield path.parts[-5], path.read_text()


def test_the_same_message_has_one_german_translation_in_every_app():
    translations: dict[tuple[str, str, str], dict[tuple[str, ...], list[str]]] = defaultdict(
        lambda: defaultdict(list))
    for app, text in german_catalogues():
        for key, strings in parse_catalogue(text).items():
            translations[key][strings].append(app)
    conflicts = []
    for (context, msgid, _plural), variants in sorted(translations.items()):
        if len(variants) > 1:
            where = "; ".join(f"{' | '.join(strings)!r} in {', '.join(apps)}"
                              for strings, apps in sorted(variants.items()))
            label = f"{msgid!r}" + (f" (context {context!r})" if context else "")
            conflicts.append(f"{label}: {where}")
    assert conflicts == [], (
        "the apps' catalogues are merged at run time, so only one of these translations shows; "
        "choose one, or give the message a context (pgettext) where it means something else:\n"
        + "\n".join(conflicts))


def test_the_parser_reads_contexts_plurals_continuations_and_skips_fuzzy_and_obsolete():
    text = "\n".join([
        'msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', "",
        "#: templates/events/detail.html:52", 'msgctxt "event"', 'msgid "Register"',
        'msgstr "Anmelden"', "",
        'msgid "Register"', 'msgstr "Registrieren"', "",
        'msgid ""', '"A long "', '"message"', 'msgstr ""', '"Eine lange "', '"Nachricht"', "",
        'msgid "one idea"', 'msgid_plural "%(count)s ideas"', 'msgstr[0] "eine Idee"',
        'msgstr[1] "%(count)s Ideen"', "",
        "#, fuzzy", 'msgid "Guess"', 'msgstr "Geraten"', "",
        'msgid "Empty"', 'msgstr ""', "",
        '#~ msgid "Old"', '#~ msgstr "Alt"', "",
    ])
    assert parse_catalogue(text) == {
        ("event", "Register", ""): ("Anmelden",),
        ("", "Register", ""): ("Registrieren",),
        ("", "A long message", ""): ("Eine lange Nachricht",),
        ("", "one idea", "%(count)s ideas"): ("eine Idee", "%(count)s Ideen"),
    }
