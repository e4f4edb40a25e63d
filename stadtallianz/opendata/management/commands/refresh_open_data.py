"""Daily (and on demand): the living labs' datasets synced with their datastreams, and the
platform's own datasets made anew where stale or older than a day (`--force`: all)."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat
from stadtallianz.opendata import alliance_data
from stadtallianz.opendata.sync import sync_lab_datasets


class Command(BaseCommand):
    help = "Syncs the living labs' datasets and rebuilds the platform's open-data files."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Rebuild every platform file, stale or not.")

    # Its last success (or error) is what the operator's health endpoint reports
    # (docs/monitoring.md).
    @heartbeat.job("refresh_open_data")
    def handle(self, *args, force=False, **options):
        self.stdout.write("Living labs' datasets …")
        result = sync_lab_datasets()
        self.stdout.write(f"  {result.published} published, {result.withdrawn} withdrawn, "
                          f"{result.changed} changed")
        self.stdout.write("Platform datasets …")
        changed = alliance_data.refresh(force=force,
                                   progress=lambda slug: self.stdout.write(f"  {slug} rebuilt"))
        self.stdout.write(self.style.SUCCESS(f"Done: {changed} platform dataset(s) changed."))
