"""Demo targets of the impact dashboard for `stadtallianz demo` (runs last, after the open data):
the coordination office's targets for the running year on a few key figures, set through the
service as the demo coordinator, so that the dashboard shows each state a target can be in —
reached, on track and behind — after `make run`.

The targets are set relative to the demo's own figures (computed from what the demo loaded), so
they stay plausible when the demo data change. Idempotent: a figure that has a target for the
year keeps it.
"""

from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from stadtallianz.impact import figures, services
from stadtallianz.impact.models import ImpactTarget

# (figure, how far the target lies from the figure's value now (a factor), note in German —
# the office's notes are free text in the deployment's language)
TARGETS = [
    # Reached: more open datasets than the target.
    ("datasets", Decimal("0.8"), "Ziel der Datenstrategie: Daten der Reallabore offen."),
    # Far off: half as many partners again by the end of the year.
    ("partners", Decimal("1.5"), "Beschluss der Lenkungsgruppe."),
    # A share in per cent: the data availability the labs promise.
    ("data_availability", None, "Zusage der Reallabore an die Nutzenden ihrer Daten."),
    ("ideas_to_projects", Decimal("1.2"), ""),
]
PROMISED_AVAILABILITY = Decimal("95")


def load(*, coordinator, today=None) -> int:
    """Sets the demo's targets for the running year; returns how many were set."""
    year = (today or timezone.localdate()).year
    current = {figure.key: figure for figure in figures.key_figures()}
    created = 0
    for key, factor, note in TARGETS:
        if ImpactTarget.objects.filter(key=key, year=year).exists():
            continue
        if factor is None:
            value = PROMISED_AVAILABILITY
        else:
            now = Decimal(str(current[key].value_for(year) or 0))
            value = max((now * factor).to_integral_value(ROUND_CEILING), Decimal(1))
        services.target_set(actor=coordinator, key=key, year=year, value=value, note=note)
        created += 1
    return created
