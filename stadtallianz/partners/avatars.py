"""An organisation without a logo is shown by its initials on a square of its own colour; the
demo's organisations get a generated logo built from the same parts.

The colour comes from the name alone (the same name, the same colour, on every page and every
run) and is dark enough for white letters: a contrast of at least 4.5:1 (WCAG 2.1, 1.4.3), which
`tests` check over many names.
"""

import colorsys
import hashlib
import re
import unicodedata
from functools import lru_cache

from django.utils.html import format_html

# Words that say what kind of body an organisation is rather than which one; the initials skip
# them ("Stadtwerke Münster GmbH" → "SM", "Verein für Stadtgrün e. V." → "VS").
_SKIPPED = {
    "gmbh", "ag", "kg", "ug", "ev", "e", "v", "eg", "mbh", "co", "und", "&", "der", "die", "das",
    "des", "für", "fur", "von", "vom", "zu", "zur", "zum", "im", "in", "am", "an", "the", "of",
    "and", "for", "ggmbh", "se", "ohg", "gbr", "ltd", "inc",
}
# A little above 4.5:1: browsers and axe-core round the colours they compute.
MIN_CONTRAST = 4.6


def initials(name: str) -> str:
    """One or two capital letters for a name: its first two significant words' first letters,
    or the first letter of a one-word name."""
    words = [word for word in re.findall(r"[^\W_]+", name or "") if word.lower() not in _SKIPPED]
    if not words:
        words = re.findall(r"[^\W_]+", name or "") or ["?"]
    letters = "".join(word[0] for word in words[:2])
    return letters.upper()


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white text on `colour` ("#rrggbb")."""
    rgb = tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 1.05 / (_luminance(rgb) + 0.05)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(value * 255):02x}" for value in rgb)


def colour(name: str) -> str:
    """A colour for the name ("#rrggbb"): the hue from a hash of the name, made dark enough that
    white letters on it reach a contrast of 4.5:1."""
    normalised = unicodedata.normalize("NFC", (name or "").strip().casefold())
    digest = hashlib.sha256(normalised.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536
    saturation = 0.45 + digest[2] / 255 * 0.25
    lightness = 0.42
    while True:
        value = _hex(colorsys.hls_to_rgb(hue, lightness, saturation))
        if contrast_with_white(value) >= MIN_CONTRAST or lightness <= 0.1:
            return value
        lightness -= 0.02


@lru_cache(maxsize=8192)
def initials_svg(name: str, *, size: int = 64, css_class: str = "org-avatar"):
    """The initials square as inline SVG (no style attribute: the strict CSP allows SVG
    presentation attributes). Hidden from screen readers: the name is written next to it.
    Kept per name and size (a directory page draws two dozen; the colour search costs more than
    the rest of a card)."""
    letters = initials(name)
    return format_html(
        '<svg class="{css_class}" width="{size}" height="{size}" viewBox="0 0 64 64" '
        'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<rect width="64" height="64" rx="8" fill="{fill}"/>'
        '<text x="32" y="32" dy=".35em" text-anchor="middle" fill="#ffffff" '
        'font-family="Fira Sans, Arial, sans-serif" font-weight="600" font-size="{font}">'
        "{letters}</text></svg>",
        css_class=css_class, size=size, fill=colour(name),
        font=30 if len(letters) > 1 else 36, letters=letters,
    )


def logo_svg(name: str) -> str:
    """A generated logo for demo data: a geometric mark (rings, bars or a diamond, chosen by the
    name) in the name's colour with the initials on it. A complete, square SVG document."""
    from xml.sax.saxutils import escape

    fill = colour(name)
    digest = hashlib.sha256(name.encode()).digest()
    shape = digest[3] % 3
    if shape == 0:
        mark = (f'<circle cx="48" cy="48" r="46" fill="{fill}"/>'
                f'<circle cx="48" cy="48" r="36" fill="none" stroke="#ffffff" stroke-width="3" '
                f'opacity=".6"/>')
    elif shape == 1:
        mark = (f'<rect x="2" y="2" width="92" height="92" rx="16" fill="{fill}"/>'
                + "".join(f'<rect x="{14 + i * 26}" y="{70 - digest[4 + i] % 24}" width="16" '
                          f'height="{12 + digest[4 + i] % 24}" rx="3" fill="#ffffff" '
                          f'opacity=".3"/>' for i in range(3)))
    else:
        mark = (f'<path d="M48 2 L94 48 L48 94 L2 48 Z" fill="{fill}"/>'
                f'<path d="M48 18 L78 48 L48 78 L18 48 Z" fill="#ffffff" opacity=".2"/>')
    letters = escape(initials(name))
    title = escape(name)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        f"{mark}"
        f'<text x="48" y="48" dy=".35em" text-anchor="middle" fill="#ffffff" '
        f'font-family="Fira Sans, Arial, sans-serif" font-weight="700" '
        f'font-size="{34 if len(letters) > 1 else 42}">{letters}</text></svg>\n'
    )
