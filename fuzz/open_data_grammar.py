"""Grammar-based fuzzing of the open-data surfaces on a live server (Hypothesis).

What real clients and attackers send to the addresses that /api/v1's OpenAPI document and the
SensorThings grammar do not cover:

- CKAN's action API (/api/3/action/<name> and /api/action/<name>): GET with the parameters in
  the query string, POST with a JSON body or form fields. `q` and `fq` follow Solr's syntax
  (terms, phrases with escapes, `field:value`, `field:(a OR b)`, ranges `[from TO to]` over
  odd dates, AND/OR/NOT/!/&&/||/+/-, nesting past the limit); `rows`, `start`, `limit`,
  `offset`, `facet.limit` as numbers beyond 64 bits, negative, fractions and words; `sort` with
  unknown fields; `facet.field` as a word, as JSON of the wrong types and as broken JSON; bodies
  that are broken JSON, JSON arrays or scalars, nested past the parser's depth, too big, or of
  the wrong content type (multipart without a boundary); too many query parameters.
- The DCAT-AP.de catalogue (/dcat/catalog, .ttl/.rdf/.jsonld, ?page=, ?per_page=, Accept
  negotiation) and dataset records.
- oEmbed (/oembed?url=&format=&maxwidth=&maxheight=) for pages of every kind, of other hosts,
  and addresses that are no URL at all.
- The feeds (/<lang>/feeds/<kind>.rss|.atom), the widgets (/<lang>/embed/...), the catalogue
  pages with their filters (/<lang>/data/?q=&theme=&...) and the downloads.

Every value is mixed with odd ones: unicode, control characters, NUL, lone surrogates (percent-
encoded in a URL, escaped in JSON), very long texts. Real names (datasets, resources,
organisations, tags, projects, labs, partners) are read from the server first (package_list,
current_package_list_with_resources, organization_list, the sitemap), so that the requests
reach beyond "not found".

A request fails the run when the server answers 5xx (oEmbed's 501 for a format it does not
serve excepted) or takes longer than --max-response-time; for CKAN when the answer is not
CKAN's JSON envelope (`success` true with a `result`, or `success` false with an `error` whose
`__type` belongs to its status: 400 Bad Request, 403 Authorization Error, 404 Not Found Error,
409 Validation Error, 429 Too Many Requests; 405 only for a method other than GET and POST);
for DCAT when an error is not a clean 4xx (a status of the catalogue's own, in plain text, not
the site's HTML page); for oEmbed when an address of another host is embedded. The figures
(requests, failures) are printed as one JSON line at the end.

    python fuzz/open_data_grammar.py --url http://127.0.0.1:8770 \\
        [--max-examples 200] [--max-time 60]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import re
import sys
import time
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

LANGUAGES = ["de", "en"]
ACTIONS = ["status_show", "site_read", "package_list", "package_search", "package_show",
           "resource_show", "current_package_list_with_resources", "organization_list",
           "organization_show", "group_list", "group_show", "tag_list", "license_list",
           "help_show"]
# Actions of a full CKAN that this read-only subset does not have, and names that are no names.
UNKNOWN_ACTIONS = ["package_create", "package_patch", "user_list", "dashboard_activity_list",
                   "Package_Search", "package_search ", "package_search/", "", "ÿ", "%00",
                   "%ED%A0%80", "a" * 300, "..%2F..%2Fetc%2Fpasswd", "help_show.json"]
CKAN_PREFIXES = ["/api/3/action/", "/api/action/"]
# CKAN's error types by status (ckan_views; 405 only for other methods than GET and POST).
CKAN_ERROR_TYPES = {400: {"Bad Request"}, 403: {"Authorization Error"},
                    404: {"Not Found Error"}, 409: {"Validation Error"},
                    429: {"Too Many Requests"}}
SOLR_FIELDS = ["organization", "owner_org", "groups", "tags", "res_format", "license_id",
               "metadata_modified", "metadata_created", "name", "id", "title", "notes", "text",
               "type", "state", "capacity", "private", "dataset_type"]
UNKNOWN_FIELDS = ["foo", "Organization", "res_format.x", "_x", "extras_theme", "a.b.c",
                  "vocab_tags", "score"]
SORT_FIELDS = ["score", "metadata_modified", "metadata_created", "name", "title",
               "title_string", "views_recent", "nope", "package_count", "id", ""]
FACET_FIELDS = ["organization", "groups", "tags", "res_format", "license_id", "license",
                "extras_theme", ""]
GROUPS = ["agri", "econ", "educ", "ener", "envi", "gove", "heal", "intr", "just", "regi",
          "soci", "tech", "tran", "TRAN", "xxxx"]
FORMATS = ["CSV", "csv", "JSON", "GEOJSON", "WMS", "Comma Separated Values", "XLSX",
           "http://publications.europa.eu/resource/authority/file-type/CSV", "?"]
LICENCES = ["dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "CC-BY-4.0", "notspecified",
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0", "odc-odbl"]
# Values at and beyond the edges.
ODD_NUMBERS = ["0", "-0", "1", "-1", "10", "1000", "1001", "1.5", "-1.5", "1e3", "1e400", "NaN",
               "Infinity", "0x10", "1_000", " 5 ", "+5", "٣", "999999999999999999",
               "1000000000000000000", "9223372036854775807", "9223372036854775808",
               "-9223372036854775809", "99999999999999999999999999999", "1" * 5000, "", "x",
               "true", "null", "[]", "{}"]
ODD_MOMENTS = ["*", "NOW", "NOW/DAY", "NOW-7DAYS", "NOW-1HOUR/HOUR", "NOW+999999YEARS",
               "NOW-999999DAYS", "NOW-999999MINUTES", "NOW+1MONTH", "NOW-7WEEKS", "NOW/YEAR",
               "2025-01-01T00:00:00Z", "2025-01-01", "2025-01-01T00:00:00", "0000-01-01T00:00:00Z",
               "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
               "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.999999-23:59",
               "2025-02-30T00:00:00Z", "2025-13-01", "2025-01-01T25:00:00Z", "20250101",
               "-2025-01-01", "+12025-01-01", "1e400", "garbage", "2025-01-01T00:00:00ZZ",
               "2025-W01-1", "2025-001", "１９７０-０１-０１"]
ODD_WORDS = ["Rad", "rad*", "*", "?", "Münster", "straße", "ä€😀", "O'Brien", "a\\:b", "a\\ b",
             "\\", "\\\\", "%", "_", "'", "\u202e", "\x01", "\x7f", "\t", "\x00", "\ud800",
             "\udfff", "\ufeff", "a" * 1200, "日本語", "ｆｕｌｌ", "&&", "||", "!", "~", "^2",
             "a~0.5", "TO", "AND", "or", "not", "NULL", "'; DROP TABLE x; --", "<script>",
             "../../etc/passwd"]


def _encode(value: str) -> str:
    # Lone surrogates cannot be encoded as UTF-8: send them the way a broken client would.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _query_string(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in params)


class Known:
    """Names the server has (read before the run), mixed into the generated values."""

    def __init__(self):
        self.datasets = ["demo", "x"]
        self.dataset_ids = ["00000000-0000-0000-0000-000000000000"]
        self.resources = ["00000000-0000-0000-0000-000000000000"]
        self.organisations = ["x"]
        self.organisation_ids = ["00000000-0000-0000-0000-000000000000"]
        self.tags = ["Radverkehr"]
        self.pages: list[str] = []  # paths of the site's pages (the sitemap)
        self.site_url = ""  # settings.SITE_URL: its pages are the site's own as well
        self.projects = ["x"]
        self.labs = ["x"]
        self.partners = ["x"]

    def read(self, session: requests.Session, url: str) -> None:
        def result(action: str, **params):
            try:
                body = session.get(f"{url}/api/3/action/{action}", params=params,
                                   timeout=60).json()
            except (requests.RequestException, ValueError):
                return None
            return body.get("result") if isinstance(body, dict) else None

        self.datasets += (result("package_list") or [])[:200]
        for package in result("current_package_list_with_resources", limit=100) or []:
            self.dataset_ids.append(package["id"])
            self.resources += [resource["id"] for resource in package.get("resources", [])]
            self.organisation_ids.append(package.get("owner_org") or "")
        for organisation in result("organization_list", all_fields="true") or []:
            self.organisations.append(organisation["name"])
            self.organisation_ids.append(organisation["id"])
        self.tags += (result("tag_list") or [])[:200]
        self.site_url = (result("status_show") or {}).get("site_url", "")
        try:
            sitemap = session.get(f"{url}/sitemap.xml", timeout=60).text
        except requests.RequestException:
            sitemap = ""
        for address in re.findall(r"<loc>([^<]+)</loc>", sitemap):
            path = urlsplit(address).path
            self.pages.append(path)
            for kind, names in (("projects", self.projects), ("living-labs", self.labs),
                                ("partners", self.partners)):
                found = re.fullmatch(rf"/(?:de|en)/{kind}/([-\w]+)/", path)
                if found:
                    names.append(found.group(1))
        self.pages = sorted(set(self.pages))[:2000] or ["/de/", "/en/"]


KNOWN = Known()


def _known(name: str) -> st.SearchStrategy[str]:
    """One of the server's names of this kind (read when the strategy draws, after Known.read)."""
    return st.deferred(lambda: st.sampled_from(getattr(KNOWN, name)))


def _odd_text(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_WORDS), st.text(max_size=max_size),
                     st.text(st.characters(codec="utf-8"), max_size=max_size))


def _number() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_NUMBERS), st.integers(-5, 2000).map(str),
                     st.integers(2**63 - 2, 2**70).map(str),
                     st.floats(allow_nan=True).map(repr))


# --- Solr's q and fq -------------------------------------------------------------------------

def _phrase(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return inner.map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _field_value(field: str) -> st.SearchStrategy[str]:
    by_field = {
        "organization": _known("organisations"), "owner_org": _known("organisation_ids"),
        "groups": st.sampled_from(GROUPS), "tags": _known("tags"),
        "res_format": st.sampled_from(FORMATS), "license_id": st.sampled_from(LICENCES),
        "name": _known("datasets"), "id": _known("dataset_ids"),
    }
    moment = st.sampled_from(ODD_MOMENTS)
    if field in ("metadata_modified", "metadata_created"):
        simple = moment
    else:
        simple = st.one_of(by_field.get(field, st.sampled_from(ODD_WORDS)),
                           st.sampled_from(ODD_WORDS))
    return st.one_of(
        simple, _phrase(simple), st.just("*"),
        st.lists(simple, min_size=1, max_size=4).flatmap(
            lambda values: st.sampled_from([" OR ", " AND ", " ", " || "]).map(
                lambda joint: "(" + joint.join(values) + ")")),
        st.tuples(st.sampled_from("[{"), moment, moment, st.sampled_from("]}")).map(
            lambda r: f"{r[0]}{r[1]} TO {r[2]}{r[3]}"),
        st.sampled_from(["[2020-01-01T00:00:00Z TO", "[* TO * TO *]", "[ TO ]", "[NOW]",
                         "{*}", "[a TO b]", "[2025 TO 2026]"]),
    )


def _term() -> st.SearchStrategy[str]:
    field = st.sampled_from(SOLR_FIELDS + UNKNOWN_FIELDS)
    fielded = field.flatmap(lambda name: _field_value(name).map(lambda value: f"{name}:{value}"))
    word = st.one_of(st.sampled_from(ODD_WORDS), _known("tags"), _known("datasets"),
                     st.text(max_size=15))
    return st.one_of(fielded, fielded, word, _phrase(word), st.just("*:*"))


def solr_queries() -> st.SearchStrategy[str]:
    expression = st.recursive(
        _term(),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" AND ", " OR ", " ", " && ", " || ", " NOT ",
                                              " AND NOT ", "  ", " and "]), inner).map(
                "".join),
            inner.map(lambda e: f"({e})"),
            st.tuples(st.sampled_from(["NOT ", "-", "+", "!", "!(", "- "]), inner).map(
                lambda p: p[0] + p[1] + (")" if p[0] == "!(" else "")),
        ),
        max_leaves=8,
    )
    broken = st.sampled_from([
        "(", ")", "()", "AND", "OR OR", "NOT", '"', '"unterminated', "\\", "tags:", ":", "::",
        "a:b:c", "tags:(", "tags:(a OR", "*:", ":*", "-", "+", "!", "&&", "(" * 30 + "x" + ")" * 30,
        "(" * 11 + "tags:x" + ")" * 11, " OR ".join(["tags:x"] * 60), "x " * 600,
        "metadata_modified:[NOW-1DAY TO NOW", "metadata_modified:NOW-1DAY TO NOW]",
        "metadata_modified:{* TO *]", "groups:[tran TO envi]", "organization:[a TO b]",
        "http://example.org/x", "https://example.org:8080/a:b", "tags:\"a\\\"b\"", "tags:a\\",
    ])
    return st.one_of(expression, expression, expression, broken, _odd_text(60))


# --- Parameters of each action ---------------------------------------------------------------

def _json_list_text(inner: st.SearchStrategy) -> st.SearchStrategy[str]:
    return st.lists(inner, max_size=4).map(lambda items: json.dumps(items, ensure_ascii=False))


def _facet_field() -> st.SearchStrategy[str]:
    name = st.sampled_from(FACET_FIELDS)
    return st.one_of(
        name, _json_list_text(name),
        _json_list_text(st.one_of(st.integers(), st.none(), st.booleans(),
                                  st.lists(st.text(max_size=3), max_size=2))),
        st.sampled_from(['["tags"', "[tags]", "['tags']", "[", '{"a": 1}', '"tags"', "[1e400]",
                         "[" * 2000 + "]" * 2000, '["tags", ]', "null"]),
        _odd_text(),
    )


def _sort() -> st.SearchStrategy[str]:
    item = st.tuples(st.sampled_from(SORT_FIELDS),
                     st.sampled_from(["", " asc", " desc", " DESC", " up", " asc desc"])).map(
        "".join)
    return st.one_of(st.lists(item, min_size=1, max_size=3).map(", ".join), _odd_text())


def _boolean() -> st.SearchStrategy[str]:
    return st.sampled_from(["true", "false", "True", "1", "0", "yes", "", "maybe", "null", "2"])


PARAMETERS: dict[str, dict[str, st.SearchStrategy]] = {
    "package_search": {
        "q": solr_queries(), "fq": solr_queries(),
        "fq_list": _json_list_text(solr_queries()), "rows": _number(), "start": _number(),
        "sort": _sort(), "facet": _boolean(), "facet.field": _facet_field(),
        "facet.limit": _number(), "facet.mincount": _number(), "include_private": _boolean(),
        "include_drafts": _boolean(), "callback": st.just("jsonp_cb"),
    },
    "package_list": {"limit": _number(), "offset": _number()},
    "package_show": {"id": st.one_of(_known("datasets"), _known("dataset_ids"), _odd_text()),
                     "use_default_schema": _boolean()},
    "resource_show": {"id": st.one_of(_known("resources"), _odd_text())},
    "current_package_list_with_resources": {"limit": _number(), "offset": _number(),
                                            "page": _number()},
    "organization_list": {"all_fields": _boolean(), "sort": _sort(), "limit": _number(),
                          "offset": _number(),
                          "organizations": st.one_of(_known("organisations"),
                                                     _json_list_text(_known("organisations")),
                                                     _facet_field())},
    "organization_show": {"id": st.one_of(_known("organisations"), _known("organisation_ids"),
                                          _odd_text()),
                          "include_datasets": _boolean()},
    "group_list": {"all_fields": _boolean(), "sort": _sort(), "limit": _number(),
                   "offset": _number(), "groups": _json_list_text(st.sampled_from(GROUPS))},
    "group_show": {"id": st.one_of(st.sampled_from(GROUPS), _odd_text(),
                                   st.just("http://publications.europa.eu/resource/authority/"
                                           "data-theme/TRAN")),
                   "include_datasets": _boolean()},
    "tag_list": {"query": st.one_of(_known("tags"), _odd_text()), "all_fields": _boolean(),
                 "vocabulary_id": _odd_text(5)},
    "help_show": {"name": st.one_of(st.sampled_from(ACTIONS), _odd_text())},
}
UNKNOWN_PARAMETERS = ["", "x", "q ", "Q", "rows[]", "id\x00", "\ud800", "facet.field[]"]


def _params(action: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    """The parameters as a list of (name, value): a name may come twice (a list in CKAN)."""
    own = PARAMETERS.get(action, {})
    names = sorted(own) + UNKNOWN_PARAMETERS
    pair = st.sampled_from(names).flatmap(
        lambda name: (own[name] if name in own else _odd_text()).map(lambda v: (name, v)))
    # Mostly its own parameters once each; sometimes repeated or unknown ones.
    chosen = st.dictionaries(st.sampled_from(sorted(own) or ["x"]), st.just(None), max_size=5)
    of_its_own = chosen.flatmap(lambda picked: st.tuples(*[
        (own[name] if name in own else _odd_text()).map(lambda v, name=name: (name, v))
        for name in picked]).map(list))
    return st.one_of(of_its_own, of_its_own, st.lists(pair, max_size=6))


def _action() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ACTIONS), st.sampled_from(ACTIONS),
                     st.sampled_from(UNKNOWN_ACTIONS))


def ckan_gets() -> st.SearchStrategy[tuple]:
    """(method, path, headers, body) of GETs with the parameters in the query string."""
    many = st.just([("q", "x")] * 1200 + [("rows", "1")])  # more fields than Django parses
    return st.tuples(st.sampled_from(CKAN_PREFIXES), _action()).flatmap(
        lambda pa: st.tuples(
            # Mostly GET; now and then another method, or more parameters than Django takes.
            st.sampled_from(["GET"] * 15 + ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]),
            st.integers(0, 29).flatmap(lambda n, action=pa[1]: many if n == 0
                                       else _params(action)),
            st.sampled_from([{}, {}, {"Authorization": "nonsense"},
                             {"X-CKAN-API-Key": "00000000-0000-0000-0000-000000000000"},
                             {"Authorization": "Bearer x"}]),
        ).map(lambda rest: (rest[0], pa[0] + pa[1] + "?" + _query_string(rest[1]),
                            rest[2], None)))


def _json_value() -> st.SearchStrategy:
    return st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                  st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                  st.sampled_from(ODD_WORDS + ODD_NUMBERS)),
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=8)


def _json_body(action: str) -> st.SearchStrategy[dict]:
    """A JSON object of the action's parameters, with values of the right and the wrong type."""
    own = PARAMETERS.get(action, {})

    def value(name: str) -> st.SearchStrategy:
        strategy = own.get(name, _odd_text())
        as_number = strategy.map(lambda text: json.loads(text)
                                 if re.fullmatch(r"-?\d{1,30}(\.\d+)?", text) else text)
        return st.one_of(strategy, as_number, _json_value(),
                         st.lists(strategy, max_size=3))

    names = sorted(own) + UNKNOWN_PARAMETERS
    return st.dictionaries(st.sampled_from(names), st.just(None), max_size=5).flatmap(
        lambda picked: st.fixed_dictionaries({name: value(name) for name in picked}))


# Values for one parameter of a JSON body.
SURROGATES = ["\ud800", "x\udfff", "tags:\ud800", "tags:x AND \udbff", "name asc\ud800",
              ["\ud800"], {"\ud800": 1}]
POISON = ["\udbff\udc00", "\x00", "x\x00", "a" * 2000, "\x01\x02", "\u2028", "\ufffe", 2**70,
          -(2**70), -1, 1.5, 1e308, None, True, [], {}, [["x"]], {"a": "b"}, ""]


def _dumps(value) -> bytes:
    # allow_nan: NaN and Infinity as Python writes them (not JSON, but what clients send).
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def ckan_posts() -> st.SearchStrategy[tuple]:
    """(method, path, headers, body) of POSTs: JSON objects of the parameters, JSON of the
    wrong shape, broken JSON, forms, and bodies of other content types."""
    json_type = {"Content-Type": "application/json"}

    def for_action(prefix_action):
        prefix, action = prefix_action
        path = prefix + action
        json_bodies = _json_body(action).map(_dumps)
        escaped = _json_body(action).map(
            lambda body: json.dumps(body, ensure_ascii=True).encode())  # \ud800 as an escape
        wrong_shape = _json_value().filter(lambda v: not isinstance(v, dict)).map(_dumps)
        broken = st.sampled_from([
            b"{", b"}", b"{'q': 'x'}", b'{"q": }', b'{"q": "x",}', b"\xff\xfe{}", b"\xed\xa0\x80",
            b'{"q": "\\ud800"}', b'{"rows": 1e400}', b'{"rows": ' + b"9" * 5000 + b"}",
            b'{"rows": NaN}', b"[" * 100_000 + b"]" * 100_000,
            b'{"q": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", b"\xef\xbb\xbf{}",
            '{"q": "ä"}'.encode("utf-16"), b"null", b'"x"', b"1", b"[]", b" ", b"\x00",
            b'{"q": "x", "q": "y"}', b'{"' + b"a" * 100 + b'": 1}',
            b'{"q": "' + b"x" * 3_000_000 + b'"}',
        ])
        form_bodies = _params(action).map(lambda params: _query_string(params).encode())
        # One of the action's own parameters with a value that only JSON can carry (a lone
        # surrogate as an escape, a list or an object) or one at the edge, the rest plausible.
        poisoned = st.tuples(_json_body(action), st.sampled_from(
            sorted(PARAMETERS.get(action, {})) or ["id"]),
            st.one_of(st.sampled_from(SURROGATES), st.sampled_from(POISON))).map(
            lambda b: json.dumps({**b[0], b[1]: b[2]}, ensure_ascii=True).encode())
        return st.one_of(
            st.tuples(st.just(json_type), json_bodies),
            st.tuples(st.just(json_type), json_bodies),
            st.tuples(st.just(json_type), escaped),
            st.tuples(st.just(json_type), poisoned),
            st.tuples(st.just(json_type), poisoned),
            st.tuples(st.just(json_type), wrong_shape),
            st.tuples(st.sampled_from([json_type, {"Content-Type": "text/plain"}, {},
                                       {"Content-Type": "application/json; charset=latin-1"}]),
                      broken),
            st.tuples(st.just({"Content-Type": "application/x-www-form-urlencoded"}),
                      form_bodies),
            st.tuples(st.sampled_from([
                {"Content-Type": "multipart/form-data"},
                {"Content-Type": "multipart/form-data; boundary=x"},
                {"Content-Type": "multipart/form-data; boundary="},
                {"Content-Type": "application/xml"},
                {"Content-Type": "application/x-www-form-urlencoded; charset=nonsense"},
                {"Content-Type": "application/x-www-form-urlencoded"}]),
                st.one_of(json_bodies, form_bodies, broken,
                          st.just(b"--x\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n"
                                  b"x\r\n--x--\r\n"),
                          st.just(b"&".join([b"q=x"] * 1200)))),
        ).map(lambda hb: ("POST", path, hb[0], hb[1]))

    return st.tuples(st.sampled_from(CKAN_PREFIXES), _action()).flatmap(for_action)


# --- DCAT, oEmbed, feeds, widgets, catalogue pages, downloads --------------------------------

ACCEPTS = ["", "text/turtle", "application/rdf+xml", "application/ld+json", "*/*", "text/html",
           "application/json", "text/turtle;q=0.1, application/ld+json;q=0.9",
           "application/rdf+xml;q=x", "text/turtle;q=NaN", "text/turtle;q=-1",
           "text/turtle;q=1e400", ";;;", ",,,", "text/turtle;;q=", "TEXT/TURTLE",
           "application/ld+json; profile=\"http://www.w3.org/ns/json-ld#compacted\"",
           "a" * 5000, "text/*", "application/n-triples", "application/rdf+xml;q=1;q=0"]


def dcat_requests() -> st.SearchStrategy[tuple]:
    # Mostly the catalogue's own extensions (and none: negotiated), now and then others.
    extension = st.sampled_from(["", "", ".ttl", ".rdf", ".jsonld"] * 2
                                + [".json", ".xml", ".TTL", "."])
    page = st.one_of(_number(), st.integers(-3, 5).map(str))
    query = st.lists(st.tuples(st.sampled_from(["page", "per_page", "page", "format", "x"]),
                               page), max_size=3).map(_query_string)
    catalogue = st.tuples(extension, query).map(lambda p: f"/dcat/catalog{p[0]}?{p[1]}")
    record = st.tuples(st.one_of(_known("datasets"), _known("datasets"),
                                 _odd_text(20).map(_encode)),
                       extension).map(lambda p: f"/dcat/datasets/{p[0]}{p[1]}")
    odd = st.sampled_from(["/dcat/", "/dcat/catalog/", "/dcat/datasets/", "/dcat/catalog.ttl/",
                           "/dcat/catalog%00.ttl", "/dcat/datasets/..%2Fcatalog"])
    return st.tuples(
        st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS"]),
        st.one_of(catalogue, catalogue, record, odd),
        st.sampled_from(ACCEPTS).map(lambda accept: {"Accept": accept} if accept else {}),
    ).map(lambda r: (r[0], r[1], r[2], None))


def _page_addresses(host: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    language = st.sampled_from(LANGUAGES)
    path = st.one_of(
        _known("pages"),
        # The pages that embed (projects and labs) as often as all the others.
        st.tuples(language, _known("projects")).map(lambda p: f"/{p[0]}/projects/{p[1]}/"),
        st.tuples(language, _known("labs")).map(lambda p: f"/{p[0]}/living-labs/{p[1]}/"),
        st.tuples(st.sampled_from(["de", "en", "fr", "", "DE"]),
                  st.sampled_from(["projects", "living-labs", "partners", "data/datasets",
                                   "embed/projects", "feeds", "admin", "api/v1"]),
                  _odd_text(15).map(_encode)).map(lambda p: f"/{p[0]}/{p[1]}/{p[2]}/"),
        st.sampled_from(["", "/", "/de", "/de/", "//de/projects/x/", "/de/projects/",
                         "/de/projects/x", "/de/projects/x/?a=b#c", "/de/living-labs/%00/"]))
    return st.tuples(host, path).map("".join)


def oembed_requests() -> st.SearchStrategy[tuple]:
    own = st.one_of(st.sampled_from(["http://127.0.0.1:{port}", "https://127.0.0.1:{port}",
                                     "http://localhost:{port}"]),
                    st.deferred(lambda: st.just(KNOWN.site_url.rstrip("/"))))
    other = st.sampled_from(["http://example.org", "https://evil.example", "http://127.0.0.1",
                             "http://127.0.0.1:{port}@evil.example",
                             "http://evil.example#@127.0.0.1:{port}",
                             "javascript://127.0.0.1:{port}", "file://127.0.0.1:{port}",
                             "ftp://127.0.0.1:{port}", "//127.0.0.1:{port}",
                             "http://[::1", "http://[::1]:{port}", "http://127.0.0.1:99999",
                             "http://127.0.0.1:{port}:{port}", "http:///", "HTTP://127.0.0.1:{port}",
                             "http://ü.example", "http://\x00", ""])
    url = st.one_of(*[_page_addresses(own)] * 4, *[_page_addresses(other)] * 2,
                    _odd_text(40))
    size = st.one_of(st.none(), _number())
    fmt = st.one_of(st.none(), st.sampled_from(["json", "xml"]),
                    st.sampled_from(["JSON", "", "html", "json ", "xml\x00", "\ud800"]))
    params = st.tuples(url, fmt, size, size).map(lambda p: [
        (name, value) for name, value in (("url", p[0]), ("format", p[1]), ("maxwidth", p[2]),
                                          ("maxheight", p[3])) if value is not None])
    return st.tuples(st.sampled_from(["GET"] * 8 + ["HEAD", "POST"]), params).map(
        lambda r: (r[0], "/oembed?" + _query_string(r[1]), {}, None))


FEED_KINDS = ["news", "partners", "projects", "ideas", "events", "funding-calls", "datasets"]


def syndication_requests() -> st.SearchStrategy[tuple]:
    """Feeds and widgets, with odd languages, kinds and slugs."""
    # Mostly the site's languages, kinds, formats and names; now and then odd ones.
    language = st.sampled_from(LANGUAGES * 4 + ["fr", "DE", "de-at", ""])
    odd_slug = _odd_text(20).map(_encode)
    feed = st.tuples(language, st.one_of(*[st.sampled_from(FEED_KINDS)] * 3, odd_slug),
                     st.sampled_from([".rss", ".atom"] * 4 + [".xml", "", ".rss/", ".RSS"])).map(
        lambda p: f"/{p[0]}/feeds/{p[1]}{p[2]}")
    widget = st.tuples(language, st.one_of(
        st.sampled_from(["embed/", "embed/figures/", "embed/map/", "feeds/", "embed/x/"]),
        st.one_of(*[_known("partners")] * 3, odd_slug).map(
            lambda s: f"embed/partners/{s}/badge/"),
        st.one_of(*[_known("projects")] * 3, odd_slug).map(lambda s: f"embed/projects/{s}/"),
        st.one_of(*[_known("labs")] * 3, odd_slug).map(lambda s: f"embed/living-labs/{s}/"),
    )).map(lambda p: f"/{p[0]}/{p[1]}")
    query = st.one_of(st.just(""), st.lists(st.tuples(_odd_text(8), _odd_text(20)),
                                            max_size=2).map(lambda q: "?" + _query_string(q)))
    return st.tuples(st.sampled_from(["GET", "GET", "GET", "HEAD", "POST"]),
                     st.one_of(feed, widget), query).map(
        lambda r: (r[0], r[1] + r[2], {}, None))


CATALOGUE_FILTERS = {
    "q": st.one_of(_odd_text(40), st.sampled_from(["Rad Verkehr Luft", "a " * 300])),
    "kind": st.sampled_from(["lab", "platform", "partner", "x", ""]),
    "theme": st.sampled_from([g.upper() for g in GROUPS] + ["", "tran"]),
    "publisher": st.one_of(_known("organisations"), st.just("alliance"), _odd_text(10)),
    "format": st.sampled_from(FORMATS), "licence": st.sampled_from(LICENCES),
    "focus_area": st.one_of(_odd_text(10), st.just("mobilitaet")),
    "sort": st.sampled_from(["", "title", "changed", "x"]),
    "page": st.one_of(_number(), st.sampled_from(["last", "2", "0"])),
}


def catalogue_requests() -> st.SearchStrategy[tuple]:
    """The catalogue's list with its filters, dataset pages and the downloads."""
    language = st.sampled_from(LANGUAGES)
    filters = st.dictionaries(st.sampled_from(sorted(CATALOGUE_FILTERS)), st.just(None),
                              max_size=5).flatmap(
        lambda picked: st.tuples(*[CATALOGUE_FILTERS[name].map(lambda v, n=name: (n, v))
                                   for name in picked])).map(lambda pairs: _query_string(pairs))
    listing = st.tuples(language, filters).map(lambda p: f"/{p[0]}/data/?{p[1]}")
    slug = st.one_of(_known("datasets"), _known("datasets"), _odd_text(15).map(_encode))
    year = st.one_of(st.integers(1990, 2030), st.sampled_from([0, 1, 9999, 2**63, 10**30]))
    downloads = st.tuples(language, slug, st.one_of(
        st.just("/"), st.just(".csv"), st.just(".json"), st.just("/locations.geojson"),
        year.map(lambda y: f"/observations-{y}.csv"),
        st.sampled_from(["/observations--1.csv", "/observations-x.csv", "/edit/",
                         "/review/", "/submit/"]))).map(
        lambda p: f"/{p[0]}/data/datasets/{p[1]}{p[2]}")
    return st.tuples(st.sampled_from(["GET", "GET", "GET", "HEAD"]),
                     st.one_of(listing, listing, downloads)).map(
        lambda r: (r[0], r[1], {}, None))


# --- The run ---------------------------------------------------------------------------------

class TimeIsUp(Exception):
    """Ends a part of the run when its time is spent (Hypothesis stops at the exception)."""


def _is_ckan_envelope(response: requests.Response, method: str) -> str | None:
    """What is wrong with a CKAN answer, or None."""
    if method == "HEAD":
        return None if response.status_code < 500 else "server error"
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    if not isinstance(body, dict):
        return "not a JSON object"
    status = response.status_code
    if method == "OPTIONS":
        return None if status == 200 else f"OPTIONS answered {status}"
    if status == 200:
        return None if body.get("success") is True and "result" in body else "200 without result"
    error = body.get("error")
    if body.get("success") is not False or not isinstance(error, dict):
        return "an error without success false and an error object"
    if not isinstance(error.get("__type"), str) or not isinstance(error.get("message"), str):
        return "an error without __type and message"
    if status == 405 and method not in ("GET", "POST"):
        return None
    if error["__type"] not in CKAN_ERROR_TYPES.get(status, ()):
        return f"status {status} with __type {error['__type']!r}"
    return None


class Run:
    def __init__(self, url: str, max_response_time: float):
        self.url = url.rstrip("/")
        self.port = urlsplit(self.url).port or 80
        self.own_hosts = {urlsplit(self.url).netloc, f"localhost:{self.port}"}
        self.session = requests.Session()
        self.max_response_time = max_response_time
        self.requests = 0
        self.by_surface: collections.Counter[str] = collections.Counter()
        self.failures: list[str] = []
        self.kinds: dict[tuple, str] = {}  # the first failure of each kind

    def send(self, surface: str, method: str, path: str, headers: dict, body: bytes | None):
        path = path.replace("{port}", str(self.port))
        started = time.monotonic()
        try:
            response = self.session.request(method, self.url + path, headers=headers,
                                            data=body, timeout=60, allow_redirects=False)
        except requests.RequestException as error:
            self.requests += 1
            self.fail((surface, "no answer"), f"{method} {path[:300]}: no answer: {error}"[:500])
            return
        elapsed = time.monotonic() - started
        self.requests += 1
        self.by_surface[surface] += 1
        shown = path if len(path) <= 200 else f"{path[:200]}…({len(path)} characters)"
        where = f"{method} {shown} → {response.status_code}"
        if body is not None:
            where += (f" (body {headers.get('Content-Type', '-')!r} {body[:120]!r}"
                      f"{f'…({len(body)} bytes)' if len(body) > 120 else ''})")
        problem = getattr(self, f"problem_{surface}")(method, path, response)
        if problem:
            self.fail((surface, response.status_code, problem),
                      f"{where}: {problem}: {response.text[:300]!r}")
        if elapsed > self.max_response_time:
            self.fail((surface, "slow"), f"{where}: took {elapsed:.1f} s")

    def fail(self, kind: tuple, text: str) -> None:
        self.failures.append(text)
        self.kinds.setdefault(kind, text)

    @staticmethod
    def _server_error(response: requests.Response) -> str | None:
        return "server error" if response.status_code >= 500 else None

    def problem_ckan(self, method, path, response):
        name = unquote(urlsplit(path).path).split("/action/", 1)[-1]
        if not name or "/" in name:  # no action's address (/api/3/action/a/b): the site's 404
            return self._server_error(response)
        return self._server_error(response) or _is_ckan_envelope(response, method)

    def problem_dcat(self, method, path, response):
        status = response.status_code
        if status >= 500:
            return "server error"
        if status < 400:
            return None
        if status not in (400, 404, 405, 406, 410, 429):
            return f"status {status}"
        media_type = response.headers.get("Content-Type", "")
        if method != "HEAD" and response.content and not media_type.startswith("text/plain"):
            return f"an error as {media_type!r}, not plain text"
        return None

    def problem_oembed(self, method, path, response):
        status = response.status_code
        fmt = next((value for name, value in _pairs(path) if name == "format"), "json")
        if status == 501 and fmt not in ("json", "xml"):
            return None
        if status >= 500:
            return "server error"
        if status == 200 and method == "GET":
            url = next((value for name, value in _pairs(path) if name == "url"), "")
            with contextlib.suppress(ValueError):
                if urlsplit(url).netloc not in self.own_hosts:
                    return f"embeds an address of another host: {url[:100]!r}"
        return None

    def problem_page(self, method, path, response):
        return self._server_error(response)


def _pairs(path: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(path).query, keep_blank_values=True)


# The parts of a run: (name, surface checked, requests, share of the time at which it ends).
PARTS = [
    ("CKAN GET", "ckan", ckan_gets, 0.30),
    ("CKAN POST", "ckan", ckan_posts, 0.50),
    ("DCAT", "dcat", dcat_requests, 0.62),
    ("oEmbed", "oembed", oembed_requests, 0.72),
    ("feeds and widgets", "page", syndication_requests, 0.84),
    ("catalogue pages and downloads", "page", catalogue_requests, 1.0),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--max-examples", type=int, default=200)
    parser.add_argument("--max-time", type=float, default=60.0,
                        help="Seconds for the whole run; examples stop when it is spent.")
    parser.add_argument("--max-response-time", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", help="run only the parts whose name contains this")
    args = parser.parse_args(argv)
    run = Run(args.url, args.max_response_time)
    started = time.monotonic()
    KNOWN.read(run.session, run.url)
    if KNOWN.site_url:
        run.own_hosts.add(urlsplit(KNOWN.site_url).netloc)
    deadline = started + args.max_time
    # Generation only: no shrinking (it would repeat requests past the time budget) and no
    # example database (a CI run starts clean).
    options = settings(max_examples=args.max_examples, deadline=None, database=None,
                       phases=[Phase.generate], suppress_health_check=list(HealthCheck))

    def part(surface: str, requests_of, share: float):
        @options
        @given(requests_of())
        def test(request):
            # Each part ends when its share of the time is spent (or after max_examples).
            if time.monotonic() > min(deadline, started + share * args.max_time):
                raise TimeIsUp
            run.send(surface, *request)

        return seed(args.seed)(test) if args.seed is not None else test

    # Each part's width of the time (its share less the one before), and with --only the
    # chosen parts' widths stretched over the whole time.
    widths = [(name, surface, requests_of, share - before) for (name, surface, requests_of, share),
              before in zip(PARTS, [0.0] + [p[3] for p in PARTS], strict=False)
              if not args.only or args.only.lower() in name.lower()]
    total = sum(width for *_rest, width in widths) or 1.0
    end = 0.0
    for _name, surface, requests_of, width in widths:
        end += width / total
        with contextlib.suppress(TimeIsUp):
            part(surface, requests_of, end)()
    figures = {"requests": run.requests, "failures": len(run.failures),
               "seconds": round(time.monotonic() - started, 1), **dict(run.by_surface)}
    # One example of each kind of failure first (a kind: surface, status, problem), then more.
    shown = list(run.kinds.values())
    shown += [failure for failure in run.failures if failure not in shown][:50 - len(shown)]
    for failure in shown:
        print("FAIL", failure)
    print(json.dumps(figures))
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
