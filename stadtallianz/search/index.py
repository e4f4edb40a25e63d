"""Keeping the search index: one small function per type turns an object into an entry, or into
None when nobody but its authors or moderators may see it (then it is not in the index).

`reindex(type, pks)` brings the entries of some objects up to date (the signals call it after
commit); `rebuild()` writes the whole index anew in batches (`rebuild_search_index`).
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet, Value
from django.utils import translation

from stadtallianz.core.models import FocusArea

from .compounds import index_words
from .models import SearchEntry
from .text import stem_text

# A thread with years of replies is still one entry; beyond this its text is not searched.
TEXT_LIMIT = 20_000
BATCH_SIZE = 500

Through = SearchEntry.focus_areas.through


@dataclass
class Entry:
    """What the index keeps about one object."""

    title_de: str
    url: str
    title_en: str = ""
    text: str = ""  # in German, or in whatever language untranslated content is written
    text_en: str = ""  # the English translation, where the object has one
    members_only: bool = False
    group_id: int | None = None
    focus_area_ids: list[int] = field(default_factory=list)


@dataclass
class Indexer:
    type: str
    queryset: Callable[[], QuerySet]  # the objects, with what `entry` reads prefetched
    entry: Callable[[object], Entry | None]
    # Entries that depend on this object's visibility or focus areas: [(type, pks), ...]
    dependents: Callable[[int], list[tuple[str, list[int]]]] = lambda pk: []


INDEXERS: dict[str, Indexer] = {}


def register(type_: str, *, queryset, dependents=None):
    def decorate(entry):
        INDEXERS[type_] = Indexer(type_, queryset, entry, dependents or (lambda pk: []))
        return entry

    return decorate


# ---------------------------------------------------------------------------------------------
# Helpers for the indexers


def path_of(obj) -> str:
    """The object's page in the default language (shown in the reader's, see `localised`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return obj.get_absolute_url()


def localised(path: str, language: str) -> str:
    prefix = f"/{settings.LANGUAGE_CODE}/"
    if path.startswith(prefix):
        return f"/{language}/{path[len(prefix):]}"
    return path


def join_texts(*texts: str) -> str:
    """The texts, each once (an English text is often a copy of the German), cut to the limit."""
    seen = []
    for text in texts:
        text = (text or "").strip()
        if text and text not in seen:
            seen.append(text)
    return "\n\n".join(seen)[:TEXT_LIMIT]


def focus_prefetch(path: str = "focus_areas") -> Prefetch:
    return Prefetch(path, queryset=FocusArea.objects.only("pk"))


def ids(related) -> list[int]:
    return [obj.pk for obj in related.all()]


# ---------------------------------------------------------------------------------------------
# Writing entries


def _delete(type_: str, object_ids: Iterable[int] | None) -> None:
    """Removes the entries of these objects (None: of every object of the type)."""
    entries = SearchEntry.objects.filter(type=type_)
    if object_ids is not None:
        entries = entries.filter(object_id__in=list(object_ids))
    entry_ids = list(entries.values_list("pk", flat=True))
    for start in range(0, len(entry_ids), BATCH_SIZE):
        batch = entry_ids[start:start + BATCH_SIZE]
        if connection.vendor == "sqlite":
            placeholders = ", ".join(["%s"] * len(batch))
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({placeholders})",  # noqa: S608
                               batch)
        Through.objects.filter(searchentry_id__in=batch).delete()
        SearchEntry.objects.filter(pk__in=batch).delete()


# Identifiers with digits ("HORIZON-CL5-2026-09-D4-03", "DIGITAL-2027-CLOUD-AI-07-LDT", a date
# 2026-09-15): PostgreSQL's parser reads "-2027" as a signed number and puts a hyphenated part
# ("CLOUD-AI") as a whole word before its parts, so the query's words (split at hyphens, as
# SQLite's index does) would not follow each other. Indexed with spaces for their hyphens, they
# do, and the query's phrase finds them. Hyphenated words without digits are left as they are.
HYPHENATED_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)+")


def _pg_words(text: str) -> str:
    return HYPHENATED_RE.sub(
        lambda match: match.group().replace("-", " ") if any(
            char.isdigit() for char in match.group()) else match.group(), text)


def _vectors(title: str, text: str) -> dict:
    """PostgreSQL: the vectors computed in the INSERT itself (an UPDATE afterwards would leave
    a dead copy of every row behind). The extra words of compounds and -s plurals
    (compounds.py) follow the title and the text, with their weights."""
    title, text = _pg_words(title), _pg_words(text)
    title_vector = SearchVector(Value(f"{title}\n{index_words(title)}"), weight="A",
                                config="german")
    return {"title_vector": title_vector,
            "vector": title_vector + SearchVector(Value(f"{text}\n{index_words(text)}"),
                                                  weight="B", config="german")}


def _fts_row(title: str, text: str) -> tuple[str, str]:
    """SQLite: the FTS5 row's title and text as stems, each followed by its extra words."""
    return (f"{stem_text(title)} {stem_text(index_words(title))}",
            f"{stem_text(text)} {stem_text(index_words(text))}")


def _insert(type_: str, entries: dict[int, Entry | None]) -> int:
    postgresql = connection.vendor == "postgresql"
    rows = []
    for pk, entry in entries.items():
        if entry is None:
            continue
        title_de, title_en = entry.title_de[:300], entry.title_en[:300]
        text_en = "" if entry.text_en.strip() == entry.text.strip() else entry.text_en
        searched = f"{entry.text}\n\n{text_en}"[:TEXT_LIMIT * 2]
        vectors = _vectors(f"{title_de} {title_en}", searched) if postgresql else {}
        rows.append(SearchEntry(type=type_, object_id=pk, title_de=title_de, title_en=title_en,
                                text=entry.text, text_en=text_en, url=entry.url,
                                members_only=entry.members_only, group_id=entry.group_id,
                                **vectors))
    if not rows:
        return 0
    SearchEntry.objects.bulk_create(rows)  # sets the primary keys on both databases
    Through.objects.bulk_create([
        Through(searchentry_id=row.pk, focusarea_id=area)
        for row in rows for area in set(entries[row.object_id].focus_area_ids)])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fts(rowid, title, text) VALUES (%s, %s, %s)",
                [(row.pk, *_fts_row(f"{row.title_de} {row.title_en}",
                                    f"{row.text}\n\n{row.text_en}"))
                 for row in rows])
    return len(rows)


def _entries(indexer: Indexer, pks: list[int]) -> dict[int, Entry | None]:
    objects = {obj.pk: obj for obj in indexer.queryset().filter(pk__in=pks)}
    return {pk: indexer.entry(objects[pk]) if pk in objects else None for pk in pks}


def reindex(type_: str, pks: Iterable[int]) -> None:
    """Brings the entries of these objects up to date: written, changed, or removed when the
    object is gone or nobody but its authors may see it any more."""
    pks = sorted(set(pks))
    if not pks:
        return
    with transaction.atomic():
        _lock(type_, pks)
        # Read after the lock: a reindex that waited writes what is newest, not what it saw.
        entries = _entries(INDEXERS[type_], pks)
        _delete(type_, pks)
        _insert(type_, entries)


def _lock(type_: str, pks: list[int]) -> None:
    """PostgreSQL: two reindexes of one object (two after-commit hooks at once) take turns;
    otherwise both would delete, then both insert, and the second hit the unique constraint.
    SQLite lets one writer in at a time anyway."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(int.from_bytes(hashlib.blake2b(f"search:{type_}:{pk}".encode(),
                                                  digest_size=8).digest(), "big", signed=True)
                  for pk in pks)  # one order for everyone: no deadlock between two sets
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def reindex_of(type_: str, objects_of: Callable[[int], QuerySet], pk: int) -> None:
    """Reindexes the objects of `type_` whose entries show something of another object (a
    programme's calls): `objects_of(pk)` names them."""
    reindex(type_, objects_of(pk).values_list("pk", flat=True))


def reindex_with_dependents(type_: str, pk: int) -> None:
    reindex(type_, [pk])
    for dependent_type, pks in INDEXERS[type_].dependents(pk):
        reindex(dependent_type, pks)


def rebuild(types: Iterable[str] | None = None, *, batch_size: int = BATCH_SIZE,
            progress: Callable[[str, int, int, int], None] | None = None) -> int:
    """Writes the index of these types (all by default) anew; returns the number of entries.
    Each batch is one transaction: an interrupted rebuild leaves a smaller, not a broken index.
    `progress(type, done, total, indexed)` is called after each batch."""
    total_indexed = 0
    for type_ in types or list(INDEXERS):
        indexer = INDEXERS[type_]
        _delete(type_, None)
        pks = list(indexer.queryset().order_by("pk").values_list("pk", flat=True))
        indexed = 0
        for start in range(0, len(pks), batch_size):
            batch = pks[start:start + batch_size]
            entries = _entries(indexer, batch)
            with transaction.atomic():
                indexed += _insert(type_, entries)
            if progress:
                progress(type_, start + len(batch), len(pks), indexed)
        if progress and not pks:
            progress(type_, 0, 0, 0)
        total_indexed += indexed
    # Fresh statistics: without them SQLite's planner walks the type index and probes the FTS5
    # table row by row instead of starting from the full-text match (ten times slower).
    # PostgreSQL also reclaims the deleted rows' space at once (not possible in a transaction).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE search_searchentry")
    return total_indexed
