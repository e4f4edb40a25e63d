"""Texts people type, made safe for the formats they go into: one helper per concern, used
everywhere such a text leaves the platform.

- `single_line` — for one-line slots: e-mail subjects and other headers (Django refuses a
  newline there with BadHeaderError), the name of a calendar, a file name. Every line break
  (also the ones Unicode knows: U+2028, U+2029, NEL, vertical tab, form feed) and tab becomes a
  space, other control characters are dropped, runs of spaces are one.
- `without_controls` — for multi-line text in another format (iCalendar TEXT values, CSV and
  XLSX cells): line breaks stay, as "\\n" (the format escapes or quotes them); other control
  characters, which iCalendar forbids, XLSX cannot hold and spreadsheet programs show as boxes,
  are dropped.
- `attachment_header` — the Content-Disposition of a download whose name comes from a person
  (an uploaded document's name, an event's title): one line, quoted, non-ASCII as RFC 6266
  `filename*`.

RDF output (later) takes its literals through `without_controls` too.
"""

import re

from django.utils.http import content_disposition_header

# Everything str.splitlines() splits on, as one break each ("\r\n" is one break).
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Control characters (C0 except tab and line feed, DEL, C1), after line breaks are normalised.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[ \t\n]+")


def without_controls(text: str) -> str:
    """`text` with its line breaks as "\\n" and no other control character but the tab."""
    if not text:
        return text
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def single_line(text: str) -> str:
    """`text` on one line: line breaks and tabs become one space, control characters go."""
    if not text:
        return text
    return _SPACES.sub(" ", without_controls(text)).strip()


def attachment_header(filename: str, fallback: str = "download") -> str:
    """The Content-Disposition value of a download named `filename`: on one line, without a
    path, quoted (and as `filename*` where it is not ASCII)."""
    name = single_line(filename).replace("/", "_").replace("\\", "_").strip(". ") or fallback
    return content_disposition_header(True, name)
