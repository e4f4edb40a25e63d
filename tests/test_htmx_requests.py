"""Filters that update their results as a person types or chooses send one request per
change. Without hx-sync htmx lets them run side by side, and a slow older response could
replace the results of a newer filter (and push its URL into the history after the person
has moved on). Every element that sends such requests replaces its request in flight."""

import re
from pathlib import Path

import stadtallianz

TEMPLATES = Path(stadtallianz.__file__).parent
ELEMENT = re.compile(r"<[a-z]+\b[^>]*\bhx-(?:get|post)=[^>]*>", re.S)
# Triggers a person fires again and again (a trigger that fires once, like "revealed" for a
# section loaded when scrolled into view, sends one request and needs no sync).
REPEATED = re.compile(r'hx-trigger="[^"]*\b(?:change|keyup|input|submit|search)\b')


def triggered_elements():
    for template in sorted(TEMPLATES.rglob("templates/**/*.html")):
        for element in ELEMENT.findall(template.read_text()):
            if REPEATED.search(element):
                yield template.relative_to(TEMPLATES), element


def test_the_templates_have_requests_sent_as_a_person_types():
    # The scan below must see the filters it is meant for.
    assert len(list(triggered_elements())) >= 5


def test_a_newer_request_replaces_the_one_in_flight():
    unsynced = [(str(path), element) for path, element in triggered_elements()
                if 'hx-sync="this:replace"' not in element]
    assert unsynced == []
