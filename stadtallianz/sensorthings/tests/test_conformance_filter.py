"""SensorThings 1.1 conformance of $filter: every date function on a null and a non-null time
(the null one is left out, never a 500) on both databases; paths through more than one to-many
navigation, also compared with the entity's own properties."""

from datetime import UTC, datetime

import pytest

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1/"
SET = datetime(2026, 5, 1, 10, 30, 15, 750000, tzinfo=UTC)
# Each function with a comparison that the set time satisfies, and its negation that it does
# not: a null time satisfies neither.
FUNCTIONS = [
    ("year({})", "eq 2026", "ne 2026"),
    ("month({})", "eq 5", "ne 5"),
    ("day({})", "eq 1", "lt 1"),
    ("hour({})", "eq 10", "gt 10"),
    ("minute({})", "ge 30", "lt 30"),
    ("second({})", "eq 15", "ne 15"),
    ("fractionalseconds({})", "gt 0.4", "lt 0.4"),
    ("fractionalseconds({})", "eq 0.75", "ne 0.75"),
    ("date({})", "eq 2026-05-01", "ne 2026-05-01"),
    ("time({})", "gt 10:00:00", "lt 10:00:00"),
    ("totaloffsetminutes({})", "eq 0", "ne 0"),
    ("mindatetime({})", "le 2026-05-01T10:30:15.75Z", "gt 2026-05-01T10:30:15.75Z"),
    ("maxdatetime({})", "ge 2026-05-01T10:30:15Z", "lt 2026-05-01T10:30:15Z"),
    ("year({}) add 1", "eq 2027", "ne 2027"),
]
# (entity set, time property, whether it is an interval)
TIMES = [("Observations", "resultTime", False), ("Observations", "validTime", True),
         ("Datastreams", "phenomenonTime", True), ("Datastreams", "resultTime", True)]


@pytest.fixture
def two(lab, make_datastream, observe):
    """Two observations and two datastreams: one with the time set, one with it null."""
    with_time = make_datastream(lab, name="Mit", privacy_level=PrivacyLevel.PUBLIC,
                                phenomenon_time_start=SET, phenomenon_time_end=SET,
                                result_time_start=SET, result_time_end=SET)
    without = make_datastream(lab, name="Ohne", privacy_level=PrivacyLevel.PUBLIC)
    [timed] = observe(with_time, [1.0])
    [untimed] = observe(without, [2.0])
    sta.Observation.objects.filter(pk=timed.pk).update(result_time=SET, valid_time_start=SET,
                                                       valid_time_end=SET)
    sta.Observation.objects.filter(pk=untimed.pk).update(result_time=None, valid_time_start=None,
                                                         valid_time_end=None)
    return {"Observations": (timed.pk, untimed.pk), "Datastreams": (with_time.pk, without.pk)}


# mindatetime and maxdatetime take an interval only.
CASES = [(*time, *function) for time in TIMES for function in FUNCTIONS
         if time[2] or not function[0].startswith(("mindatetime", "maxdatetime"))]


@pytest.mark.parametrize("entity_set, prop, interval, function, holds, fails", CASES)
def test_date_functions_leave_out_null_times_and_never_fail(client, two, function, holds,
                                                            fails, entity_set, prop, interval):
    timed, untimed = two[entity_set]
    expression = function.format(prop)

    def ids(condition):
        response = client.get(ROOT + entity_set, {"$filter": condition, "$select": "id"})
        assert response.status_code == 200, (condition, response.content)
        return {row["@iot.id"] for row in response.json()["value"]}

    assert ids(f"{expression} {holds}") == {timed}
    assert ids(f"{expression} {fails}") == set()
    # Ordering by the function never fails either (nulls somewhere, but a 200).
    response = client.get(ROOT + entity_set, {"$orderby": expression})
    assert response.status_code == 200, response.content


def test_paths_through_several_to_many_navigations(client, lab, make_datastream):
    """On Things: HistoricalLocations/Locations (two to-many hops) compared with a literal, with
    the thing's own properties, and two different to-many navigations in one comparison."""
    first = make_datastream(lab, name="Eins", privacy_level=PrivacyLevel.PUBLIC)
    second = make_datastream(lab, name="Zwei", privacy_level=PrivacyLevel.PUBLIC)
    things = {}
    for stream, field in ((first, "Nord"), (second, "Süd")):
        thing = stream.thing
        thing.properties = {"field": field}
        thing.save()
        location = thing.locations.get()
        location.properties = {"field": "Nord"}
        location.save()
        historical = sta.HistoricalLocation.objects.create(thing=thing, time=SET)
        historical.locations.add(location)
        things[field] = thing.pk

    def ids(condition, entity_set="Things"):
        response = client.get(ROOT + entity_set, {"$filter": condition})
        assert response.status_code == 200, (condition, response.content)
        return {row["@iot.id"] for row in response.json()["value"]}

    assert ids("HistoricalLocations/Locations/properties/field eq 'Nord'") == set(
        things.values())
    assert ids("HistoricalLocations/Locations/properties/field eq properties/field") == {
        things["Nord"]}
    assert ids("properties/field ne HistoricalLocations/Locations/properties/field") == {
        things["Süd"]}
    assert ids("Datastreams/name eq 'Eins' and Locations/properties/field eq "
               "properties/field") == {things["Nord"]}
    assert ids("Locations/name eq Datastreams/Thing/Locations/name") == set(things.values())
    assert ids("Datastreams/Observations/id eq Locations/id") <= set(things.values())
    assert ids("Things/HistoricalLocations/time eq 2026-05-01T10:30:15.75Z and "
               "Things/properties/field eq properties/field", "Locations") == {
        first.thing.locations.get().pk}


def test_correlated_paths_keep_the_privacy_rules(client, lab, make_datastream, observe):
    """A comparison of a to-many path with the entity's own property sees only what the caller
    may read: a restricted datastream and the raw values of an aggregated one stay hidden."""
    hidden = make_datastream(lab, name="Geheim", privacy_level=PrivacyLevel.RESTRICTED)
    hidden.thing.name = "Geheim"
    hidden.thing.properties = {"level": 7}
    hidden.thing.save()
    observe(hidden, [7.0])
    shown = make_datastream(lab, name="Offen", privacy_level=PrivacyLevel.PUBLIC)
    shown.thing.name = "Offen"
    shown.thing.save()

    def ids(condition, entity_set="Things"):
        response = client.get(ROOT + entity_set, {"$filter": condition})
        assert response.status_code == 200, (condition, response.content)
        return {row["@iot.id"] for row in response.json()["value"]}

    assert ids("Datastreams/name eq name") == {shown.thing_id}
    assert ids("Datastreams/Observations/result eq properties/level") == set()
    assert ids("Locations/name eq 'Boje' and Datastreams/Thing/name eq name") == {
        shown.thing_id}


# Paths through to-many navigations, combined with the entity's own values in each way an
# expression can: every answer is a 200 or a 400 naming the problem, never a 500.
MANY = {"Things": ["Datastreams/Observations/result", "Locations/location",
                   "HistoricalLocations/time", "Datastreams/properties"],
        "Datastreams": ["Observations/result", "Observations/parameters",
                        "Observations/FeatureOfInterest/feature"],
        "Locations": ["Things/properties", "Things/Datastreams/name"],
        "Observations": ["Datastream/Thing/Locations/location",
                         "Datastream/Thing/Datastreams/name"]}
OWN = ["properties", "properties/depth", "name", "id", "phenomenonTime", "observedArea",
       "result", "location", "time"]
SHAPES = ["{a} eq {b}", "{a} add 1 gt {b}", "length({a}) eq length({b})",
          "st_within({a}, {b})", "year({a}) eq year({b})", "not ({a} eq {b})",
          "{a} sub {b} gt duration'P1D'", "{a} eq null and {b} ne null"]


@pytest.mark.parametrize("entity_set", sorted(MANY))
def test_correlated_comparisons_never_fail(client, lab, make_datastream, observe, settings,
                                           entity_set):
    settings.ANON_READ_RATE = ""
    observe(make_datastream(lab, properties={"depth": 2}), [1.0, "text", {"a": 1}])
    failures = []
    for many in MANY[entity_set]:
        for own in OWN:
            for shape in SHAPES:
                for a, b in ((many, own), (own, many)):
                    expression = shape.format(a=a, b=b)
                    response = client.get(ROOT + entity_set, {"$filter": expression})
                    if response.status_code not in (200, 400):
                        failures.append((expression, response.status_code))
    assert not failures, failures[:10]
