"""Grammar-based fuzzing of the SensorThings API 1.1 on a live server (Hypothesis).

The generators follow the grammar of the standard's query options (OGC 18-088, section 9.3):
`$filter` expressions (comparisons, logical operators, arithmetic, string, date, math and geo
functions over property paths, also through navigation properties), `$expand` with nested
options, `$orderby`, `$select`, `$top`, `$skip`, `$count`, `$resultFormat` — with valid and
odd values mixed in (huge numbers, extreme dates, unbalanced parentheses, unknown properties,
control characters, lone surrogates in percent-encoding). Bodies are entities to create (POST)
with the lab token given, mostly well-formed, some not.

A request fails the run when the server answers 5xx, answers an error that is not the
standard's error JSON, or takes longer than --max-response-time. The figures (requests,
failures) are printed as one JSON line at the end.

    python fuzz/sta_grammar.py --url http://127.0.0.1:8770 [--lab-key KEY] \\
        [--max-examples 200] [--max-time 60]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from urllib.parse import quote

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ENTITY_SETS = ["Things", "Locations", "HistoricalLocations", "Datastreams", "Sensors",
               "ObservedProperties", "Observations", "FeaturesOfInterest"]
# Navigation properties of each entity type (to-one singular, to-many plural).
NAVIGATION = {
    "Things": ["Locations", "HistoricalLocations", "Datastreams"],
    "Locations": ["Things", "HistoricalLocations"],
    "HistoricalLocations": ["Thing", "Locations"],
    "Datastreams": ["Thing", "Sensor", "ObservedProperty", "Observations"],
    "Sensors": ["Datastreams"],
    "ObservedProperties": ["Datastreams"],
    "Observations": ["Datastream", "FeatureOfInterest"],
    "FeaturesOfInterest": ["Observations"],
}
SET_OF = {"Thing": "Things", "Sensor": "Sensors", "ObservedProperty": "ObservedProperties",
          "Datastream": "Datastreams", "FeatureOfInterest": "FeaturesOfInterest"}
PROPERTIES = {
    "Things": ["id", "name", "description", "properties/owner", "properties"],
    "Locations": ["id", "name", "description", "encodingType", "location"],
    "HistoricalLocations": ["id", "time"],
    "Datastreams": ["id", "name", "description", "observationType", "phenomenonTime",
                    "resultTime", "unitOfMeasurement/symbol", "observedArea", "properties/x"],
    "Sensors": ["id", "name", "description", "encodingType", "metadata"],
    "ObservedProperties": ["id", "name", "definition", "description"],
    "Observations": ["id", "phenomenonTime", "resultTime", "result", "validTime",
                     "resultQuality", "parameters/depth"],
    "FeaturesOfInterest": ["id", "name", "description", "encodingType", "feature"],
}
# Values at and beyond the edges: numbers, texts, times, geometries.
ODD_NUMBERS = ["0", "-0", "1", "-1", "1.5", "1e308", "-1e308", "1e400", "9223372036854775807",
               "9223372036854775808", "99999999999999999999999", "0.0000001", "NaN", "INF",
               "1.7976931348623157E309"]
ODD_TEXTS = ["''", "'x'", "'O''Brien'", "'%'", "'_'", "'\\'", "'ä€😀'", "'" + "a" * 2000 + "'",
             "'\x01'", "'\u202e'", "''''", "'%00'", "'\ud800'"]
ODD_TIMES = ["2025-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
             "1970-01-01T00:00:00+14:00", "2025-02-30T00:00:00Z", "2025-01-01T00:00:00.123456Z",
             "2025-01-01T00:00:00-23:59", "2025-01-01"]
ODD_GEOMETRIES = ["geography'POINT(7.6 51.9)'", "geography'POLYGON((7 51,8 51,8 52,7 51))'",
                  "geography'POINT(1e400 0)'", "geography'LINESTRING(0 0)'", "geography'XYZ'",
                  "geography'POINT(180 90)'"]


def _path(entity_set: str, depth: int) -> st.SearchStrategy[str]:
    """A property path, possibly through navigation properties."""
    own = st.sampled_from(PROPERTIES[entity_set])
    if depth <= 0:
        return own

    def through(navigation: str) -> st.SearchStrategy[str]:
        target = SET_OF.get(navigation, navigation)
        return _path(target, depth - 1).map(lambda rest: f"{navigation}/{rest}")

    return st.one_of(own, st.sampled_from(NAVIGATION[entity_set]).flatmap(through))


def _literal() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_NUMBERS), st.sampled_from(ODD_TEXTS),
        st.sampled_from(ODD_TIMES), st.sampled_from(ODD_GEOMETRIES),
        st.sampled_from(["true", "false", "null"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.text(max_size=20).map(lambda text: "'" + text.replace("'", "''") + "'"),
    )


def _operand(entity_set: str) -> st.SearchStrategy[str]:
    path = _path(entity_set, 2)
    functions_of_one = ["length", "tolower", "toupper", "trim", "year", "month", "day", "hour",
                        "minute", "second", "fractionalseconds", "date", "time",
                        "totaloffsetminutes", "round", "floor", "ceiling", "st_length"]
    functions_of_two = ["substringof", "endswith", "startswith", "indexof", "concat",
                        "st_within", "st_intersects", "st_distance", "st_equals",
                        "geo.distance", "geo.intersects", "substring"]
    return st.one_of(
        path, _literal(),
        st.tuples(st.sampled_from(functions_of_one), path).map(lambda f: f"{f[0]}({f[1]})"),
        st.tuples(st.sampled_from(functions_of_two), path, _literal()).map(
            lambda f: f"{f[0]}({f[1]},{f[2]})"),
        st.tuples(path, st.sampled_from(["add", "sub", "mul", "div", "mod"]), _literal()).map(
            lambda f: f"({f[0]} {f[1]} {f[2]})"),
        st.sampled_from(["now()", "mindatetime()", "maxdatetime()"]),
    )


def filters(entity_set: str) -> st.SearchStrategy[str]:
    comparison = st.tuples(
        _operand(entity_set), st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
        _operand(entity_set)).map(" ".join)
    expression = st.recursive(
        st.one_of(comparison, _operand(entity_set)),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
            inner.map(lambda e: f"not {e}"), inner.map(lambda e: f"({e})"),
        ),
        max_leaves=6,
    )
    # Some that are not expressions at all.
    broken = st.sampled_from(["(", ")", "name eq", "eq eq eq", "((((((((((id))))))))))" * 20,
                              "id eq 1)", "'unterminated", "id in (1,2)", "$it", "any()"])
    # Mostly expressions of the grammar; some broken ones and some noise.
    return st.one_of(expression, expression, expression, broken, st.text(max_size=50))


def orderbys(entity_set: str) -> st.SearchStrategy[str]:
    item = st.tuples(_path(entity_set, 1), st.sampled_from(["", " asc", " desc", " up"])).map(
        "".join)
    return st.lists(item, min_size=1, max_size=4).map(",".join)


def selects(entity_set: str) -> st.SearchStrategy[str]:
    names = PROPERTIES[entity_set] + NAVIGATION[entity_set] + ["@iot.id", "nope", ""]
    return st.lists(st.sampled_from(names), min_size=1, max_size=5).map(",".join)


def counts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_NUMBERS), st.integers(-5, 100000).map(str),
                     st.integers(min_value=2**31, max_value=2**70).map(str))


def _options(entity_set: str, depth: int) -> st.SearchStrategy[dict]:
    """The query options of one level (top level or inside $expand)."""
    option = {
        "$filter": filters(entity_set), "$orderby": orderbys(entity_set),
        "$select": selects(entity_set), "$top": counts(), "$skip": counts(),
        "$count": st.sampled_from(["true", "false", "TRUE", "1", ""]),
    }
    if depth > 0:
        option["$expand"] = expands(entity_set, depth - 1)
    return st.dictionaries(st.sampled_from(sorted(option)), st.just(None), max_size=4).flatmap(
        lambda chosen: st.fixed_dictionaries({name: option[name] for name in chosen}))


def expands(entity_set: str, depth: int = 2) -> st.SearchStrategy[str]:
    def one(navigation: str) -> st.SearchStrategy[str]:
        target = SET_OF.get(navigation, navigation)
        nested = _options(target, depth).map(
            lambda options: ";".join(f"{k}={v}" for k, v in options.items()))
        return nested.map(lambda inner: f"{navigation}({inner})" if inner else navigation)

    item = st.one_of(st.sampled_from(NAVIGATION[entity_set]).flatmap(one),
                     st.sampled_from(["Nope", "Things/Datastreams", "Datastreams/Observations",
                                      ""]))
    return st.lists(item, min_size=1, max_size=3).map(",".join)


def _encode(value: str) -> str:
    # Lone surrogates cannot be encoded as UTF-8: send them the way a broken client would.
    return quote(value.encode("utf-8", "surrogatepass"), safe="$(),;=/'")


def read_requests() -> st.SearchStrategy[str]:
    """Paths with query strings: an entity set, one entity, or a navigation from it."""
    def for_set(entity_set: str) -> st.SearchStrategy[str]:
        base = st.one_of(
            st.just(entity_set),
            st.sampled_from(["1", "2", "0", "-1", "99999999999999999999", "'x'", "1.5", ""]).map(
                lambda id_: f"{entity_set}({id_})"),
            st.sampled_from(NAVIGATION[entity_set]).map(lambda nav: f"{entity_set}(1)/{nav}"),
            st.just(f"{entity_set}(1)/$ref"), st.just(f"{entity_set}/$ref"),
        )
        options = _options(entity_set, 2).map(
            lambda opts: "&".join(f"{k}={_encode(v)}" for k, v in opts.items()))
        with_format = st.sampled_from(["", "&$resultFormat=dataArray", "&$resultFormat=csv",
                                       "&$resultFormat=x"])
        return st.tuples(base, options, with_format).map(
            lambda parts: f"{parts[0]}?{parts[1]}{parts[2]}")

    return st.sampled_from(ENTITY_SETS).flatmap(for_set)


def _json_values() -> st.SearchStrategy:
    return st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                  st.floats(allow_nan=False), st.text(max_size=30),
                  st.sampled_from(ODD_TIMES)),
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(st.text(max_size=10), inner, max_size=4)),
        max_leaves=10)


def write_requests() -> st.SearchStrategy[tuple[str, object]]:
    """(path, body) of creations: observations of datastream 1 and others, things with
    inline locations and datastreams, and bodies of the wrong shape."""
    observation = st.fixed_dictionaries({
        "result": _json_values(),
        "phenomenonTime": st.one_of(st.sampled_from(ODD_TIMES), st.text(max_size=30)),
    }, optional={"resultTime": st.sampled_from(ODD_TIMES + [None]),
                 "parameters": _json_values(),
                 "Datastream": st.fixed_dictionaries({"@iot.id": st.one_of(
                     st.integers(-1, 10), st.integers(2**40, 2**70), st.text(max_size=5))})})
    thing = st.fixed_dictionaries({
        "name": st.text(max_size=40), "description": st.text(max_size=40),
    }, optional={"properties": _json_values(),
                 "Locations": st.lists(st.fixed_dictionaries({
                     "name": st.text(max_size=10), "description": st.text(max_size=10),
                     "encodingType": st.sampled_from(["application/geo+json", "text/plain"]),
                     "location": st.one_of(st.just({"type": "Point", "coordinates": [7.6, 51.9]}),
                                           _json_values())}), max_size=2)})
    return st.one_of(
        st.tuples(st.sampled_from(["Observations", "Datastreams(1)/Observations",
                                   "Datastreams(2)/Observations", "Datastreams(0)/Observations",
                                   "FeaturesOfInterest(1)/Observations"]), observation),
        st.tuples(st.just("Things"), thing),
        st.tuples(st.sampled_from(ENTITY_SETS + ["CreateObservations", "$batch"]),
                  _json_values()),
    )


class TimeIsUp(Exception):
    """Ends a part of the run when its time is spent (Hypothesis stops at the exception)."""


class Run:
    def __init__(self, url: str, lab_key: str | None, max_response_time: float):
        self.url = url.rstrip("/") + "/sta/v1.1/"
        self.session = requests.Session()
        self.lab_key = lab_key
        self.max_response_time = max_response_time
        self.requests = 0
        self.failures: list[str] = []

    def check(self, method: str, path: str, response: requests.Response, elapsed: float):
        self.requests += 1
        where = f"{method} /sta/v1.1/{path[:300]} → {response.status_code}"
        if response.status_code >= 500:
            self.failures.append(f"{where}: server error: {response.text[:300]}")
        elif response.status_code >= 400:
            try:
                body = response.json()
                assert isinstance(body, dict) and isinstance(body.get("message"), str)
            except (ValueError, AssertionError):
                self.failures.append(f"{where}: error is not SensorThings error JSON: "
                                     f"{response.text[:200]!r}")
        if elapsed > self.max_response_time:
            self.failures.append(f"{where}: took {elapsed:.1f} s")

    def get(self, path: str, auth: bool):
        headers = {"Authorization": f"Bearer {self.lab_key}"} if auth and self.lab_key else {}
        started = time.monotonic()
        response = self.session.get(self.url + path, headers=headers, timeout=60)
        self.check("GET", path, response, time.monotonic() - started)

    def post(self, path: str, body):
        headers = {"Authorization": f"Bearer {self.lab_key}", "Content-Type": "application/json"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        started = time.monotonic()
        response = self.session.post(self.url + path, data=data, headers=headers, timeout=60)
        self.check("POST", path, response, time.monotonic() - started)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--lab-key")
    parser.add_argument("--max-examples", type=int, default=200)
    parser.add_argument("--max-time", type=float, default=60.0,
                        help="Seconds for the whole run; examples stop when it is spent.")
    parser.add_argument("--max-response-time", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    run = Run(args.url, args.lab_key, args.max_response_time)
    deadline = time.monotonic() + args.max_time
    # Generation only: no shrinking (it would repeat requests past the time budget) and no
    # example database (a CI run starts clean).
    options = settings(max_examples=args.max_examples, deadline=None, database=None,
                       phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    budgets = [("reads as anonymous", 0.4), ("reads with the lab token", 0.7), ("writes", 1.0)]
    started = time.monotonic()

    def within(share: float):
        # Each part ends when its share of the time is spent (or after max_examples).
        if time.monotonic() > min(deadline, started + share * args.max_time):
            raise TimeIsUp

    @options
    @given(read_requests())
    def anonymous_reads(path):
        within(0.4)
        run.get(path, auth=False)

    @options
    @given(read_requests())
    def lab_reads(path):
        within(0.7)
        run.get(path, auth=True)

    @options
    @given(write_requests())
    def writes(request):
        within(1.0)
        run.post(*request)

    if args.seed is not None:
        anonymous_reads, lab_reads, writes = (
            seed(args.seed)(test) for test in (anonymous_reads, lab_reads, writes))
    for (name, _share), test in zip(budgets, [anonymous_reads, lab_reads, writes], strict=True):
        if name != "reads as anonymous" and not args.lab_key:
            continue
        with contextlib.suppress(TimeIsUp):
            test()
    figures = {"requests": run.requests, "failures": len(run.failures),
               "seconds": round(time.monotonic() - started, 1)}
    for failure in run.failures[:50]:
        print("FAIL", failure)
    print(json.dumps(figures))
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
