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
"""

import json
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
from .encode import EntityList, Expanded
from .filter import compile_filter, compile_orderby, visible_queryset
from .options import Expand, Options, selected
from .serialize import model_fields, row_json


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
        children = fetch(queryset.filter(id__in=wanted).values(*fields))
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
    rows = list(numbered.values(*fields, "_parent", "_row")[:allowed + 1])
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


def fetch(values_queryset) -> list[dict]:
    """The rows of a `.values(...)` queryset. On PostgreSQL the compiled SQL runs on a cursor
    with psycopg's C timestamp loader, which for large pages of observations is several times
    faster than Django's per-value converters (same SQL, same parameters)."""
    if connection.vendor != "postgresql":
        return list(values_queryset)
    try:
        sql, params = values_queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    names, rows = _execute(sql, params)
    return _dicts(values_queryset.model, names, rows)


def _execute(sql: str, params) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        # psycopg's own (C) loader of timestamptz instead of Django's Python one, which only
        # forces the time zone: the session's zone is UTC already.
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall()


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
    names, rows = _execute(statement, [parent_ids, *params, allowed + 1])
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
