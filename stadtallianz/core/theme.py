"""A deployment's theme: its colours checked for contrast, and the stylesheet that carries them.

The settings module reads THEME_PRIMARY_COLOR and THEME_ACCENT_COLOR from the environment and asks
`checked_colour` here, at start-up: a colour that is not a hex colour, or that has less than 4.5:1
contrast against white (WCAG 1.4.3: links and button labels are drawn in it or on it), stops the
start with a message naming the variable, its contrast and a darker colour that would pass. Nothing
here imports Django models, so config/settings.py may import it.
"""

import functools
import hashlib
import re

from django.core.exceptions import ImproperlyConfigured

MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, other: str = "#ffffff") -> float:
    lighter, darker = sorted((relative_luminance(colour), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darkened(colour: str, target: float = MIN_CONTRAST) -> str:
    """The colour darkened step by step (same hue) until it reaches the target against white."""
    r, g, b = _rgb(colour)
    factor = 1.0
    candidate = _hex((r, g, b))
    while contrast(candidate) < target and factor > 0:
        factor -= 0.02
        candidate = _hex((round(r * factor), round(g * factor), round(b * factor)))
    return candidate


def checked_colour(name: str, value: str) -> str:
    """The colour as #rrggbb, or ImproperlyConfigured naming the variable and what is wrong."""
    if not _HEX.match(value.strip()):
        raise ImproperlyConfigured(
            f"{name} must be a hex colour such as #005a8c, not {value!r}. See docs/deployment.md.")
    colour = _hex(_rgb(value.strip()))
    ratio = contrast(colour)
    if ratio < MIN_CONTRAST:
        raise ImproperlyConfigured(
            f"{name}={colour} has a contrast of {ratio:.2f}:1 against white; links and buttons "
            f"need at least {MIN_CONTRAST}:1 (WCAG 2.1 AA). A darker shade of it that passes: "
            f"{darkened(colour)}. See docs/deployment.md.")
    return colour


def mixed(colour: str, other: str, share: float) -> str:
    """`share` of `colour` mixed with `other` (for the hover and light tints)."""
    a, b = _rgb(colour), _rgb(other)
    return _hex(tuple(round(x * share + y * (1 - share)) for x, y in zip(a, b, strict=True)))


def stylesheet(primary: str, accent: str) -> str:
    """The theme as CSS custom properties over KERN's tokens (served by core.views.theme_css)."""
    return (
        "/* The deployment's theme (THEME_PRIMARY_COLOR, THEME_ACCENT_COLOR): KERN UX tokens. */\n"
        "html[data-kern-theme], :root {\n"
        f"  --kern-color-action-default: {primary};\n"
        f"  --kern-color-decorative-brand-default: {primary};\n"
        f"  --sa-color-primary: {primary};\n"
        f"  --sa-color-primary-dark: {mixed(primary, '#000000', 0.7)};\n"
        f"  --sa-color-primary-light: {mixed(primary, '#ffffff', 0.1)};\n"
        f"  --sa-color-accent: {accent};\n"
        f"  --sa-color-accent-light: {mixed(accent, '#ffffff', 0.12)};\n"
        "}\n"
    )


@functools.lru_cache(maxsize=8)
def version(*values: str) -> str:
    """A short fingerprint of the theme for the stylesheet's URL (browsers keep it for good).

    Asked on every page (core.context_processors.site): computed once per colour pair."""
    return hashlib.sha256("|".join(values).encode()).hexdigest()[:12]
