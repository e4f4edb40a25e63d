"""GET requests of the SensorThings API: collections, entities, navigation, properties,
`$value`, `$ref` and `$resultFormat=dataArray`, with all query options.

Every path segment is resolved against the caller's view of the data (filter.visible_queryset):
a restricted datastream does not exist for an outsider, whether it is addressed directly, through
a navigation (Things(1)/Datastreams), through `$expand`, `$filter`, `$count` or a next link.
"""

import gc
import json
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, StreamingHttpResponse

from ..entities import ENTITY_TYPES
from ..errors import StaError, bad_request, not_found
from ..paths import ResourcePath
from .encode import encode_entity, encode_page, max_bytes
from .expand import (
    bound_work,
    entity_cost,
    fetch,
    fetch_budget,
    filtered,
    needed_fields,
    next_link,
    ordering,
    serialize_rows,
)
from .options import check, parse_options
from .serialize import base_url_of, model_fields, property_value
from .visibility import visible_queryset

logger = logging.getLogger(__name__)
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE when statement_timeout stops a statement

DATA_ARRAY_COMPONENTS = ["id", "phenomenonTime", "resultTime", "result", "resultQuality",
                         "validTime", "parameters"]


JSON_TYPE = "application/json; charset=utf-8"


def json_response(body, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                                   default=str),
                        content_type=JSON_TYPE, status=status)


@contextmanager
def cyclic_gc_paused():
    """Pauses Python's cycle collector while a response is built. A page of thousands of
    entities allocates hundreds of thousands of dicts and strings, none of them in reference
    cycles (reference counting frees them); left on, the collector walks them repeatedly and
    adds up to a hundred milliseconds to the slowest requests."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def query_time_limit():
    """On PostgreSQL the request's queries run in one transaction with a statement timeout
    (settings.STA_QUERY_TIMEOUT_MS), so a query over millions of rows (a $filter through
    Datastreams/Observations, $orderby=result, $count, a huge $skip) is stopped instead of
    occupying the database. SQLite (embedded and development use) has no such limit."""
    milliseconds = int(getattr(settings, "STA_QUERY_TIMEOUT_MS", 0) or 0)
    if connection.vendor != "postgresql" or milliseconds <= 0:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The rows are read through a server-side cursor (expand.fetch): planned for all of
            # them, as a plain query would be, not for the first tenth.
            cursor.execute("SELECT set_config('statement_timeout', %s, true), "
                           "set_config('cursor_tuple_fraction', '1', true)",
                           [str(milliseconds)])
        yield


def _was_canceled(error: BaseException) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED \
        or getattr(cause, "pgcode", None) == QUERY_CANCELED


def handle(request, caller, path: ResourcePath):
    with cyclic_gc_paused(), query_time_limit(), fetch_budget(max_bytes()):
        return _handle(request, caller, path)


def _handle(request, caller, path: ResourcePath):
    base_url = base_url_of(request)
    options = parse_options(request.GET.items())
    if options.result_format and not (path.entity.name == "Observation"
                                      and path.is_collection and not path.ref):
        raise bad_request("$resultFormat=dataArray is only available on collections of "
                          "Observations.")
    check(path.entity, options)
    try:
        queryset = resolve(path, caller)
        if path.property_name:
            return property_response(path, queryset)
        if path.ref:
            return ref_response(request, path, queryset, options, caller, base_url)
        if path.is_collection:
            if options.result_format:
                return data_array_response(request, queryset, options, caller, base_url)
            return collection_response(request, path, queryset, options, caller, base_url)
        return entity_response(path, queryset, options, caller, base_url)
    except (DatabaseError, OverflowError) as error:  # e.g. a JSON property that is no number
        if isinstance(error, DatabaseError) and _was_canceled(error):
            limit = settings.STA_QUERY_TIMEOUT_MS
            raise StaError(f"The query took longer than {limit} ms and was stopped. Narrow it: "
                           "a $filter on phenomenonTime or on one datastream, a smaller $skip, "
                           "no $count or $orderby over all observations.", 503) from None
        # The database's text may quote SQL: it is logged, never sent.
        logger.info("SensorThings query refused by the database: %s", error)
        raise bad_request("The query could not be answered: check $filter and $orderby "
                          "(a value of the wrong type, e.g. text where a number is needed, a "
                          "time or number out of range, a division by zero).") from None


def resolve(path: ResourcePath, caller):
    """The queryset of the path's target: one query per segment before the last."""
    parent_id = None
    last = len(path.segments) - 1
    for index, segment in enumerate(path.segments):
        queryset = visible_queryset(segment.entity, caller)
        if segment.navigation is not None:
            queryset = queryset.filter(**{segment.navigation.reverse: parent_id})
        if segment.id is not None:
            queryset = queryset.filter(id=segment.id)
        if index == last:
            return queryset
        parent_id = queryset.values_list("id", flat=True).first()
        if parent_id is None:
            raise not_found(f"{segment.entity.name} not found at this path.")
    raise not_found()


def collection_page(path_entity, queryset, options, caller, fields, page=None):
    """(rows of the page, count or None, whether more rows follow). `page`: the number of rows
    to serve (the request's $top unless bound_work made it smaller)."""
    queryset = filtered(path_entity, queryset, options, caller)
    count = queryset.count() if options.count else None
    limit = options.limit if page is None else page
    # Half of the fetch budget when expanded entities still have to be fetched into the page.
    rows, cut = fetch(queryset.order_by(*ordering(path_entity, options, caller))
                      .values(*fields)[options.skip:options.skip + limit + 1],
                      share=0.5 if options.expand else 1.0)
    # $top=0 asks for the count only (QGIS does): a next link would repeat the same empty page.
    more = limit > 0 and (len(rows) > limit or cut)
    return rows[:limit], count, more


def page_response(request, values, count, more, options):
    """The page as JSON: as many of `values` as the byte bound allows (encode.py); the next link
    continues after the last one written, with the request's own $top."""
    head = {} if count is None else {"@iot.count": count}

    def tail(written: int) -> dict:
        if not (more or written < len(values)):
            return {}
        return {"@iot.nextLink": next_link(request.build_absolute_uri(request.path),
                                           options.raw, options.skip + written,
                                           options.limit)}

    parts, _written = encode_page(head, values, tail)
    return bytes_response(parts)


# Answers up to this size are sent in one piece; larger ones are streamed from their parts
# (encode.py), so the worker does not hold a second, joined copy of them.
STREAM_AFTER_BYTES = 1024 * 1024
STREAM_CHUNK_BYTES = 256 * 1024


def bytes_response(parts: list[bytes]):
    size = sum(len(part) for part in parts)
    if size <= STREAM_AFTER_BYTES:
        return HttpResponse(b"".join(parts), content_type=JSON_TYPE)
    response = StreamingHttpResponse(_chunks(parts), content_type=JSON_TYPE)
    response["Content-Length"] = str(size)
    return response


def _chunks(parts: list[bytes]):
    """Groups the many small parts into chunks of about STREAM_CHUNK_BYTES, releasing each
    part once it is sent."""
    parts.reverse()
    chunk, size = [], 0
    while parts:
        part = parts.pop()
        chunk.append(part)
        size += len(part)
        if size >= STREAM_CHUNK_BYTES:
            yield b"".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield b"".join(chunk)


# Reads planned to fetch more entities than settings.STA_EXPENSIVE_ENTITIES are "large". They
# run one at a time in each server process, and on PostgreSQL at most
# settings.STA_EXPENSIVE_READS at a time across all processes (a transaction-scoped advisory lock
# per slot, released with the read's transaction, also when a worker dies). A large read that
# finds no slot is a 503 with Retry-After at once, rather than waiting, which would hold a
# thread: so every process keeps a thread, and the machine keeps CPU, for small reads, pages
# and /healthz, however many large $expand requests arrive together.
DEFAULT_EXPENSIVE_ENTITIES = 5000
DEFAULT_EXPENSIVE_READS = 2
ADVISORY_LOCK_CLASS = 0x57A  # the first key of the advisory locks of these slots ("STA")
_expensive_reads = threading.BoundedSemaphore(1)


def _busy(limit: int) -> StaError:
    error = StaError("The server is answering other large requests; try again in a second, or "
                     f"ask for at most {limit} entities (a smaller $top, also inside $expand).",
                     503)
    error.retry_after = 1
    return error


def _server_wide_slot() -> bool:
    """Takes one of the STA_EXPENSIVE_READS slots for the current transaction (PostgreSQL, inside
    query_time_limit's transaction); True elsewhere, where only the per-process limit holds."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return True
    slots = int(getattr(settings, "STA_EXPENSIVE_READS", DEFAULT_EXPENSIVE_READS))
    with connection.cursor() as cursor:
        for slot in range(slots):
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)",
                           [ADVISORY_LOCK_CLASS, slot])
            if cursor.fetchone()[0]:
                return True
    return False


@contextmanager
def expensive_read_slot(planned_entities: int):
    limit = int(getattr(settings, "STA_EXPENSIVE_ENTITIES", DEFAULT_EXPENSIVE_ENTITIES))
    if planned_entities <= limit:
        yield
        return
    if not _expensive_reads.acquire(blocking=False):
        raise _busy(limit)
    try:
        if not _server_wide_slot():
            raise _busy(limit)
        yield
    finally:
        _expensive_reads.release()


def collection_response(request, path, queryset, options, caller, base_url):
    entity = path.entity
    page = bound_work(entity, options, options.limit)
    with expensive_read_slot(page * entity_cost(entity, options)):
        rows, count, more = collection_page(entity, queryset, options, caller,
                                            needed_fields(entity, options), page)
        values = serialize_rows(entity, rows, options, caller, base_url)
        return page_response(request, values, count, more, options)


def entity_response(path, queryset, options, caller, base_url):
    entity = path.entity
    bound_work(entity, options, 1)
    with expensive_read_slot(entity_cost(entity, options)):
        row = queryset.values(*needed_fields(entity, options)).first()
        if row is None:
            raise not_found(f"{entity.name} not found.")
        return bytes_response(encode_entity(serialize_rows(entity, [row], options, caller,
                                                           base_url)[0]))


def property_response(path, queryset):
    entity = path.entity
    prop = entity.properties[path.property_name]
    row = queryset.values(*model_fields(entity, {prop.name})).first()
    if row is None:
        raise not_found(f"{entity.name} not found.")
    value = row["id"] if prop.kind == "id" else property_value(prop, row)
    if value is None:
        return HttpResponse(status=204)
    if path.value:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    return json_response({prop.name: value})


def ref_response(request, path, queryset, options, caller, base_url):
    entity = path.entity
    if not path.is_collection:
        row = queryset.values("id").first()
        if row is None:
            raise not_found(f"{entity.name} not found.")
        return json_response({"@iot.selfLink": f"{base_url}/{entity.set_name}({row['id']})"})
    rows, count, more = collection_page(entity, queryset, options, caller, ["id"])
    values = [{"@iot.selfLink": f"{base_url}/{entity.set_name}({row['id']})"} for row in rows]
    return page_response(request, values, count, more, options)


def data_array_response(request, queryset, options, caller, base_url):
    """Observations grouped per datastream as dataArray (standard, section 14.3)."""
    entity = ENTITY_TYPES["Observation"]
    components = list(options.select or DATA_ARRAY_COMPONENTS)
    components = ["id" if name == "@iot.id" else name for name in components]
    for name in components:
        if name not in entity.properties:
            raise bad_request(f"$select: {name} is not a property of Observation; a dataArray "
                              "holds properties only.")
    fields = [*model_fields(entity, set(components)), "datastream_id"]
    rows, count, more = collection_page(entity, queryset, options, caller, fields)
    groups: dict[int, list] = {}
    for row in rows:
        groups.setdefault(row["datastream_id"], []).append(
            [row["id"] if name == "id" else property_value(entity.properties[name], row)
             for name in components])
    values = [{"Datastream@iot.navigationLink": f"{base_url}/Datastreams({datastream_id})",
               "components": components, "dataArray@iot.count": len(data), "dataArray": data}
              for datastream_id, data in groups.items()]
    return page_response(request, values, count, more, options)


__all__ = ["handle"]
