"""Line charts of a datastream, drawn as SVG on the server (no chart library, no script, nothing
for the strict CSP to block). Each chart has a title and a description for screen readers and
sits next to a table of the same points (the accessible alternative)."""

from django.utils import formats, timezone

from .readings import Series

WIDTH = 640
HEIGHT = 220
LEFT = 64  # room for the value labels
RIGHT = 16
TOP = 16
BOTTOM = 40  # room for the time labels
MAX_DOTS = 60  # beyond this, points are drawn as a line only


def _number(value: float) -> str:
    value = round(value, 2)
    if value == int(value):
        value = int(value)
    return formats.number_format(value, decimal_pos=None, use_l10n=True)


def value_text(result) -> str:
    """An observation's result as shown: numbers localised, without a trailing ",0"."""
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        return str(result)
    return _number(result)


def _coordinate(value: float) -> str:
    """SVG numbers: a dot, whatever the language (the template must not localise them)."""
    return f"{value:.1f}"


def _time_label(moment, daily: bool) -> str:
    local = timezone.localtime(moment)
    return formats.date_format(local, "SHORT_DATE_FORMAT" if daily else "H:i")


def draw(series: Series) -> dict | None:
    """Everything the SVG template needs, or None when there is nothing to draw.

    A point whose window is still running (Point.partial: this hour, today) is not part of the
    line: it is drawn apart, hollow and labelled "in progress", so a day counted half-way does
    not look like a fall. The value axis is labelled at its lowest value, and says when that is
    not zero."""
    points = series.points
    if not points:
        return None
    values = [p.value for p in points]
    low, high = min(values), max(values)
    if series.kind == "sum":
        low = min(low, 0.0)
    if high == low:  # a flat line in the middle
        low, high = low - 1, high + 1
    start, end = series.since.timestamp(), series.until.timestamp()
    span = max(end - start, 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment):
        return _coordinate(LEFT + (moment.timestamp() - start) / span * plot_width)

    def y(value):
        return _coordinate(TOP + (high - value) / (high - low) * plot_height)

    complete = [p for p in points if not p.partial]
    running = [p for p in points if p.partial]
    # A gap longer than one step breaks the line: no value is invented across it.
    segments, current, previous = [], [], None
    gap = series.step.total_seconds() * 1.5
    for point in complete:
        if previous is not None and point.start.timestamp() - previous.start.timestamp() > gap:
            segments.append(current)
            current = []
        current.append(f"{x(point.start)},{y(point.value)}")
        previous = point
    segments.append(current)
    daily = series.step.total_seconds() >= 86400
    ticks_y = [{"y": y(value), "label": _number(value)}
               for value in (high, (high + low) / 2, low)]
    moments = [series.since, series.since + (series.until - series.since) / 2, series.until]
    ticks_x = [{"x": x(m), "label": _time_label(m, daily)} for m in moments]
    shown = complete or points
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": HEIGHT - BOTTOM, "label_y": HEIGHT - BOTTOM + 18,
        "segments": [" ".join(s) for s in segments if s],
        "dots": [{"x": x(p.start), "y": y(p.value)} for p in complete]
        if len(complete) <= MAX_DOTS else [],
        "running": [{"x": x(p.start), "y": y(p.value),
                     "label_x": _coordinate(min(float(x(p.start)), WIDTH - RIGHT - 4)),
                     "label_y": _coordinate(max(float(y(p.value)) - 8, TOP + 8))}
                    for p in running],
        "ticks_y": ticks_y, "ticks_x": ticks_x,
        "axis_low": _number(low), "axis_high": _number(high), "axis_from_zero": low == 0,
        "minimum": _number(min(p.value for p in shown)),
        "maximum": _number(max(p.value for p in shown)),
        "latest": _number(shown[-1].value), "count": len(shown), "daily": daily,
        "rows": [{"start": p.start, "value": _number(p.value), "partial": p.partial}
                 for p in points],
    }
