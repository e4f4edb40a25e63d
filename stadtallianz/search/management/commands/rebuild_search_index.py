"""`stadtallianz rebuild_search_index`: writes the search index anew from the data.

Needed once after installing or upgrading to a version with a changed index, after bulk imports
that bypass the signals, and to repair. Safe to run while the platform serves requests: each
batch is its own transaction (results of a type being rebuilt are incomplete for that time).
"""

import time

from django.core.management.base import BaseCommand

from stadtallianz.search.index import BATCH_SIZE, INDEXERS, rebuild


class Command(BaseCommand):
    help = "Writes the search index anew (all types, or those given with --type)."

    def add_arguments(self, parser):
        parser.add_argument("--type", action="append", choices=sorted(INDEXERS), dest="types",
                            help="Only this type (repeatable).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, types=None, batch_size=BATCH_SIZE, **options):
        started = time.perf_counter()
        last = {"type": None, "at": 0.0}

        def progress(type_, done, total, indexed):
            now = time.perf_counter()
            # A line per type, and every two seconds while a large type runs.
            if done == total or type_ != last["type"] or now - last["at"] >= 2:
                self.stdout.write(f"  {type_}: {done} / {total} objects, {indexed} indexed")
                last.update(type=type_, at=now)

        count = rebuild(types, batch_size=batch_size, progress=progress)
        self.stdout.write(self.style.SUCCESS(
            f"Search index rebuilt: {count} entries in {time.perf_counter() - started:.1f} s."))
