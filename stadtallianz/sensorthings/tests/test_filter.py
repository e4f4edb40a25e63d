"""$filter: every operator and function family, navigation paths, JSON properties, result,
geospatial functions, and errors that name the problem and its position."""

from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.sensorthings import models as sta

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


@pytest.fixture
def setup(lab, make_datastream, observe):
    water = make_datastream(lab, name="Wassertemperatur", properties={"depth": 2, "kind": "see"})
    air = make_datastream(lab, name="Luftqualität", properties={"depth": 10, "kind": "luft"})
    air.thing.properties = {"owner": "Stadtwerke"}
    air.thing.save()
    far = sta.Location.objects.create(lab=lab, name="Hafen", description="Hafenbecken",
                                      location={"type": "Point", "coordinates": [7.64, 51.95]})
    air.thing.locations.set([far])
    observe(water, [20.5, 21.0, 19.5, 18.0])
    observe(air, [5, 7, "defekt"], start=datetime(2026, 3, 2, 12, 30, 15, tzinfo=UTC))
    return {"water": water, "air": air}


def names(client, path, params=None):
    response = client.get(f"{ROOT}/{path}", params)
    assert response.status_code == 200, response.content
    return [item.get("name", item.get("result")) for item in response.json()["value"]]


def results(client, query):
    name, _sep, value = query.partition("=")
    return names(client, "Observations", {"$orderby": "id", name: value})


@pytest.mark.parametrize("query,expected", [
    ("$filter=result gt 19", [20.5, 21.0, 19.5]),
    ("$filter=result ge 20.5 and result le 21", [20.5, 21.0]),
    ("$filter=result lt 6 or result eq 21", [21.0, 5]),
    # Not a number is not "ge 7", so "not" keeps the text result.
    ("$filter=not (result ge 7)", [5, "defekt"]),
    ("$filter=result ne 20.5 and result lt 20", [19.5, 18.0, 5, 7]),
    ("$filter=result eq 'defekt'", ["defekt"]),
    ("$filter=result add 1 gt 21", [20.5, 21.0]),
    ("$filter=result sub 1 eq 20", [21.0]),
    ("$filter=result mul 2 eq 42", [21.0]),
    ("$filter=result div 2 eq 2.5", [5]),
    ("$filter=result mod 2 eq 1", [21.0, 5, 7]),
    ("$filter=(result add 1) mul 2 eq 16", [7]),
    ("$filter=round(result) eq 20", [19.5]),
    ("$filter=floor(result) eq 19", [19.5]),
    ("$filter=ceiling(result) eq 21", [20.5, 21.0]),
    ("$filter=-5 lt result sub 25", [20.5, 21.0]),
])
def test_comparison_logic_and_arithmetic(client, setup, query, expected):
    assert results(client, query) == expected


@pytest.mark.parametrize("query,expected", [
    ("$filter=phenomenonTime ge 2026-03-01T00:10:00Z and phenomenonTime lt 2026-03-01T00:30:00Z",
     [21.0, 19.5]),
    ("$filter=phenomenonTime eq 2026-03-01T00:00:00Z", [20.5]),
    ("$filter=phenomenonTime gt 2026-03-01T01:25:00+01:00", [18.0, 5, 7, "defekt"]),
    ("$filter=phenomenonTime gt 2026-02-28T23:15:00-01:00", [19.5, 18.0, 5, 7, "defekt"]),
    ("$filter=year(phenomenonTime) eq 2026 and day(phenomenonTime) eq 2", [5, 7, "defekt"]),
    ("$filter=month(phenomenonTime) eq 3 and hour(phenomenonTime) eq 12 and "
     "minute(phenomenonTime) eq 40", [7]),
    ("$filter=second(phenomenonTime) eq 15", [5, 7, "defekt"]),
    ("$filter=fractionalseconds(phenomenonTime) eq 0 and day(phenomenonTime) eq 1",
     [20.5, 21.0, 19.5, 18.0]),
    ("$filter=date(phenomenonTime) eq 2026-03-02", [5, 7, "defekt"]),
    ("$filter=time(phenomenonTime) eq 12:40:15", [7]),
    ("$filter=time(phenomenonTime) ge 00:20 and time(phenomenonTime) lt 12:00", [19.5, 18.0]),
    ("$filter=totaloffsetminutes(phenomenonTime) eq 0 and result eq 5", [5]),
    ("$filter=phenomenonTime lt now()", [20.5, 21.0, 19.5, 18.0, 5, 7, "defekt"]),
    ("$filter=phenomenonTime gt now()", []),
    ("$filter=phenomenonTime add duration'PT20M' gt 2026-03-01T00:35:00Z and "
     "day(phenomenonTime) eq 1", [19.5, 18.0]),
    ("$filter=phenomenonTime sub duration'P1D' lt 2026-03-01T00:00:00Z", [20.5, 21.0, 19.5,
                                                                           18.0]),
    ("$filter=resultTime eq 2026-03-01T00:20:00Z", [19.5]),
    # Quoted times and lower-case durations, as clients written for other servers send them.
    ("$filter=phenomenonTime gt '2026-03-02T00:00:00.000Z'", [5, 7, "defekt"]),
    ("$filter=phenomenonTime gt 2026-03-02T12:40:15Z sub duration'pt1m'", [7, "defekt"]),
    ("$filter=mindatetime(phenomenonTime) eq 2026-03-01T00:00:00Z", [20.5]),
    ("$filter=phenomenonTime gt mindatetime() and phenomenonTime lt maxdatetime() and "
     "result eq 7", [7]),
])
def test_times(client, setup, query, expected):
    assert results(client, query) == expected


def test_interval_semantics(client, lab, make_datastream, observe):
    windows = make_datastream(lab, name="Fenster")
    observe(windows, [(2, 10.0), (2, 30.0)], start=datetime(2026, 3, 1, tzinfo=UTC),
            step=timedelta(hours=1))
    # The first window is [00:00, 01:00): before 01:00 (lt uses the end), not before 00:30.
    assert results(client, "$filter=phenomenonTime le 2026-03-01T01:00:00Z") == [5.0]
    assert results(client, "$filter=phenomenonTime lt 2026-03-01T00:30:00Z") == []
    assert results(client, "$filter=phenomenonTime ge 2026-03-01T01:00:00Z") == [15.0]


@pytest.mark.parametrize("query,expected", [
    ("$filter=name eq 'Luftqualität'", ["Luftqualität"]),
    ("$filter=substringof('wasser', tolower(name))", ["Wassertemperatur"]),
    ("$filter=startswith(name, 'Luft')", ["Luftqualität"]),
    ("$filter=endswith(name, 'tur')", ["Wassertemperatur"]),
    ("$filter=length(name) eq 16", ["Wassertemperatur"]),
    ("$filter=indexof(name, 'temp') eq 6", ["Wassertemperatur"]),
    ("$filter=substring(name, 6) eq 'temperatur'", ["Wassertemperatur"]),
    ("$filter=substring(name, 0, 4) eq 'Luft'", ["Luftqualität"]),
    ("$filter=startswith(toupper(name), 'LUFTQ')", ["Luftqualität"]),
    ("$filter=trim(concat(' ', name)) eq 'Luftqualität'", ["Luftqualität"]),
    ("$filter=concat(concat(name, '-'), 'x') eq 'Luftqualität-x'", ["Luftqualität"]),
    ("$filter=name eq 'O''Brien'", []),
    ("$filter=startswith(name, '%')", []),
    ("$filter=properties/depth gt 5", ["Luftqualität"]),
    ("$filter=properties/kind eq 'see'", ["Wassertemperatur"]),
    ("$filter=Thing/properties/owner eq 'Stadtwerke'", ["Luftqualität"]),
    ("$filter=Thing/name eq 'Messstation Luftqualität'", ["Luftqualität"]),
    ("$filter=ObservedProperty/name eq 'Temperatur' and Sensor/name eq 'PT100'",
     ["Wassertemperatur", "Luftqualität"]),
    ("$filter=Thing/Locations/name eq 'Hafen'", ["Luftqualität"]),
    ("$filter=Observations/result eq 'defekt'", ["Luftqualität"]),
    ("$filter=Observations/result gt 20", ["Wassertemperatur"]),
    ("$filter=not (Observations/result gt 20)", ["Luftqualität"]),
    ("$filter=id eq {water}", ["Wassertemperatur"]),
    ("$filter=@iot.id eq {air}", ["Luftqualität"]),
    ("$filter=phenomenonTime eq null", ["Wassertemperatur", "Luftqualität"]),
    ("$filter=properties/missing eq null", ["Wassertemperatur", "Luftqualität"]),
    ("$filter=description ne null and true", ["Wassertemperatur", "Luftqualität"]),
])
def test_strings_paths_and_json(client, setup, query, expected):
    query = query.format(water=setup["water"].id, air=setup["air"].id)
    assert names(client, f"Datastreams?$orderby=id&{query}") == expected


@pytest.mark.parametrize("query,expected", [
    ("$filter=Datastream/name eq 'Luftqualität'", [5, 7, "defekt"]),
    ("$filter=Datastream/Thing/name eq 'Messstation Wassertemperatur' and result lt 20",
     [19.5, 18.0]),
    ("$filter=Datastream/properties/depth eq 10 and result ne 'defekt'", [5, 7]),
    ("$filter=Datastream/Thing/Locations/name eq 'Hafen' and result eq 7", [7]),
    ("$filter=FeatureOfInterest/name eq 'Ort Luftqualität' and result eq 5", [5]),
])
def test_observation_paths(client, setup, query, expected):
    assert results(client, query) == expected


HAFEN_BOX = "POLYGON((7.63 51.94, 7.65 51.94, 7.65 51.96, 7.63 51.96, 7.63 51.94))"


@pytest.mark.parametrize("path,expected", [
    (f"Locations?$filter=st_within(location, geography'{HAFEN_BOX}')", ["Hafen"]),
    (f"Locations?$filter=st_intersects(location, geography'{HAFEN_BOX}')", ["Hafen"]),
    (f"Locations?$filter=geo.intersects(location, geography'{HAFEN_BOX}')", ["Hafen"]),
    (f"Locations?$filter=st_disjoint(location, geography'{HAFEN_BOX}')", ["Boje", "Boje"]),
    (f"Locations?$filter=st_contains(geography'{HAFEN_BOX}', location)", ["Hafen"]),
    ("Locations?$filter=st_equals(location, geography'POINT(7.64 51.95)')", ["Hafen"]),
    ("Locations?$filter=st_touches(location, geography'POINT(7.64 51.95)')", []),
    ("Locations?$filter=st_overlaps(location, geography'POINT(7.64 51.95)')", []),
    ("Locations?$filter=st_crosses(location, geography'LINESTRING(7 51, 8 52)')", []),
    ("Locations?$filter=st_relate(location, geography'POINT(7.64 51.95)', 'T********')",
     ["Hafen"]),
    ("Locations?$filter=geo.distance(location, geography'POINT(7.64 51.95)') lt 0.001",
     ["Hafen"]),
    ("Locations?$filter=geo.distance(location, geography'POINT(7.64 51.95)') gt 0.01",
     ["Boje", "Boje"]),
    ("Locations?$filter=geo.length(location) eq 0", ["Boje", "Boje", "Hafen"]),
    (f"Things?$filter=st_within(Locations/location, geography'{HAFEN_BOX}')",
     ["Messstation Luftqualität"]),
    (f"Datastreams?$filter=st_within(Thing/Locations/location, geography'{HAFEN_BOX}')",
     ["Luftqualität"]),
    (f"FeaturesOfInterest?$filter=st_within(feature, geography'{HAFEN_BOX}')", []),
])
def test_geospatial(client, setup, path, expected):
    separator = "&" if "?" in path else "?"
    assert names(client, f"{path}{separator}$orderby=id") == expected


def test_geojson_members_as_qgis_filters_them(client, setup, lab):
    sta.Location.objects.create(
        lab=lab, name="Seeufer", description="Uferlinie", encoding_type="application/geo+json",
        location={"type": "Feature", "properties": {},
                  "geometry": {"type": "LineString", "coordinates": [[7.6, 51.9], [7.7, 51.9]]}})
    qgis_points = "location/type eq 'Point' or location/geometry/type eq 'Point'"
    assert names(client, "Locations", {"$filter": qgis_points, "$orderby": "id"}) == [
        "Boje", "Boje", "Hafen"]
    qgis_lines = "location/type eq 'LineString' or location/geometry/type eq 'LineString'"
    assert names(client, "Locations", {"$filter": qgis_lines}) == ["Seeufer"]
    assert names(client, "Things", {"$filter": "Locations/location/type eq 'LineString'"}) == []
    response = client.get(f"{ROOT}/Locations", {"$filter": "name/first eq 'x'"})
    assert "name has no sub-properties" in response.json()["message"]


def test_geospatial_through_observations(client, setup):
    box = "POLYGON((7.60 51.95, 7.61 51.95, 7.61 51.96, 7.60 51.96, 7.60 51.95))"
    assert results(client, f"$filter=st_within(FeatureOfInterest/feature, geography'{box}') "
                           "and result gt 20") == [20.5, 21.0]


@pytest.mark.parametrize("text,fragment", [
    ("name eq", "expected a value, property or function but found 'the end' (at position 8)"),
    ("name eq 'x", "a string is not closed (at position 9)"),
    ("(name eq 'x'", "expected ')' but found 'the end'"),
    ("name eq 'x')", "unexpected ')' (at position 12)"),
    ("colour eq 'x'", "Datastream has no property or navigation 'colour' (at position 1)"),
    ("Thing/colour eq 'x'", "Thing has no property or navigation 'colour'"),
    ("name gt 5", "cannot compare a string with a number (at position 6)"),
    ("phenomenonTime gt 'gestern'", "cannot compare a time with a string"),
    ("frobnicate(name) eq 1", "unknown function 'frobnicate' (at position 1)"),
    ("length(name, name) eq 1", "length takes 1 argument(s), not 2"),
    ("length(id) eq 1", "length needs a string, not a number"),
    ("name", "the expression is not a condition"),
    ("name eq 'a' and", "expected a value"),
    ("eq 1", "the operator 'eq' lacks its left operand"),
    ("st_within(location, geography'POLYGON((1 2')", "is not a valid WKT geometry"),
    ("name eq duration'P1X'", "is not an ISO 8601 duration"),
    ("name # 1", "unexpected character '#'"),
    ("Observations eq 1", "is a collection"),
    ("Thing eq 1", "is an entity"),
    ("phenomenonTime eq 2026-13-01T00:00:00Z", "is not a valid date or time"),
    ("name lt null", "null can only be compared with eq or ne"),
])
def test_errors_name_problem_and_position(client, setup, text, fragment):
    response = client.get(f"{ROOT}/Datastreams", {"$filter": text})
    assert response.status_code == 400, response.content
    assert fragment in response.json()["message"], response.json()["message"]


def test_values_are_parameters_not_sql(client, setup):
    """A quote or SQL in a literal is a literal: it matches nothing and breaks nothing."""
    query = {"$filter": "name eq 'x'' OR 1=1 --'"}
    response = client.get(f"{ROOT}/Datastreams", query)
    assert response.status_code == 200
    assert response.json()["value"] == []
    assert sta.Datastream.objects.count() == 2
