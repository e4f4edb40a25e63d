"""The key figures count the right things on small data, and never what a visitor may not
see: each hidden thing of the `world` fixture would change its figure if it were counted."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from stadtallianz.impact import figures as impact
from stadtallianz.impact.figures import Figure, Point, key_figures, status
from stadtallianz.impact.keys import KEYS
from stadtallianz.opendata.models import ValidationRun
from stadtallianz.partners.models import Organisation
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import GRANTED


def test_every_figure_is_there_in_order_with_kind_how_and_link(world, by_key):
    figures = key_figures()
    assert [f.key for f in figures] == KEYS
    for figure in figures:
        assert figure.kind in {"input", "output", "outcome"}
        assert figure.how.endswith(".") and figure.link.startswith("/de/")


def test_partners_and_signatures_count_confirmed_partners_only(world, by_key):
    figures = by_key()
    assert figures["partners"].value == 2  # not the draft, not the one awaiting review
    assert figures["partners"].rows == [["Unternehmen", 1], ["Forschungseinrichtung", 1]]
    assert figures["partners"].series[-1].value == 2
    assert figures["signatures"].value == 2
    assert figures["signatures"].rows == [[1, 2]]


def test_working_groups_count_public_posts_and_meetings_only(world, by_key):
    figure = by_key()["working_groups"]
    # One visible post of the public thread and the public meeting held; not the hidden post,
    # the three members-only posts, the members-only meeting or the cancelled one.
    assert figure.value == 2
    assert figure.rows == [["Mobilität", 1, 1]]
    assert figure.note.startswith("Aktive Arbeitsgruppen: 1. In den letzten 12 Monaten: 1 ")


def test_events_count_public_events_and_registered_people(world, by_key):
    figure = by_key()["events"]
    assert figure.value == 1
    assert figure.rows == [[timezone.localdate().year, 1, 1]]  # the waiting person not


def test_ideas_leave_out_hidden_ones_and_count_those_that_became_projects(world, by_key):
    figures = by_key()
    assert figures["ideas"].value == 2
    assert figures["ideas_to_projects"].value == 1
    assert "50,0" in figures["ideas_to_projects"].note


def test_projects_by_phase_principle_and_goal(world, by_key):
    figures = by_key()
    phases = dict(figures["projects"].rows)
    assert figures["projects"].value == 2 and phases["Pilot"] == 1 and phases["Konzept"] == 1
    principles = figures["principles"]
    assert principles.value == 1  # the draft assessment is not published
    assert [row[1:] for row in principles.rows] == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    sdgs = figures["sdgs"]
    assert sdgs.value == 2 and [row[1] for row in sdgs.rows] == [1, 2]


def test_funding_counts_public_applications_and_sums_acquired_grants_only(world, by_key):
    figures = by_key()
    applied = figures["funding_applied"]
    assert applied.value == 2  # the published one and the granted one; no unpublished one
    assert {row[1] for row in applied.rows} == {"Bundesministerium für Wohnen"}
    granted = figures["funding_granted"]
    assert granted.value == GRANTED  # not the grant row of the rejected application
    assert granted.rows == [[2025, "Bundesministerium für Wohnen", 1, GRANTED]]


def test_labs_sensors_and_availability_leave_restricted_streams_out(world, by_key):
    figures = by_key()
    assert figures["living_labs"].value == 1
    assert figures["sensors"].value == 2  # public and aggregated, not restricted
    availability = figures["data_availability"]
    # Open stream: median 2 per hour, 10 hours since its start: 20 expected, 10 received.
    assert availability.value == 50.0
    assert availability.rows == [["Reallabor Aasee", 2, 1, 20, 10, 50.0]]


def test_a_restricted_stream_made_public_would_count(world, by_key,
                                                     django_capture_on_commit_callbacks):
    """The counterpart of the test above: the restricted stream's data is what kept it out."""
    with django_capture_on_commit_callbacks(execute=True):
        world.restricted.privacy_level = PrivacyLevel.PUBLIC
        world.restricted.save()
    figures = by_key()
    assert figures["sensors"].value == 3
    assert figures["data_availability"].value == round(100 * 30 / 40, 1)


def test_datasets_count_published_ones_with_the_validation_state(world, by_key,
                                                                 django_capture_on_commit_callbacks):
    figure = by_key()["datasets"]
    assert figure.value == 1 and "noch nicht geprüft" in figure.note
    with django_capture_on_commit_callbacks(execute=True):
        ValidationRun.objects.create(checked_at=timezone.now(), datasets=1, violations=3,
                                     warnings=0)
    assert "3 Verstöße" in by_key()["datasets"].note


def test_focus_area_filter(world, by_key):
    figures = by_key(focus_area=world.area.slug)
    assert figures["partners"].value == 1
    assert figures["ideas"].value == 1
    assert figures["projects"].value == 1
    assert figures["datasets"].value == 1
    assert figures["funding_granted"].value == GRANTED  # the call's focus area
    assert "focus_area" in figures["sensors"].ignores
    other = by_key(focus_area=world.other_area.slug)
    assert other["partners"].value == 0 and other["funding_granted"].value == 0


def test_year_filter(world, by_key):
    figures = by_key(year=2025)
    assert figures["funding_granted"].value == GRANTED
    assert figures["funding_applied"].value == 1  # the granted one, submitted in 2025
    assert figures["partners"].value == 0  # both joined this year (2026)
    assert "year" in figures["principles"].ignores


def test_english_labels_on_english_pages(world, by_key):
    with translation.override("en"):
        figures = by_key()
    assert figures["partners"].title == "Alliance partners"
    assert ["Company", 1] in figures["partners"].rows


def test_a_change_replaces_the_cached_figures_after_the_commit(world, by_key, make_organisation,
                                                               django_capture_on_commit_callbacks):
    assert by_key()["partners"].value == 2
    with django_capture_on_commit_callbacks(execute=False):
        make_organisation("Ohne Commit")
    assert by_key()["partners"].value == 2  # cached: the change is not committed yet
    with django_capture_on_commit_callbacks(execute=True):
        make_organisation("Neu")
    assert by_key()["partners"].value == 4


def test_the_cache_answers_without_computing_again(world):
    key_figures()
    with CaptureQueriesContext(connection) as queries:
        key_figures()
    assert len(queries) == 1  # the targets


def _more(world, make_organisation, make_event, make_project, make_datastream, lab):
    from stadtallianz.discussions.models import Post, Thread
    from stadtallianz.events.models import Registration
    from stadtallianz.ideas.models import Idea

    thread = Thread.objects.filter(group=world.group, visibility="public").first()
    for n in range(6):
        org = make_organisation(f"Mehr {n}", type=Organisation.Type.STARTUP)
        org.focus_areas.add(world.area)
        Post.objects.create(thread=thread, body=f"Beitrag {n}")
        event = make_event(world.group, starts_at=timezone.now() - timezone.timedelta(days=n))
        Registration.objects.create(event=event, user=world.held.registrations.first().user)
        Idea.objects.create(title=f"Idee {n}", description="Text")
        make_project(phase="rollout")
        make_datastream(lab, name=f"Strom {n}")


def test_the_number_of_queries_does_not_grow_with_the_data(world, make_organisation, make_event,
                                                           make_project, make_datastream, lab):
    from django.core.cache import cache

    with CaptureQueriesContext(connection) as small:
        key_figures(focus_area=world.area.slug, year=2026)
    _more(world, make_organisation, make_event, make_project, make_datastream, lab)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        key_figures(focus_area=world.area.slug, year=2026)
    assert len(large) == len(small) <= 35


def _yearly(value, year=2026):
    return Figure(key="x", title="", value=value, unit="", kind="output", how="", link="",
                  series=[Point(str(year), value, year)], yearly=True)


def test_status_compares_with_the_share_of_the_year_passed():
    mid_year = date(2026, 7, 2)  # day 183 of 365
    assert status(_yearly(100), Decimal(100), 2026, mid_year) == impact.REACHED
    assert status(_yearly(50), Decimal(99), 2026, mid_year) == impact.ON_TRACK
    assert status(_yearly(50), Decimal(100), 2026, mid_year) == impact.BEHIND
    assert status(_yearly(5, 2025), Decimal(10), 2025, mid_year) == impact.BEHIND
    cumulative = Figure(key="x", title="", value=60, unit="", kind="input", how="", link="",
                        series=[Point("2025", 40, 2025), Point("2026", 60, 2026)],
                        yearly=True, cumulative=True)
    # From 40 at last year's end towards 100: half the way by mid-year is 70.
    assert status(cumulative, Decimal(100), 2026, mid_year) == impact.BEHIND
    assert status(cumulative, Decimal(79), 2026, mid_year) == impact.ON_TRACK


def test_the_nightly_command_recomputes_what_moved_with_time(world, by_key):
    """New hourly counts come from the ingest without signals: the cached share stays until
    compute_impact_figures runs, which recomputes and fills the cache for both languages."""
    from io import StringIO

    from django.core.management import call_command

    from stadtallianz.sensorthings import models as sta

    from .conftest import _hour

    assert by_key()["data_availability"].value == 50.0
    for hours_ago in (6, 7, 8, 9, 10):
        sta.HourlyAggregate.objects.create(datastream=world.open_stream, hour=_hour(hours_ago),
                                           count=2, total=4, minimum=1, maximum=3)
    assert by_key()["data_availability"].value == 50.0
    out = StringIO()
    call_command("compute_impact_figures", stdout=out)
    assert "15 key figures" in out.getvalue()
    from stadtallianz.core.models import ProcessHeartbeat

    assert ProcessHeartbeat.objects.filter(name="job:compute_impact_figures").exists()
    with CaptureQueriesContext(connection) as queries:
        assert by_key()["data_availability"].value == 100.0
    assert len(queries) == 1  # filled by the command: only the targets are read
