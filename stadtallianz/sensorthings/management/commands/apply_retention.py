"""Run once a day (timer or cron): deletes the raw observations each datastream keeps no longer
(`retention_days`), in batches, while the hourly aggregates and aggregated windows stay; and
the records of rejected device messages beyond their bounds (deadletters.prune). A second run
deletes nothing more until more data has aged."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat
from stadtallianz.sensorthings import deadletters, ingest


class Command(BaseCommand):
    help = ("Deletes raw observations older than each datastream's retention period; hourly "
            "aggregates are kept.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=10000,
                            help="rows deleted per transaction (default 10000)")

    # Its last success (or error) is what the operator's health endpoint reports
    # (docs/monitoring.md).
    @heartbeat.job("apply_retention")
    def handle(self, *args, **options):
        streams: dict[int, tuple[str, int]] = {}

        def progress(datastream, deleted):
            streams[datastream.pk] = (datastream.name, deleted)
            # Long runs show that they advance; every batch at -v 2.
            if options["verbosity"] > 1 or deleted % (options["batch_size"] * 10) == 0:
                self.stdout.write(f"Datastream {datastream.pk} ({datastream.name}): "
                                  f"{deleted} deleted so far …")

        total = ingest.apply_retention(batch_size=options["batch_size"], progress=progress)
        for datastream_id, (name, deleted) in sorted(streams.items()):
            self.stdout.write(f"Datastream {datastream_id} ({name}): {deleted} raw "
                              "observation(s) deleted.")
        self.stdout.write(f"{total} raw observation(s) deleted in {len(streams)} "
                          "datastream(s); hourly aggregates kept.")
        pruned = deadletters.prune()
        self.stdout.write(f"{pruned} record(s) of rejected device messages deleted (older than "
                          f"{deadletters.RejectedMessage.KEEP_DAYS} days or beyond the newest "
                          f"{deadletters.RejectedMessage.KEEP_PER_LAB} of their lab).")
