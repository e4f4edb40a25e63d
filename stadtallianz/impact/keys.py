"""The key figures of the impact dashboard: their keys, titles and kinds, in the order the
page shows them. A lower module than figures.py, so the target model can offer the keys as
choices without importing the computations."""

from django.utils.translation import gettext_lazy as _

INPUT, OUTPUT, OUTCOME = "input", "output", "outcome"
KINDS = {
    # What the alliance puts in, what it does, and what it achieves.
    INPUT: _("Input"),
    OUTPUT: _("Output"),
    OUTCOME: _("Outcome"),
}

FIGURES = [
    ("partners", _("Alliance partners"), INPUT),
    ("signatures", _("Signatures of the letter of intent"), INPUT),
    ("working_groups", _("Working groups and their activity"), INPUT),
    ("events", _("Events and participants"), OUTPUT),
    ("ideas", _("Ideas"), INPUT),
    ("ideas_to_projects", _("Ideas that became projects"), OUTCOME),
    ("projects", _("Projects by phase"), OUTPUT),
    ("principles", _("Projects by guiding principle"), OUTCOME),
    ("sdgs", _("Projects by sustainable development goal"), OUTCOME),
    ("funding_applied", _("Funding applied for"), INPUT),
    ("funding_granted", _("Funding granted"), OUTCOME),
    ("living_labs", _("Living labs"), INPUT),
    ("sensors", _("Sensors with open data"), OUTPUT),
    ("data_availability", _("Data availability"), OUTPUT),
    ("datasets", _("Open datasets"), OUTPUT),
]

KEYS = [key for key, _title, _kind in FIGURES]
TITLES = {key: title for key, title, _kind in FIGURES}
KIND_OF = {key: kind for key, _title, kind in FIGURES}
CHOICES = [(key, title) for key, title, _kind in FIGURES]
