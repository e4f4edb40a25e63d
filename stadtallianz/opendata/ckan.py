"""CKAN's action API, the read-only subset that `ckanapi`, CKAN's harvester and portal scripts
use (docs/standards.md, "Open data: CKAN action API subset"; docs/api.md, "CKAN action API").

Each action is a function `action(data) -> result` of the request's parameters (a dict: GET's
query parameters or POST's JSON body, as CKAN takes them); `ckan_views.action` wraps the result
in CKAN's envelope and turns the errors below into CKAN's error answers. Everything listed
comes from `Dataset.objects.published()`: unpublished, submitted, rejected and withdrawn
datasets appear nowhere (not in lists, counts, facets, tags, organisations).

How the catalogue maps onto CKAN's model:
- package = dataset: `id` its uid, `name` its slug, the German title and description with both
  languages in `title_translated`/`notes_translated` (as ckanext-fluent);
- organization = the publisher (a public partner organisation); the alliance's own datasets
  (no publisher) belong to one organisation for the alliance, named after the site
  (`alliance_name()`);
- groups = the EU data themes, named by their code in lower case ("tran", "envi"), as GovData
  and ckanext-dcatde name them;
- tags = the keywords; resources = the distributions (format: the EU file-type code);
- licences = opendata.vocabularies.LICENCES (id: the key, e.g. "dl-by-de/2.0").
Search runs in the database (no Solr): `q` and `fq` take the subset of Solr's syntax that
clients send (see `parse_query`).
"""

import hashlib
import json
import re
import uuid
from array import array
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Prefetch,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from stadtallianz.partners.models import Organisation

from .models import Dataset, Distribution, text_matches
from .versions import catalogue_version
from .vocabularies import (
    ACCESS_RIGHT_PUBLIC,
    FILE_TYPES,
    FREQUENCIES,
    LICENCES,
    THEMES,
)

CKAN_VERSION = "2.10.0"  # the CKAN release whose action API the answers follow
ROWS_DEFAULT = 10
ROWS_MAX = 1000  # CKAN's ckan.search.rows_max: larger `rows` are cut to it, as CKAN does
LIST_MAX = 1000  # organization_list / group_list without all_fields (CKAN's default limit)
LIST_ALL_FIELDS_MAX = 25  # ... with all_fields (ckan.group_and_organization_list_all_fields_max)
FACET_LIMIT_DEFAULT = 50
FACET_LIMIT_MAX = 1000
QUERY_MAX_LENGTH = 1000  # characters of q or fq
QUERY_MAX_TERMS = 50  # terms of q or fq: bounds the SQL a query makes
QUERY_MAX_DEPTH = 10  # nested parentheses
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")


# --- Errors (ckan_views turns them into CKAN's error answers) -----------------------------------

class ActionError(Exception):
    status = 500
    type = "Internal Server Error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def error(self) -> dict:
        return {"__type": self.type, "message": self.message, **self.fields}


class NotFound(ActionError):
    status = 404
    type = "Not Found Error"

    def __init__(self, what: str):
        super().__init__(f"Not found: {what}")


class ValidationFailed(ActionError):
    """CKAN's Validation Error (409): the field named, with its messages."""

    status = 409
    type = "Validation Error"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}", {field: [message]})


class BadRequest(ActionError):
    status = 400
    type = "Bad Request"

    def __init__(self, message: str):
        super().__init__(f"Bad request - {message}")


# --- Parameters ----------------------------------------------------------------------------------

def _one(data: dict, field: str):
    value = data.get(field)
    if isinstance(value, list | tuple | dict):
        raise ValidationFailed(field, "Expected a single value")
    return value


def integer(data: dict, field: str, default: int | None, *, minimum: int = 0,
            maximum: int | None = None, clamp: int | None = None) -> int | None:
    """A whole number >= `minimum`; above `maximum` refused, above `clamp` cut to it."""
    value = _one(data, field)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValidationFailed(field, "Invalid integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        if not re.fullmatch(r"\s*[+-]?\d{1,18}\s*", value):
            raise ValidationFailed(field, "Invalid integer")
        value = int(value)
    if not isinstance(value, int) or abs(value) >= 10**18:
        raise ValidationFailed(field, "Invalid integer")
    if value < minimum:
        raise ValidationFailed(field, "Must be a natural number" if minimum == 0
                               else f"Must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ValidationFailed(field, f"Must be at most {maximum}")
    if clamp is not None:
        value = min(value, clamp)
    return value


TRUE = {"true", "1", "yes", "on", "t", "y"}
FALSE = {"false", "0", "no", "off", "f", "n", ""}


def boolean(data: dict, field: str, default: bool) -> bool:
    value = _one(data, field)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValidationFailed(field, "Invalid boolean")


def text(data: dict, field: str, default: str = "", *, max_length: int = 1000) -> str:
    value = _one(data, field)
    if value is None:
        return default
    if not isinstance(value, str):
        value = str(value)
    if len(value) > max_length:
        raise ValidationFailed(field, f"At most {max_length} characters")
    return value


def required_id(data: dict, field: str = "id") -> str:
    value = text(data, field, max_length=200).strip()
    if not value:
        raise ValidationFailed(field, "Missing value")
    return value


def string_list(data: dict, field: str) -> list[str]:
    """A list of strings, or its JSON text (as GET sends `facet.field=["tags"]`); one plain
    string is a list of one (a client that sends a list in a query string repeats the name)."""
    value = data.get(field)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        if not value.lstrip().startswith("["):
            return [value]
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationFailed(field, "Not a JSON list") from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationFailed(field, "Must be a list of strings")
    return value


def sort_terms(data: dict, field: str, allowed: dict, default: str) -> list[tuple[str, bool]]:
    """`"name asc, metadata_modified desc"` -> [("name", False), ("metadata_modified", True)]."""
    value = text(data, field, max_length=200).strip() or default
    terms = []
    for part in value.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise ValidationFailed(field, f"Invalid sort: {part.strip()!r}")
        name = words[0]
        direction = words[1].lower() if len(words) == 2 else "asc"
        if name not in allowed:
            raise ValidationFailed(field, f"Unknown sort field {name!r}; allowed: "
                                   + ", ".join(sorted(allowed)))
        if direction not in ("asc", "desc"):
            raise ValidationFailed(field, f"Sort order must be asc or desc, not {direction!r}")
        terms.append((name, direction == "desc"))
    return terms


# --- Names and addresses -------------------------------------------------------------------------

def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")) or not path:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def ckan_time(moment) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without a zone."""
    if moment is None:
        return None
    if isinstance(moment, datetime) and moment.utcoffset() is not None:
        # In UTC, isoformat() ends in "+00:00": the same text without a zone, in two calls
        # instead of four (a page of 100 packages has some 3,000 timestamps).
        return moment.astimezone(UTC).isoformat()[:-6]
    return moment.isoformat()


@lru_cache(maxsize=8)
def _namespace(site_url: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, site_url.rstrip("/") + "/api/3/organization/")


@lru_cache(maxsize=100_000)
def _derived_id(site_url: str, name: str) -> str:
    return str(uuid.uuid5(_namespace(site_url), name))


def organisation_id(pk: int) -> str:
    """A stable UUID for an organisation (CKAN's ids are UUIDs; ours are numbers)."""
    return _derived_id(settings.SITE_URL, str(pk))


def alliance_id() -> str:
    return _derived_id(settings.SITE_URL, "alliance")


def alliance_name() -> str:
    """The organisation that publishes the alliance's own datasets (no publisher)."""
    return slugify(settings.SITE_NAME) or "alliance"


def tag_id(name: str) -> str:
    return _derived_id(settings.SITE_URL, "tag:" + name)


SLUG_PLACEHOLDER = "ckan-slug-placeholder"


@lru_cache(maxsize=8)
def _dataset_page_pattern(site_url: str, language: str) -> str:
    with translation.override(language):
        return site_url.rstrip("/") + reverse("opendata:dataset",
                                              kwargs={"slug": SLUG_PLACEHOLDER})


def dataset_page(slug: str) -> str:
    """The dataset's page in the default language (the address is reversed once)."""
    return _dataset_page_pattern(settings.SITE_URL, settings.LANGUAGE_CODE).replace(
        SLUG_PLACEHOLDER, slug)


def public_publisher(dataset: Dataset) -> Organisation | None:
    publisher = dataset.publisher
    if publisher is not None and publisher.status in Organisation.PUBLIC_STATUSES:
        return publisher
    return None


# --- Dictionaries in CKAN's shape ---------------------------------------------------------------

def licence_dict(key: str) -> dict:
    licence = LICENCES.get(key)
    if licence is None:
        return {"id": key, "title": key, "url": ""}
    return {
        "id": licence.key, "title": licence.label_de, "title_en": licence.label_en,
        "url": licence.url, "uri": licence.uri,
        "od_conformance": "approved" if licence.open else "not reviewed",
        "osd_conformance": "not reviewed", "is_okd_compliant": licence.open,
        "is_osi_compliant": False, "is_generic": False, "status": "active",
        "maintainer": "", "family": "", "domain_content": True, "domain_data": True,
        "domain_software": False,
    }


def organization_dict(organisation: Organisation | None, *, package_count: int | None = None
                      ) -> dict:
    """A publisher; None: the alliance itself."""
    if organisation is None:
        result = {
            "id": alliance_id(), "name": alliance_name(), "title": settings.SITE_NAME,
            "display_name": settings.SITE_NAME,
            "description": "", "image_url": "", "image_display_url": "",
            "created": None, "url": absolute("/"),
        }
    else:
        logo = absolute(organisation.logo.url) if organisation.logo else ""
        result = {
            "id": organisation_id(organisation.pk), "name": organisation.slug,
            "title": organisation.name, "display_name": organisation.name,
            "description": organisation.description_de, "image_url": logo,
            "image_display_url": logo, "created": ckan_time(organisation.created_at),
            "url": absolute(organisation.get_absolute_url()),
        }
    result.update({"type": "organization", "is_organization": True, "state": "active",
                   "approval_status": "approved"})
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(key: str, *, package_count: int | None = None) -> dict:
    theme = THEMES[key]
    result = {
        "id": key.lower(), "name": key.lower(), "title": theme.label_de,
        "display_name": theme.label_de,
        "title_translated": {"de": theme.label_de, "en": theme.label_en},
        "description": "", "uri": theme.uri, "image_url": "", "image_display_url": "",
        "type": "group", "is_organization": False, "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def resource_dict(distribution: Distribution, dataset: Dataset) -> dict:
    file_type = FILE_TYPES.get(distribution.file_type)
    access = absolute(distribution.access_url)
    download = absolute(distribution.download_url) if distribution.download_url else ""
    modified = ckan_time(distribution.modified)
    return {
        "id": str(distribution.uid), "package_id": str(dataset.uid),
        "url": download or access, "access_url": access, "download_url": download,
        "name": distribution.title_de, "description": distribution.description_de,
        "name_translated": {"de": distribution.title_de,
                            "en": distribution.title_en or distribution.title_de},
        "format": distribution.file_type,
        "mimetype": file_type.media_type if file_type else None,
        "format_uri": file_type.uri if file_type else None,
        "resource_type": "api" if distribution.kind == Distribution.Kind.API else None,
        "last_modified": modified, "created": modified, "metadata_modified": modified,
        "position": distribution.position, "state": "active", "url_type": None,
        "license": LICENCES[dataset.licence].uri if dataset.licence in LICENCES else None,
        "temporal_start": ckan_time(distribution.period_start),
        "temporal_end": ckan_time(distribution.period_end),
    }


@lru_cache(maxsize=8)
def _site_extras(contributor: str, regional_key: str, level: str) -> dict[str, str]:
    """The extras every dataset has alike (made once per settings)."""
    return {
        "language": json.dumps(["http://publications.europa.eu/resource/authority/language/DEU"]),
        "contributorID": json.dumps([contributor]),
        "politicalGeocodingURI": json.dumps([
            "http://dcat-ap.de/def/politicalGeocoding/regionalKey/" + regional_key]),
        "politicalGeocodingLevelURI": "http://dcat-ap.de/def/politicalGeocoding/Level/" + level,
    }


def _extras(dataset: Dataset, organization: dict, page: str) -> list[dict]:
    """The DCAT-AP.de fields as ckanext-dcat and GovData's ckanext-dcatde keep them in CKAN:
    string values, lists as JSON text. `organization`: the package's organization dict (its
    title and address are the publisher's), `page`: the dataset's page."""
    frequency = FREQUENCIES.get(dataset.accrual_periodicity)
    values = {
        "identifier": str(dataset.uid),
        "uri": page,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "access_rights": ACCESS_RIGHT_PUBLIC,
        "frequency": frequency.uri if frequency else "",
        "theme": json.dumps([THEMES[key].uri for key in dataset.themes if key in THEMES]),
        "issued": ckan_time(dataset.issued) or "",
        "modified": ckan_time(dataset.modified) or "",
        "publisher_name": organization["title"],
        "publisher_url": organization["url"],
        **_site_extras(settings.DCAT_CONTRIBUTOR_ID, settings.OPEN_DATA_REGIONAL_KEY,
                       settings.OPEN_DATA_GEOCODING_LEVEL),
        "spatial": json.dumps(dataset.spatial) if dataset.spatial else "",
        "temporal_start": ckan_time(dataset.temporal_start) or "",
        "temporal_end": ckan_time(dataset.temporal_end) or "",
    }
    return [{"key": key, "value": value} for key, value in sorted(values.items()) if value]


def package_dict(dataset: Dataset, distributions: list[Distribution] | None = None) -> dict:
    """`dataset` with `publisher` selected and its distributions given or prefetched (no query
    here)."""
    publisher = public_publisher(dataset)
    organization = organization_dict(publisher)
    licence = licence_dict(dataset.licence)
    if distributions is None:
        distributions = dataset.distributions.all()
    resources = [resource_dict(distribution, dataset) for distribution in distributions]
    tags = [{"id": tag_id(keyword), "name": keyword, "display_name": keyword,
             "state": "active", "vocabulary_id": None}
            for keyword in dataset.keywords if isinstance(keyword, str)]
    groups = [group_dict(key) for key in dataset.themes if key in THEMES]
    page = dataset_page(dataset.slug)
    return {
        "id": str(dataset.uid), "name": dataset.slug, "type": "dataset",
        "title": dataset.title_de, "notes": dataset.description_de,
        "title_translated": {"de": dataset.title_de, "en": dataset.title_en or dataset.title_de},
        "notes_translated": {"de": dataset.description_de,
                             "en": dataset.description_en or dataset.description_de},
        "url": page, "version": None,
        "state": "active", "private": False, "isopen": bool(licence.get("is_okd_compliant")),
        "license_id": dataset.licence, "license_title": licence["title"],
        "license_url": licence["url"],
        "author": organization["title"], "author_email": None,
        "maintainer": dataset.contact_name, "maintainer_email": dataset.contact_email,
        "organization": organization, "owner_org": organization["id"],
        "groups": groups, "tags": tags, "num_tags": len(tags),
        "resources": resources, "num_resources": len(resources),
        "metadata_created": ckan_time(dataset.issued or dataset.created_at),
        "metadata_modified": ckan_time(dataset.modified),
        "extras": _extras(dataset, organization, page),
        "relationships_as_object": [], "relationships_as_subject": [],
        "creator_user_id": None,
    }


def published():
    return Dataset.objects.published()


def with_relations(queryset):
    """What package_dict reads, in two queries for any number of datasets."""
    return queryset.select_related("publisher").prefetch_related(
        Prefetch("distributions", queryset=Distribution.objects.order_by("position", "pk")))


class EncodedList(list):
    """A list of values already in JSON text (package dicts from the cache): `encode` joins
    them instead of encoding them again."""


def _holds_encoded(value, depth: int = 2) -> bool:
    if isinstance(value, EncodedList):
        return True
    return depth > 0 and isinstance(value, dict) and any(
        _holds_encoded(item, depth - 1) for item in value.values())


def encode(value) -> str:
    """`json.dumps(value, ensure_ascii=False)`, byte for byte, with the EncodedLists of the
    envelope, its result or the result's fields spliced in as they are."""
    if isinstance(value, EncodedList):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, dict) and _holds_encoded(value):
        return "{" + ", ".join(f"{json.dumps(str(key), ensure_ascii=False)}: {encode(item)}"
                               for key, item in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


# A package dict's JSON (about 8 KB) is kept an hour at most: it is looked up by everything it
# shows, so the time only bounds the memory (10,000 datasets read within the hour: some 80 MB).
PACKAGE_CACHE_SECONDS = 3600
PACKAGE_FORMAT = 1  # raise when package_dict's output changes: a deployment's cache is not reused


@lru_cache(maxsize=8)
def _site_stamp(*values: str) -> str:
    return hashlib.sha1("|".join(values).encode(), usedforsecurity=False).hexdigest()[:12]


def package_cache_key(dataset: Dataset, version: str) -> str:
    """Everything a package dict shows: the dataset's row (its `modified`: a change made with
    .update() moves it, as alliance_data does), the catalogue's version (any dataset,
    distribution or organisation saved or deleted), the publisher's status and last change
    (so a publisher no longer public is never shown from the cache, however it was changed),
    and the site's settings and the request's language in the addresses and names."""
    publisher = dataset.publisher
    who = (f"{publisher.pk}.{publisher.status}.{publisher.updated_at.timestamp()}"
           if publisher is not None else "-")
    # The request's language: a publisher's page address is in it (/api/3/ has no prefix).
    site = _site_stamp(str(PACKAGE_FORMAT), settings.SITE_URL, settings.SITE_NAME,
                       settings.LANGUAGE_CODE, translation.get_language() or "")
    return (f"ckan-package:{site}:{version}:{dataset.pk}:"
            f"{dataset.modified.timestamp()}:{who}")


def encoded_packages(datasets: list[Dataset]) -> EncodedList:
    """The package dicts of these datasets (publisher selected), in this order, as JSON texts:
    from the cache, the missing ones made with their distributions read in one query (always
    run, so that a page costs the same queries whatever the cache holds)."""
    if not datasets:
        return EncodedList()
    version = catalogue_version()
    keys = [package_cache_key(dataset, version) for dataset in datasets]
    # The bulk cache (settings.CACHES): many large entries, kept apart from the default's.
    packages = caches["bulk"]
    found = packages.get_many(keys)
    missing = [dataset for dataset, key in zip(datasets, keys, strict=True) if key not in found]
    distributions: dict[int, list[Distribution]] = {dataset.pk: [] for dataset in missing}
    for distribution in Distribution.objects.filter(
            InArray("dataset_id", list(distributions))).order_by("dataset_id", "position",
                                                                 "pk"):
        distributions[distribution.dataset_id].append(distribution)
    made = {}
    for dataset, key in zip(datasets, keys, strict=True):
        if key not in found:
            made[key] = json.dumps(package_dict(dataset, distributions[dataset.pk]),
                                   ensure_ascii=False)
    if made:
        packages.set_many(made, PACKAGE_CACHE_SECONDS)
    return EncodedList(found.get(key) or made[key] for key in keys)


def packages_in_order(keys: list[int]) -> EncodedList:
    """The package dicts of these datasets, in this order (two queries, with the cache's)."""
    if not keys:
        return EncodedList()
    datasets = {dataset.pk: dataset for dataset in
                _for_packages(Dataset.objects.filter(InArray("pk", keys)))}
    return encoded_packages([datasets[key] for key in keys if key in datasets])


def _for_packages(queryset):
    # The search column (all texts again) is not in a package dict: not read for 100 rows.
    return queryset.select_related("publisher").defer("search_text")


def package_dicts(queryset, start: int, stop: int) -> EncodedList:
    return encoded_packages(list(_for_packages(queryset)[start:stop]))


# --- Search: q and fq ----------------------------------------------------------------------------

class JSONArrayHas(Func):
    """True where the JSON list in the column has the string as an element (a filter that
    works on PostgreSQL's jsonb and SQLite's JSON text alike)."""

    output_field = BooleanField()

    def __init__(self, column: str, element: str):
        super().__init__(F(column), Value(element))

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        element, element_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"({column} @> jsonb_build_array(({element})::text))"
        else:
            # Compiled expressions only; the element is a parameter.
            sql = (f"EXISTS (SELECT 1 FROM json_each({column}) AS e "  # noqa: S608
                   f"WHERE e.value = {element})")
        return sql, (*column_params, *element_params)


class InArray(Func):
    """The column's value is one of `keys` (a list of numbers), in one parameter whatever
    their number: `= ANY(array)` on PostgreSQL, `IN (json_each(…))` on SQLite."""

    output_field = BooleanField()

    def __init__(self, column: str, keys: list[int]):
        super().__init__(F(column))
        self.keys = [int(key) for key in keys]

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"({column} = ANY(%s))", (*params, self.keys)
        sql = f"({column} IN (SELECT value FROM json_each(%s)))"  # noqa: S608
        return sql, (*params, json.dumps(self.keys))


TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<range>[\[{][^\]}]*[\]}])
  | (?P<word>(?:[^\s()"\[\]{}\\]|\\.)+)
""", re.VERBOSE | re.DOTALL)
FIELD_PREFIX = re.compile(r"([A-Za-z_][\w.]*):(?!//)")
OPERATORS = {"AND", "OR", "NOT", "&&", "||"}


def tokenize(source: str, field: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    while position < len(source):
        match = TOKEN.match(source, position)
        if not match:
            character = source[position]
            what = {"[": "range", "{": "range", "]": "range", "}": "range",
                    '"': "quotation mark"}.get(character, "character")
            raise ValidationFailed(field, f"Unbalanced {what} at position {position + 1}")
        position = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "space":
            continue
        if kind == "word":
            if value == "*:*":
                tokens.append(("all", value))
                continue
            # A leading + or - (required, excluded) is an operator of its own.
            if value[0] in "+-" and len(value) > 1:
                tokens.append(("sign", value[0]))
                value = value[1:]
            # A field name and its value may be one word ("tags:Radverkehr") or the value may
            # follow ("organization:(a OR b)", "metadata_modified:[… TO …]").
            prefix = FIELD_PREFIX.match(value)
            if prefix:
                tokens.append(("field", prefix.group(1)))
                if rest := value[prefix.end():]:
                    tokens.append(("word", rest))
                continue
        tokens.append((kind, value))
    return tokens


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])\Z")
DATE_MATH = re.compile(r"NOW(?:([+-])(\d{1,6})(DAYS?|HOURS?|MINUTES?|MONTHS?|YEARS?))?"
                       r"(?:/(DAY|HOUR))?\Z")


def parse_moment(value: str, field: str) -> datetime | None:
    """A date, a time in ISO 8601 (Z or an offset; none: UTC), NOW with simple date math
    (NOW-7DAYS), or `*` (open end: None)."""
    if value == "*":
        return None
    now = timezone.now()
    math = DATE_MATH.match(value)
    if math:
        moment = now
        if math.group(1):
            amount = int(math.group(2)) * (1 if math.group(1) == "+" else -1)
            unit = math.group(3).rstrip("S")
            days = {"DAY": 1, "MONTH": 30, "YEAR": 365}.get(unit)
            try:
                moment = moment + (timedelta(days=amount * days) if days else
                                   timedelta(hours=amount) if unit == "HOUR" else
                                   timedelta(minutes=amount))
            except OverflowError:
                raise ValidationFailed(field, f"Date out of range: {value!r}") from None
        if math.group(4) == "DAY":
            moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        elif math.group(4) == "HOUR":
            moment = moment.replace(minute=0, second=0, microsecond=0)
        return moment
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z")
                                        else value)
    except ValueError:
        raise ValidationFailed(field, f"Invalid date: {value!r}") from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def text_condition(word: str) -> Q:
    """A word or phrase in the title, description, keywords, name or publisher: one LIKE over
    the dataset's lower-cased search column (Dataset.search_text, trigram-indexed on
    PostgreSQL)."""
    return text_matches(word)


NOTHING = Q(pk__in=[])


def organization_condition(name: str) -> Q:
    if name == alliance_name():
        return Q(publisher__isnull=True)
    return Q(publisher__slug=name, publisher__status__in=Organisation.PUBLIC_STATUSES)


def organisation_pk(identifier: str) -> int | None:
    """The public organisation whose CKAN id is `identifier`. The ids are uuid5 of the keys and
    cannot be turned back, so the map of all of them is kept in the cache under the public
    organisations' version (how many, the newest change: one query), instead of hashing every
    organisation's key on each request that names an id."""
    public = Organisation.objects.public()
    version = public.aggregate(n=Count("pk"), changed=Max("updated_at"))
    key = f"ckan-org-ids:{settings.SITE_URL}:{version['n']}:{version['changed']}"
    ids = cache.get(key)
    if ids is None:
        ids = {organisation_id(pk): pk for pk in public.values_list("pk", flat=True).iterator()}
        cache.set(key, ids, 3600)
    return ids.get(identifier)


def owner_org_condition(value: str) -> Q:
    if value == alliance_id():
        return Q(publisher__isnull=True)
    pk = organisation_pk(value)
    return NOTHING if pk is None else Q(publisher_id=pk)


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def field_condition(name: str, value: str, field: str, *, is_range: bool = False) -> Q:
    """One `name:value` term of q or fq."""
    if name in ("metadata_modified", "metadata_created"):
        column = "modified" if name == "metadata_modified" else "created_moment"
        if not is_range:
            moment = parse_moment(value, field)
            return Q(**{column: moment}) if moment else Q()
        match = RANGE.match(value)
        if not match:
            raise ValidationFailed(field, f"Invalid range for {name}: {value!r}")
        start, end = parse_moment(match.group(2), field), parse_moment(match.group(3), field)
        condition = Q()
        if start:
            condition &= Q(**{f"{column}__{'gte' if match.group(1) == '[' else 'gt'}": start})
        if end:
            condition &= Q(**{f"{column}__{'lte' if match.group(4) == ']' else 'lt'}": end})
        return condition
    if is_range:
        raise ValidationFailed(field, f"A range is only allowed for metadata_modified and "
                               f"metadata_created, not {name}")
    if value == "*":
        return Q()
    if name == "organization":
        return organization_condition(value)
    if name == "owner_org":
        return owner_org_condition(value)
    if name == "groups":
        key = value.upper()
        return Q(JSONArrayHas("themes", key)) if key in THEMES else NOTHING
    if name == "tags":
        return Q(JSONArrayHas("keywords", value))
    if name == "res_format":
        keys = [term.key for term in FILE_TYPES
                if value.lower() in (term.key.lower(), term.label_de.lower(), term.uri.lower())]
        return (Q(pk__in=Distribution.objects.filter(file_type__in=keys).values("dataset_id"))
                if keys else NOTHING)
    if name == "license_id":
        keys = [term.key for term in LICENCES if value in (term.key, term.uri)]
        return Q(licence__in=keys) if keys else NOTHING
    if name == "name":
        return Q(slug=value)
    if name == "id":
        identifier = _uuid_or_none(value)
        return Q(uid=identifier) if identifier else NOTHING
    if name in ("text", "title", "notes"):
        return text_condition(value)
    if name == "type":
        return Q() if value == "dataset" else NOTHING
    if name in ("state", "capacity", "private", "dataset_type"):
        return Q() if value in ("active", "public", "false", "dataset") else NOTHING
    raise ValidationFailed(field, f"Unknown field {name!r}; allowed: organization, owner_org, "
                           "groups, tags, res_format, license_id, metadata_modified, "
                           "metadata_created, name, id, title, notes, text, type")


class QueryParser:
    """Solr's standard syntax, the part clients send: terms (`word`, `"a phrase"`,
    `field:value`, `field:"a phrase"`, `field:(a OR b)`, `field:[from TO to]`, `*:*`), joined
    by AND (also when only a space separates them), OR, NOT, `+` and `-`, and parentheses."""

    def __init__(self, source: str, field: str):
        self.field = field
        self.tokens = tokenize(source, field)
        self.position = 0
        self.terms = 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.position += 1
        return token

    def parse(self) -> Q:
        if not self.tokens:
            return Q()
        condition = self.expression(None, 0)
        if self.position < len(self.tokens):
            raise ValidationFailed(self.field, "Unbalanced parenthesis")
        return condition

    def expression(self, name: str | None, depth: int) -> Q:
        if depth > QUERY_MAX_DEPTH:
            raise ValidationFailed(self.field, "Too deeply nested")
        condition = self.conjunction(name, depth)
        while self.peek()[1] in ("OR", "||"):
            self.take()
            condition = condition | self.conjunction(name, depth)
        return condition

    def conjunction(self, name: str | None, depth: int) -> Q:
        condition = self.unary(name, depth)
        while True:
            kind, value = self.peek()
            if kind is None or kind == "close" or value in ("OR", "||"):
                return condition
            if value in ("AND", "&&"):
                self.take()
            condition = condition & self.unary(name, depth)

    def unary(self, name: str | None, depth: int) -> Q:
        kind, value = self.peek()
        if kind == "sign" or (kind == "word" and value in ("NOT", "!")):
            self.take()
            if self.peek()[0] in (None, "close"):
                raise ValidationFailed(self.field, f"Nothing after {value}")
            if depth >= QUERY_MAX_DEPTH:
                raise ValidationFailed(self.field, "Too deeply nested")
            inner = self.unary(name, depth + 1)
            return inner if value == "+" else ~inner
        return self.primary(name, depth)

    def primary(self, name: str | None, depth: int) -> Q:
        kind, value = self.take()
        if kind is None:
            raise ValidationFailed(self.field, "Incomplete query")
        if kind == "open":
            condition = self.expression(name, depth + 1)
            if self.take()[0] != "close":
                raise ValidationFailed(self.field, "Unbalanced parenthesis")
            return condition
        if kind in ("close", "sign"):
            raise ValidationFailed(self.field, "Unbalanced parenthesis" if kind == "close"
                                   else "A sign inside a field's value")
        if kind == "all":
            return Q()
        if kind == "field":
            if name is not None:
                raise ValidationFailed(self.field, "A field inside a field's value")
            field_name = value
            if self.peek()[0] in (None, "close"):
                raise ValidationFailed(self.field, f"No value for {field_name}")
            return self.primary(field_name, depth)
        self.terms += 1
        if self.terms > QUERY_MAX_TERMS:
            raise ValidationFailed(self.field, f"At most {QUERY_MAX_TERMS} terms")
        if kind == "quoted":
            value = _unescape(value[1:-1])
        elif kind == "word":
            value = _unescape(value)
        if kind == "range":
            if name is None:
                raise ValidationFailed(self.field, "A range needs a field")
            return field_condition(name, value, self.field, is_range=True)
        if name is None:
            return Q() if value == "*" else text_condition(value)
        return field_condition(name, value, self.field)


def parse_query(source: str, field: str) -> Q:
    if len(source) > QUERY_MAX_LENGTH:
        raise ValidationFailed(field, f"At most {QUERY_MAX_LENGTH} characters")
    return QueryParser(source, field).parse()


def text_words(source: str) -> list[str]:
    """The free words of q (for the score)."""
    try:
        tokens = tokenize(source, "q")
    except ValidationFailed:
        return []
    words, after_field = [], False
    for kind, value in tokens:
        if kind == "field":
            after_field = True
            continue
        if kind in ("word", "quoted") and not after_field and value not in OPERATORS:
            word = _unescape(value.strip('"'))
            if word and word != "*":
                words.append(word)
        after_field = False
    return words[:QUERY_MAX_TERMS]


def _lookups(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _lookups(child)
        elif isinstance(child, tuple):
            names.add(child[0].split("__")[0])
    return names


def searchable(queryset, *conditions: Q, score: bool = False):
    """The queryset filtered by the conditions, with the columns they (and the score) name that
    are not on the model; only those."""
    names = set().union(*(_lookups(condition) for condition in conditions))
    if "created_moment" in names:
        queryset = queryset.annotate(created_moment=Coalesce("issued", "created_at"))
    if score:
        queryset = queryset.annotate(keywords_text=Cast("keywords", TextField()))
    for condition in conditions:
        queryset = queryset.filter(condition)
    return queryset


SORT_FIELDS = {
    "score": None, "metadata_modified": "modified", "metadata_created": "created_moment",
    "name": "slug", "title_string": "title_de", "title": "title_de", "id": "uid",
}


UNIQUE_SORT_COLUMNS = {"slug", "uid"}


def order(queryset, terms: list[tuple[str, bool]], words: list[str]):
    ordering = []
    for name, descending in terms:
        if name == "score":
            if not words:
                continue
            score = sum((Case(When(Q(title_de__icontains=word) | Q(title_en__icontains=word),
                                   then=Value(2)),
                              When(Q(keywords_text__icontains=word), then=Value(1)),
                              default=Value(0), output_field=IntegerField())
                         for word in words), Value(0))
            queryset = queryset.annotate(score=score)
            column = "score"
        else:
            column = SORT_FIELDS[name]
        ordering.append(f"-{column}" if descending else column)
    # The key breaks ties, unless the last column is unique itself: then ORDER BY can read its
    # index instead of sorting every match (100 rows by name from 5,000 on: 39 -> 7 ms).
    if not ordering or ordering[-1].lstrip("-") not in UNIQUE_SORT_COLUMNS:
        ordering.append("pk")
    return queryset.order_by(*ordering)


# --- Facets --------------------------------------------------------------------------------------

def _where_of(matching) -> tuple[str, list]:
    """The WHERE of a queryset of datasets on the table itself (published(): its state) when it
    joins nothing, else `id IN (its keys)`: a self-join over every dataset costs as much as
    the counting (bench/opendata.py)."""
    table = Dataset._meta.db_table
    query = matching.query
    if set(query.alias_map) <= {table} and query.where:
        where_sql, where_params = query.where.as_sql(query.get_compiler(connection=connection),
                                                     connection)
        return where_sql, list(where_params)
    sub_sql, sub_params = matching.values("pk").query.sql_with_params()
    return f'"{table}"."id" IN ({sub_sql})', list(sub_params)


def _publisher_counts_of(matching) -> list[tuple[str, str, int]]:
    """(slug, name, datasets) per publisher of the matching datasets (the alliance's under its
    name; publishers no longer public left out): counted by the publisher's key, then joined
    to the few publishers, instead of grouping every dataset by the publisher's texts."""
    counts = (matching.order_by().values("publisher_id").annotate(count=Count("pk"))
              .values("publisher_id", "count"))
    organisations = Organisation._meta.db_table
    sub_sql, sub_params = counts.query.sql_with_params()
    sql = (f'SELECT o."slug", o."name", o."status", c."count" FROM ({sub_sql}) c '  # noqa: S608
           f'LEFT JOIN "{organisations}" o ON o."id" = c."publisher_id"')
    with connection.cursor() as cursor:
        cursor.execute(sql, sub_params)
        rows = cursor.fetchall()
    totals: dict[tuple[str, str], int] = {}
    for slug, name, status, count in rows:
        if slug is None:
            key = (alliance_name(), settings.SITE_NAME)
        elif status in Organisation.PUBLIC_STATUSES:
            key = (slug, name)
        else:
            continue
        totals[key] = totals.get(key, 0) + count
    return [(slug, title, count) for (slug, title), count in totals.items()]


def _json_element_counts(column: str, matching, limit: int) -> list[tuple[str, int]]:
    """(element, datasets) of a JSON list column over the matching datasets (a queryset, or
    the list of their keys), most first."""
    # The table's and our columns' names and Django's compiled subquery; values are parameters.
    table = Dataset._meta.db_table
    postgresql = connection.vendor == "postgresql"
    if isinstance(matching, list):
        keys = [int(key) for key in matching]
        where, params = ((f'"{table}"."id" = ANY(%s)', [keys]) if postgresql else
                         (f'"{table}"."id" IN (SELECT value FROM json_each(%s))',  # noqa: S608
                          [json.dumps(keys)]))
    else:
        where, params = _where_of(matching)
    if postgresql:
        sql = (f'SELECT e.value, COUNT(*) FROM "{table}" '  # noqa: S608
               f'CROSS JOIN LATERAL jsonb_array_elements_text('
               f'CASE WHEN jsonb_typeof("{table}"."{column}") = \'array\' '
               f'THEN "{table}"."{column}" ELSE \'[]\'::jsonb END) AS e(value) '
               f"WHERE {where} GROUP BY e.value ORDER BY COUNT(*) DESC, e.value LIMIT %s")
    else:
        sql = (f'SELECT e.value, COUNT(*) FROM "{table}", '  # noqa: S608
               f'json_each("{table}"."{column}") AS e '
               f"WHERE {where} AND e.type = 'text' GROUP BY e.value "
               f"ORDER BY COUNT(*) DESC, e.value LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, limit))
        return [(value, count) for value, count in cursor.fetchall()]


def facet_counts(name: str, keys: list[int] | None, limit: int) -> list[tuple[str, str, int]]:
    """(name, display name, count) of one facet over the datasets with these keys (None: all
    published ones, without sending their keys back to the database)."""
    matching = (published() if keys is None else Dataset.objects.filter(InArray("pk", keys)))
    subset = matching if keys is None else keys
    if name == "organization":
        items = _publisher_counts_of(matching)
    elif name == "license_id":
        items = [(row["licence"], licence_dict(row["licence"])["title"], row["count"])
                 for row in matching.order_by().values("licence").annotate(count=Count("pk"))]
    elif name == "res_format":
        distributions = (Distribution.objects.filter(dataset__in=matching.values("pk"))
                         if keys is None
                         else Distribution.objects.filter(InArray("dataset_id", keys)))
        items = [(row["file_type"], row["file_type"], row["count"])
                 for row in distributions.order_by().values("file_type")
                 .annotate(count=Count("dataset_id", distinct=True))]
    elif name == "groups":
        items = [(value.lower(), THEMES[value].label_de, count)
                 for value, count in _json_element_counts("themes", subset, limit)
                 if value in THEMES]
    else:  # tags
        items = [(value, value, count)
                 for value, count in _json_element_counts("keywords", subset, limit)]
    items.sort(key=lambda item: (-item[2], item[0]))
    return items[:limit]


FACET_CACHE_SECONDS = 300


def catalogue_stamp() -> str:
    """Changes when a dataset's metadata or an organisation changes (one query): with the keys
    of the matching datasets, the facets' cache key."""
    with connection.cursor() as cursor:
        cursor.execute(  # table and column names only
            f'SELECT (SELECT MAX("modified") FROM "{Dataset._meta.db_table}"), '  # noqa: S608
            f'(SELECT MAX("updated_at") FROM "{Organisation._meta.db_table}")')
        return "|".join(str(value) for value in cursor.fetchone())


def published_stamp() -> tuple[int, str]:
    """How many datasets are published, and a stamp that changes with them (one query): when
    one joins or leaves them however it was changed (how many, the sum of their keys), or a
    dataset's metadata or an organisation changes. The facets of all published datasets are
    cached under it, without reading their keys; the search takes its count from it."""
    where, params = _where_of(published())
    with connection.cursor() as cursor:
        cursor.execute(  # table and column names and the compiled condition only
            f'SELECT COUNT(*), SUM("id"), MAX("modified"), '  # noqa: S608
            f'(SELECT MAX("updated_at") FROM "{Organisation._meta.db_table}") '
            f'FROM "{Dataset._meta.db_table}" WHERE {where}', params)
        row = cursor.fetchone()
    return row[0], "|".join(str(value) for value in row)


def facets_for(fields: list[str], keys: list[int] | None, limit: int, *,
               stamp: str | None = None) -> dict[str, list]:
    """The facets of the matching datasets (their keys; None: every published dataset, whose
    keys need not be read), from the cache while neither the matching set (privacy needs no
    invalidation: a dataset unpublished is not among them, and changes the stamp) nor the
    catalogue's metadata changed; at most FACET_CACHE_SECONDS old otherwise (a distribution's
    format changed without its dataset's `modified`). `stamp`: published_stamp()'s, if read
    already."""
    if not fields or keys == []:
        return {name: [] for name in fields}
    digest = ("all" if keys is None else
              hashlib.sha1(array("q", keys).tobytes(), usedforsecurity=False).hexdigest())
    if stamp is None:
        stamp = published_stamp()[1] if keys is None else catalogue_stamp()
    key = "ckan-facets:" + hashlib.sha1(
        f"{digest}|{stamp}|{catalogue_version()}|{limit}|{','.join(fields)}".encode(),
        usedforsecurity=False).hexdigest()
    found = cache.get(key)
    if found is None:
        found = {name: facet_counts(name, keys, limit) for name in fields}
        cache.set(key, found, FACET_CACHE_SECONDS)
    return found


# --- Actions -------------------------------------------------------------------------------------

def status_show(data: dict) -> dict:
    """The site: CKAN's version whose API this follows, title, address, languages."""
    return {
        "ckan_version": CKAN_VERSION, "site_title": settings.SITE_NAME,
        "site_description": "", "site_url": settings.SITE_URL.rstrip("/"),
        "error_emails_to": None, "locale_default": "de",
        "extensions": ["stadtallianz-readonly-subset"],
    }


def site_read(data: dict) -> bool:
    """True: the catalogue can be read."""
    return True


def package_list(data: dict) -> list[str]:
    """The names of the published datasets, by name; `limit`, `offset`."""
    limit = integer(data, "limit", None)
    offset = integer(data, "offset", 0)
    names = published().order_by("slug").values_list("slug", flat=True)
    if limit is not None:
        return list(names[offset:offset + limit]) if limit else []
    return list(names[offset:])


def package_show(data: dict) -> dict:
    """One published dataset by its id (uid) or name (slug)."""
    identifier = required_id(data)
    key = _uuid_or_none(identifier)
    condition = Q(slug=identifier) | Q(uid=key) if key else Q(slug=identifier)
    dataset = with_relations(published().filter(condition)).first()
    if dataset is None:
        raise NotFound("Dataset")
    return package_dict(dataset)


def resource_show(data: dict) -> dict:
    """One distribution of a published dataset by its id."""
    key = _uuid_or_none(required_id(data))
    distribution = (Distribution.objects.select_related("dataset")
                    .filter(uid=key, dataset__in=published()).first() if key else None)
    if distribution is None:
        raise NotFound("Resource")
    return resource_dict(distribution, distribution.dataset)


def package_search(data: dict) -> dict:
    """Search: q, fq (also fq_list), rows, start, sort, facet, facet.field, facet.limit,
    facet.mincount, include_private/include_drafts (accepted, nothing private is shown)."""
    q = text(data, "q", max_length=QUERY_MAX_LENGTH)
    fq = text(data, "fq", max_length=QUERY_MAX_LENGTH)
    fq_list = string_list(data, "fq_list")
    rows = integer(data, "rows", ROWS_DEFAULT, clamp=ROWS_MAX)
    start = integer(data, "start", 0)
    default_sort = "score desc, metadata_modified desc"
    sort_text = text(data, "sort", max_length=200).strip() or default_sort
    terms = sort_terms({"sort": sort_text}, "sort", SORT_FIELDS, default_sort)
    want_facets = boolean(data, "facet", True)
    facet_fields = string_list(data, "facet.field")
    for name in facet_fields:
        if name not in FACET_FIELDS:
            raise ValidationFailed("facet.field", f"Unknown facet {name!r}; allowed: "
                                   + ", ".join(FACET_FIELDS))
    facet_limit = integer(data, "facet.limit", FACET_LIMIT_DEFAULT, minimum=-1)
    facet_limit = FACET_LIMIT_MAX if facet_limit in (-1, None) else min(facet_limit,
                                                                        FACET_LIMIT_MAX)
    facet_mincount = integer(data, "facet.mincount", 1)

    conditions = [parse_query(q, "q"), parse_query(fq, "fq"),
                  *(parse_query(item, f"fq_list[{number}]")
                    for number, item in enumerate(fq_list))]
    words = text_words(q)
    scored = bool(words) and any(name == "score" for name, _descending in terms)
    matching = searchable(published(), *conditions, score=scored)
    if any(name == "metadata_created" for name, _descending in terms) and (
            "created_moment" not in matching.query.annotations):
        matching = matching.annotate(created_moment=Coalesce("issued", "created_at"))

    ordered = order(matching, terms, words)
    filtered = any(condition.children for condition in conditions)
    if not filtered:
        # Everything: the count and one page, each read from the (state, -modified) index;
        # the facets of all published datasets need not their keys, and their stamp counts.
        count, stamp = (published_stamp() if want_facets and facet_fields
                        else (ordered.count(), None))
        results = (package_dicts(ordered, start, start + rows)
                   if rows and start < count else [])
        keys = None
    else:
        # One pass over the matching datasets gives their keys in order: the count, the page
        # and the facets' subset without matching them again.
        keys = list(ordered.values_list("pk", flat=True))
        count, stamp = len(keys), None
        results = packages_in_order(keys[start:start + rows]) if rows else []
    facets, search_facets = {}, {}
    if want_facets and facet_fields:
        counted = facets_for(list(dict.fromkeys(facet_fields)), keys, facet_limit,
                             stamp=stamp)
        for name, items in counted.items():
            items = [item for item in items if item[2] >= facet_mincount]
            facets[name] = {value: number for value, _title, number in items}
            search_facets[name] = {
                "title": name,
                "items": [{"name": value, "display_name": title, "count": number}
                          for value, title, number in items]}
    return {"count": count, "sort": sort_text, "results": results, "facets": facets,
            "search_facets": search_facets}


def current_package_list_with_resources(data: dict) -> list[dict]:
    """Published datasets with their resources, the most recently modified first; `limit`
    (default 10, at most 1000), `offset` (or `page`)."""
    limit = integer(data, "limit", ROWS_DEFAULT, clamp=ROWS_MAX)
    offset = integer(data, "offset", None)
    if offset is None:
        page = integer(data, "page", 1, minimum=1)
        offset = (page - 1) * limit
    if not limit or offset > 10**9:
        return []
    return package_dicts(published().order_by("-modified", "pk"), offset, offset + limit)


def _publisher_counts() -> tuple[list[tuple[Organisation | None, int]], bool]:
    """The public organisations that publish datasets, with their counts; and the alliance's."""
    counts = dict(published().filter(publisher__status__in=Organisation.PUBLIC_STATUSES)
                  .order_by().values_list("publisher").annotate(count=Count("pk")))
    organisations = Organisation.objects.public().filter(pk__in=list(counts))
    alliance = published().filter(publisher__isnull=True).count()
    result = [(organisation, counts[organisation.pk]) for organisation in organisations]
    if alliance:
        result.append((None, alliance))
    return result, bool(alliance)


GROUP_SORT = {"name": "name", "title": "title", "package_count": "package_count",
              "packages": "package_count"}


def _sorted_page(entries: list[dict], data: dict, *, all_fields: bool) -> list:
    terms = sort_terms(data, "sort", GROUP_SORT, "name asc")
    for name, descending in reversed(terms):
        entries.sort(key=lambda entry: entry[GROUP_SORT[name]], reverse=descending)
    maximum = LIST_ALL_FIELDS_MAX if all_fields else LIST_MAX
    limit = integer(data, "limit", maximum, clamp=maximum)
    offset = integer(data, "offset", 0)
    page = entries[offset:offset + limit]
    if not all_fields:
        return [entry["name"] for entry in page]
    return page


def organization_list(data: dict) -> list:
    """The organisations that publish datasets: names, or with `all_fields` their dicts;
    `sort` (name, title, package_count), `limit`, `offset`, `organizations` (only these)."""
    all_fields = boolean(data, "all_fields", False)
    only = string_list(data, "organizations")
    publishers, _alliance = _publisher_counts()
    entries = [organization_dict(organisation, package_count=count)
               for organisation, count in publishers]
    if only:
        entries = [entry for entry in entries if entry["name"] in only]
    return _sorted_page(entries, data, all_fields=all_fields)


def _find_organisation(identifier: str) -> tuple[Organisation | None, bool]:
    """(organisation, True) for a public organisation, (None, True) for the alliance."""
    if identifier in (alliance_name(), alliance_id()):
        return None, True
    organisation = Organisation.objects.public().filter(slug=identifier).first()
    if organisation is None and _uuid_or_none(identifier):
        pk = organisation_pk(identifier)
        organisation = None if pk is None else Organisation.objects.get(pk=pk)
    return organisation, organisation is not None


def organization_show(data: dict) -> dict:
    """One organisation by id or name, with `include_datasets` its published datasets (at most
    1000, by name)."""
    organisation, found = _find_organisation(required_id(data))
    if not found:
        raise NotFound("Organization")
    datasets = (published().filter(publisher__isnull=True) if organisation is None
                else published().filter(publisher=organisation))
    result = organization_dict(organisation, package_count=datasets.count())
    result.update({"users": [], "extras": [], "tags": [], "groups": []})
    if boolean(data, "include_datasets", False):
        result["packages"] = package_dicts(datasets.order_by("slug"), 0, ROWS_MAX)
    return result


def _theme_counts() -> dict[str, int]:
    return dict(_json_element_counts("themes", published(), len(THEMES.terms) + 100))


def group_list(data: dict) -> list:
    """The EU data themes as groups (all thirteen, with how many datasets each has)."""
    all_fields = boolean(data, "all_fields", False)
    only = string_list(data, "groups")
    counts = _theme_counts()
    entries = [group_dict(theme.key, package_count=counts.get(theme.key, 0))
               for theme in THEMES]
    if only:
        entries = [entry for entry in entries if entry["name"] in only]
    return _sorted_page(entries, data, all_fields=all_fields)


def group_show(data: dict) -> dict:
    """One EU data theme by its code ("tran"), with `include_datasets` its datasets."""
    key = required_id(data).upper()
    if key not in THEMES:
        theme = next((term for term in THEMES if term.uri == required_id(data)), None)
        if theme is None:
            raise NotFound("Group")
        key = theme.key
    datasets = published().filter(JSONArrayHas("themes", key))
    result = group_dict(key, package_count=datasets.count())
    result.update({"users": [], "extras": [], "tags": [], "groups": []})
    if boolean(data, "include_datasets", False):
        result["packages"] = package_dicts(datasets.order_by("slug"), 0, ROWS_MAX)
    return result


def tag_list(data: dict) -> list:
    """The keywords of the published datasets; `query` (part of the name), `all_fields`."""
    query = text(data, "query", max_length=100).strip().lower()
    all_fields = boolean(data, "all_fields", False)
    counts = _json_element_counts("keywords", published(), 100_000)
    names = sorted(name for name, _count in counts if query in name.lower())
    if all_fields:
        return [{"id": tag_id(name), "name": name, "display_name": name,
                 "vocabulary_id": None, "state": "active"} for name in names]
    return names


def license_list(data: dict) -> list[dict]:
    """The licences a dataset may have (dcat-ap.de's licence vocabulary)."""
    return [licence_dict(licence.key) for licence in LICENCES]


def help_show(data: dict) -> str:
    """What an action does (its description)."""
    name = required_id(data, "name")
    function = ACTIONS.get(name)
    if function is None:
        raise NotFound("Action")
    return " ".join((function.__doc__ or "").split())


ACTIONS = {function.__name__: function for function in (
    status_show, site_read, package_list, package_show, resource_show, package_search,
    current_package_list_with_resources, organization_list, organization_show, group_list,
    group_show, tag_list, license_list, help_show)}
