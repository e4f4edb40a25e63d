"""Bar charts of the figures, drawn as SVG on the server as the living labs draw their lines
(no chart library, no script, nothing for the strict CSP to block). Each chart has a title and
a description for screen readers; the card's table holds the same numbers."""

from stadtallianz.core.templatetags import formatting

WIDTH = 640
HEIGHT = 240
LEFT = 56
RIGHT = 8
TOP = 16
BOTTOM = 48
MAX_BARS = 20  # more would not be readable: the newest (last) ones are drawn
MAX_BAR_WIDTH = 56


def number(value) -> str:
    """A figure as shown on the page, by the site's number rule (core's `number` filter:
    grouped, the language's decimal separator): shares with one decimal place, sums of money
    with two when they have cents, counts whole; "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return formatting.number(value, 1)
    if hasattr(value, "as_tuple") and value != int(value):
        return formatting.number(value, 2)
    return formatting.number(int(value), 0)


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def draw(points) -> dict | None:
    points = list(points)[-MAX_BARS:]
    if not points:
        return None
    highest = max(p.value for p in points)
    high = float(highest) or 1.0
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(points)
    bar = min(max(slot * 0.7, 1.0), MAX_BAR_WIDTH)
    bars = []
    for index, point in enumerate(points):
        height = float(point.value) / high * plot_height
        x = LEFT + index * slot + (slot - bar) / 2
        bars.append({"x": _coordinate(x), "y": _coordinate(TOP + plot_height - height),
                     "width": _coordinate(bar), "height": _coordinate(height),
                     "label": _short(point.label), "label_x": _coordinate(x + bar / 2),
                     "value": number(point.value), "title": f"{point.label}: "
                                                           f"{number(point.value)}"})
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
            "top": TOP, "bottom": TOP + plot_height, "label_y": TOP + plot_height + 18,
            "high": number(highest),
            "high_y": _coordinate(TOP), "bars": bars, "count": len(points),
            "minimum": number(min(p.value for p in points)),
            "maximum": number(max(p.value for p in points)),
            "rotate": len(points) > 8}
