"""Fetching entity rows for collections and `$expand`, with a number of queries that does not
grow with the number of entities: one query per collection and one per `$expand` level (plus
one for a nested `$count`).

A nested `$expand` with its own `$top`/`$skip`/`$orderby` (e.g. the latest observation of each
datastream: `Datastreams?$expand=Observations($top=1;$orderby=phenomenonTime desc)`) takes the
first rows of every parent in one query: on PostgreSQL a LATERAL join over the parent ids, built
from the compiled SQL of the ORM query and its parameters, so each parent is one index probe of
(datastream, phenomenon_time_start); elsewhere (SQLite) a ROW_NUMBER() window.

Every queryset starts from filter.visible_queryset, so the privacy rules apply to expanded
datastreams and observations exactly as to the top level.

What a read fetches is bounded in bytes as well as in rows: a row may carry large JSON
(results, parameters, properties, geometries within the input limits), and 20,000 such rows
would be gigabytes before the encoder's byte bound (encode.py) is ever reached. So a read
fetches at most STA_MAX_RESPONSE_BYTES of text across all its queries (`fetch_budget`): every
value fetched is written into the answer at least once, so a read that needs more could not be
answered within that bound anyway. On PostgreSQL the rows are FETCHed from a server-side cursor in
chunks sized to what is left of the budget, and the cursor is closed at the bound, so the worker
never holds more. The top-level page is cut there (its
nextLink continues it; it gets half the budget when entities are expanded into it), an expanded
collection that does not fit is a 400, as the encoder's bound is.
"""

import contextlib
import contextvars
import itertools
import json
import time
from operator import itemgetter
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

try:
    from psycopg.types.datetime import TimestamptzLoader
except ImportError:  # no PostgreSQL driver: the lateral join is never used
    TimestamptzLoader = None

from ..entities import ENTITY_TYPES, EntityType
from ..errors import StaError
from .encode import EntityList, Expanded, max_bytes, too_large
from .filter import compile_filter, compile_orderby
from .options import Expand, Options, selected
from .serialize import model_fields, row_json
from .visibility import visible_queryset


def needed_fields(entity: EntityType, options: Options) -> list[str]:
    """Model attributes to fetch: the selected properties, plus the foreign keys of expanded
    to-one navigations."""
    properties, _navigations = selected(entity, options)
    fields = model_fields(entity, properties)
    for item in options.expand:
        navigation = entity.navigations[item.navigation]
        if not navigation.to_many:
            fields.append(f"{navigation.accessor}_id")
    return fields


def ordering(entity: EntityType, options: Options, caller) -> list:
    """$orderby, then the id, so that pages never overlap or miss an entity."""
    order = compile_orderby(options.orderby, entity, caller) if options.orderby else []
    return [*order, F("id").asc()]


def filtered(entity: EntityType, queryset, options: Options, caller):
    if options.filter:
        queryset = queryset.filter(compile_filter(options.filter, entity, caller))
    return queryset


def serialize_rows(entity: EntityType, rows: list[dict], options: Options, caller,
                   base_url: str) -> list[dict]:
    properties, navigations = selected(entity, options)
    outs = [row_json(entity, row, base_url, properties, navigations) for row in rows]
    if options.expand:  # marked for the encoder (encode.py), which writes them part by part
        names = tuple(item.navigation for item in options.expand)
        shared = expands_to_one(entity, options)
        outs = [Expanded(out) for out in outs]
        for out in outs:
            out.expanded, out.shared = names, shared
    for item in options.expand:
        expand(entity, rows, outs, item, caller, base_url)
    return outs


def expands_to_one(entity: EntityType, options: Options) -> bool:
    """Whether a to-one navigation is expanded here or deeper: the one way the same entity
    object ends up under several parents (encode.Expanded.shared)."""
    for item in options.expand:
        navigation = entity.navigations[item.navigation]
        if not navigation.to_many or expands_to_one(ENTITY_TYPES[navigation.target],
                                                    item.options):
            return True
    return False


def expand(entity: EntityType, rows: list[dict], outs: list[dict], item: Expand, caller,
           base_url: str) -> None:
    if not rows:
        return
    navigation = entity.navigations[item.navigation]
    target = ENTITY_TYPES[navigation.target]
    options = item.options
    queryset = filtered(target, visible_queryset(target, caller), options, caller)
    fields = needed_fields(target, options)
    if not navigation.to_many:
        key = f"{navigation.accessor}_id"
        wanted = {row[key] for row in rows if row.get(key) is not None}
        children, cut = fetch(queryset.filter(id__in=wanted).values(*fields))
        if cut:
            raise too_large(max_bytes())
        child_outs = serialize_rows(target, children, options, caller, base_url)
        by_id = {child["id"]: out for child, out in zip(children, child_outs, strict=True)}
        for row, out in zip(rows, outs, strict=True):
            child = by_id.get(row.get(key))
            if child is not None:
                out[navigation.name] = child
        return
    parent_ids = sorted({row["id"] for row in rows})
    limit, skip = options.limit, options.skip
    children_by_parent, more = first_rows_per_parent(
        queryset, navigation.reverse, parent_ids, ordering(target, options, caller), fields,
        skip, limit)
    all_children = [child for children in children_by_parent.values() for child in children]
    child_outs = serialize_rows(target, all_children, options, caller, base_url)
    out_of = {id(child): out for child, out in zip(all_children, child_outs, strict=True)}
    counts = {}
    if options.count:
        counts = dict(queryset.filter(**{f"{navigation.reverse}__in": parent_ids})
                      .order_by().values_list(navigation.reverse)
                      .annotate(n=Count("id", distinct=True)).values_list(navigation.reverse,
                                                                          "n"))
    # The same options for every parent: the query of the next links is built once.
    next_query = next_link("", options.raw, skip + limit, limit)
    for row, out in zip(rows, outs, strict=True):
        children = children_by_parent.get(row["id"], [])
        if options.count:
            out[f"{navigation.name}@iot.count"] = counts.get(row["id"], 0)
        out[navigation.name] = EntityList(out_of[id(child)] for child in children)
        if limit > 0 and row["id"] in more:
            out[f"{navigation.name}@iot.nextLink"] = (
                f"{base_url}/{entity.set_name}({row['id']})/{navigation.name}{next_query}")


def next_link(link: str, raw: dict, skip: int, top: int) -> str:
    params = {**raw, "$top": str(top), "$skip": str(skip)}
    query = "&".join(f"{quote(name, safe='$')}={quote(value, safe=SAFE)}"
                     for name, value in params.items())
    return f"{link}?{query}"


SAFE = "$(),'/:;@*"


# What one read may fetch across all its $expand levels together (settings.STA_MAX_ENTITIES):
# a bound on the memory and time of one request, whatever its shape. The answer's size in bytes
# is bounded separately (encode.py). The latest observation of 5,000 datastreams is 10,000
# entities; 10,000 observations with their datastream 20,000.
DEFAULT_MAX_ENTITIES = 20_000
# When a request would read more, its nested pages are made smaller until at least this many
# top-level entities (or its whole page, if smaller) fit; then the top-level page is cut.
KEPT_PAGE = 10


def max_entities() -> int:
    return int(getattr(settings, "STA_MAX_ENTITIES", DEFAULT_MAX_ENTITIES))


def entity_cost(entity: EntityType, options: Options) -> int:
    """The most entities one entity read with these options brings along, itself included: an
    expanded collection its page size times the cost of each of its entities, a to-one
    navigation the cost of its one entity."""
    cost = 1
    for item in options.expand:
        navigation = entity.navigations[item.navigation]
        child = entity_cost(ENTITY_TYPES[navigation.target], item.options)
        cost += child * item.options.limit if navigation.to_many else child
    return cost


def _largest_nested_page(entity: EntityType, options: Options) -> Options | None:
    """The options of the expanded collection with the largest page, at any level."""
    largest = None
    for item in options.expand:
        navigation = entity.navigations[item.navigation]
        if navigation.to_many and (largest is None or item.options.limit > largest.limit):
            largest = item.options
        deeper = _largest_nested_page(ENTITY_TYPES[navigation.target], item.options)
        if deeper is not None and (largest is None or deeper.limit > largest.limit):
            largest = deeper
    return largest


def bound_work(entity: EntityType, options: Options, page: int) -> int:
    """The page size to serve for `page` entities of `entity` with these options, so that the
    whole read fetches at most max_entities() entities. Decided before any query runs: the
    largest nested page is halved until KEPT_PAGE entities fit (each cut nested collection then
    carries its `<Navigation>@iot.nextLink`, as at the top level), then the top-level page is
    cut to what fits (its @iot.nextLink continues it). A read whose single entity cannot be made
    to fit is a 400 (only possible with hundreds of $expand items)."""
    budget = max_entities()
    kept = max(1, min(page, KEPT_PAGE))
    while entity_cost(entity, options) * kept > budget:
        largest = _largest_nested_page(entity, options)
        if largest is None or largest.limit <= 1:
            break
        largest.top = largest.limit // 2
    cost = entity_cost(entity, options)
    if cost > budget:
        raise StaError(f"This $expand would read {cost} entities for each {entity.name}; a "
                       f"request may read at most {budget}. Expand fewer navigation "
                       "properties.", 400)
    return min(page, budget // cost)


def _check_size(count: int, allowed: int) -> None:
    """A safety net behind bound_work: never reached when its plan holds."""
    if count > allowed:
        raise StaError(f"$expand would return more than {allowed} entities; ask for fewer "
                       "with $top (also inside the $expand) or a $filter.", 400)


def first_rows_per_parent(queryset, reverse: str, parent_ids: list, order: list,
                          fields: list[str], skip: int, limit: int) -> tuple[dict, set]:
    """({parent id: [rows]}, {ids of parents with more rows}): for every parent, its rows
    skip+1 … skip+limit in `order`. One row more is read to know whether more follow."""
    if not parent_ids:
        return {}, set()
    if connection.vendor == "postgresql":
        return _lateral(queryset, reverse, parent_ids, order, fields, skip, limit)
    numbered = (queryset.filter(**{f"{reverse}__in": parent_ids})
                .annotate(_parent=F(reverse),
                          _row=Window(RowNumber(), partition_by=[F(reverse)], order_by=order))
                .filter(_row__gt=skip, _row__lte=skip + limit + 1)
                .order_by())
    result: dict = {}
    more = set()
    allowed = _allowed_rows(parent_ids, limit)
    rows, cut = _bounded_rows(numbered.values(*fields, "_parent", "_row")[:allowed + 1],
                              _text_fields(queryset.model, fields))
    if cut:
        raise too_large(max_bytes())
    _check_size(len(rows), allowed)
    for row in sorted(rows, key=lambda r: (r["_parent"], r["_row"])):
        parent = row.pop("_parent")
        if row.pop("_row") > skip + limit:
            more.add(parent)
        else:
            result.setdefault(parent, []).append(row)
    return result, more


def _allowed_rows(parent_ids: list, limit: int) -> int:
    """Rows one expanded collection may read: its planned page for every parent plus the one
    look-ahead row each (bound_work keeps the pages within max_entities())."""
    return min(len(parent_ids) * (limit + 1), max_entities() + len(parent_ids))


# The bytes of text the current read may still fetch (a one-item list, so that every level of
# the read draws from the same budget); None outside a SensorThings read: no bound.
_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("sta_fetch_budget",
                                                                        default=None)
# Rows SQLite's path reads at a time while a budget applies.
FETCH_CHUNK = 200
# What a fixed-size value (a number, a time, a boolean) counts, roughly its text.
FIXED_VALUE_BYTES = 8


@contextlib.contextmanager
def fetch_budget(limit: int):
    """Bounds what the reads in this block fetch, together, to `limit` bytes of text."""
    token = _budget.set([limit])
    try:
        yield
    finally:
        _budget.reset(token)


def fetch(values_queryset, *, share: float = 1.0) -> tuple[list[dict], bool]:
    """(the rows of a `.values(...)` queryset, whether they were cut at the fetch budget; at
    most `share` of what is left of it is used, the first row is always kept). On PostgreSQL
    the compiled SQL runs on a cursor with psycopg's C timestamp loader, which for large pages
    of observations is several times faster than Django's per-value converters (same SQL,
    same parameters)."""
    text = _text_fields(values_queryset.model, list(values_queryset.query.values_select))
    if connection.vendor != "postgresql":
        return _bounded_rows(values_queryset, text, share)
    try:
        sql, params = values_queryset.query.sql_with_params()
    except EmptyResultSet:
        return [], False
    names, rows, cut = _execute(sql, params, text, share)
    return _dicts(values_queryset.model, names, rows), cut


def _text_fields(model, names) -> set[str]:
    """The fields among `names` whose values vary in size (text, JSON, geometry): the ones the
    budget counts by their length."""
    fixed = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "FloatField",
             "DateTimeField", "DateField", "BooleanField", "ForeignKey", "PositiveIntegerField",
             "SmallIntegerField", "PositiveSmallIntegerField", "DecimalField", "UUIDField"}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return {name for name in names
            if name in fields and fields[name].get_internal_type() not in fixed}


def _take(budget: list[int] | None, share: float):
    """A function that counts a row's bytes and says whether it still fits."""
    if budget is None:
        return lambda _size: True
    allowed = int(budget[0] * share)
    used = [0]

    def fits(size: int) -> bool:
        if used[0] and used[0] + size > allowed:
            return False
        used[0] += size
        budget[0] -= size
        return True

    return fits


def _size(value) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict | list):
        return len(json.dumps(value, ensure_ascii=False, default=str))
    return FIXED_VALUE_BYTES


def _bounded_rows(values_queryset, text: set[str], share: float = 1.0
                  ) -> tuple[list[dict], bool]:
    """The rows of a queryset (SQLite's path), until the budget is spent."""
    fits = _take(_budget.get(), share)
    rows = []
    for row in values_queryset.iterator(chunk_size=FETCH_CHUNK):
        if not fits(sum(_size(row[name]) for name in text if name in row)
                    + FIXED_VALUE_BYTES * len(row)):
            return rows, True
        rows.append(row)
    return rows, False


def _execute(sql: str, params, text: set[str] | None = None, share: float = 1.0,
             *, skip_columns: int = 0) -> tuple[list[str], list[tuple], bool]:
    """(column names, rows, whether they were cut at the fetch budget). `skip_columns`: leading
    columns that are not the model's (the lateral join's parent id)."""
    budget = _budget.get()
    if budget is not None:
        return _through_cursor(sql, params, text or set(), budget, share, skip_columns)
    with connection.cursor() as cursor:
        # psycopg's own (C) loader of timestamptz instead of Django's Python one, which only
        # forces the time zone: the session's zone is UTC already.
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall(), False


# Rows of the first FETCH of a bounded read; later ones are sized from the rows seen so far, so
# that a chunk holds about what is left of the budget (between the two bounds).
FIRST_CHUNK, LARGEST_CHUNK = 100, 5000


def _through_cursor(sql: str, params, text: set[str], budget: list[int], share: float,
                    skip_columns: int) -> tuple[list[str], list[tuple], bool]:
    """Runs the query on a server-side cursor and FETCHes it in chunks until the budget is
    spent; then closes the cursor (nothing is cancelled, the read's transaction goes on)."""
    allowed = int(budget[0] * share)
    started = time.monotonic()
    rows, used, cut = [], 0, False
    # Errors as Django's (a statement timeout must stay recognisable to read.py).
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor(
            name=f"sta_fetch_{next(_cursor_names)}",
            withhold=not connection.in_atomic_block)  # DECLARE needs a transaction otherwise
        try:
            cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            sized = [index for index, name in enumerate(names)
                     if index >= skip_columns and name in text]
            fixed = FIXED_VALUE_BYTES * len(names)
            chunk_size = FIRST_CHUNK
            while chunk := cursor.fetchmany(chunk_size):
                size = fixed * len(chunk) + sum(
                    sum(map(len, filter(None, map(itemgetter(index), chunk))))
                    for index in sized)
                if used + size > allowed:  # the row that passes the bound, and none after it
                    for values in chunk:
                        row_size = fixed + sum(len(values[index]) for index in sized
                                               if values[index])
                        if rows and used + row_size > allowed:
                            cut = True
                            break
                        rows.append(values)
                        used += row_size
                    break
                rows.extend(chunk)
                used += size
                if len(chunk) < chunk_size:
                    break  # the last rows: no further FETCH
                chunk_size = max(10, min(LARGEST_CHUNK,
                                         (allowed - used) * len(rows) // max(used, 1)))
        finally:
            cursor.close()
    budget[0] -= used
    # Counted like every query Django runs (the tests count the queries of a read).
    if connection.queries_logged:
        connection.queries_log.append({"sql": connection.ops.compose_sql(sql, params),
                                       "time": f"{time.monotonic() - started:.3f}"})
    return names, rows, cut


_cursor_names = itertools.count()


def _json_indexes(model, names: list[str]) -> list[int]:
    json_columns = {f.attname for f in model._meta.concrete_fields
                    if f.get_internal_type() == "JSONField"}
    return [index for index, name in enumerate(names) if name in json_columns]


def _dicts(model, names: list[str], rows, json_here: list[int] | None = None) -> list[dict]:
    """Rows as dicts, JSON columns decoded (Django reads jsonb as text). `json_here`: the
    indexes of the JSON columns, when the caller converts many groups of the same columns."""
    if json_here is None:
        json_here = _json_indexes(model, names)
    out = [dict(zip(names, values, strict=True)) for values in rows]
    for index in json_here:
        name = names[index]
        for row in out:
            value = row[name]
            if isinstance(value, str):
                row[name] = json.loads(value)
    return out


def _lateral(queryset, reverse, parent_ids, order, fields, skip, limit) -> tuple[dict, set]:
    inner = (queryset.filter(**{reverse: RawSQL('"sta_parent"."id"', ())})
             .order_by(*order).values(*fields)[skip:skip + limit + 1])
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # e.g. a geospatial condition that no geometry meets
        return {}, set()
    # A lateral join is always a nested loop: each parent's rows come out in the order of the
    # inner ORDER BY, so the outer query needs none.
    # `sql` is the compiled ORM query, every value in `params`.
    statement = (f'SELECT "sta_parent"."id", "sta_rows".* FROM unnest(%s::bigint[]) '  # noqa: S608
                 f'AS "sta_parent"("id") CROSS JOIN LATERAL ({sql}) AS "sta_rows" LIMIT %s')
    allowed = _allowed_rows(parent_ids, limit)
    names, rows, cut = _execute(statement, [parent_ids, *params, allowed + 1],
                                _text_fields(queryset.model, fields), skip_columns=1)
    if cut:
        raise too_large(max_bytes())
    _check_size(len(rows), allowed)
    grouped: dict = {}
    for values in rows:
        grouped.setdefault(values[0], []).append(values[1:])
    result, more = {}, set()
    names = names[1:]
    json_here = _json_indexes(queryset.model, names)
    for parent, group in grouped.items():
        if len(group) > limit:  # the extra row only says that more follow: not converted
            more.add(parent)
        result[parent] = _dicts(queryset.model, names, group[:limit], json_here)
    return result, more
