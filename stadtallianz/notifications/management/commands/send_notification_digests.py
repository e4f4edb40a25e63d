"""Run once a day (timer or cron, e.g. 07:00): each person who chose the daily summary gets one
e-mail with their un-emailed notifications of the past day. A second run sends nothing twice."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat
from stadtallianz.notifications import services


class Command(BaseCommand):
    help = "Sends the daily notification digest to everyone who chose it (idempotent)."

    # Its last success (or error) is what the operator's health endpoint reports
    # (docs/monitoring.md).
    @heartbeat.job("send_notification_digests")
    def handle(self, *args, **options):
        def progress(done, total):
            if options["verbosity"] > 1 or done == total or done % 100 == 0:
                self.stdout.write(f"{done}/{total} people")

        emails, carried = services.send_digests(progress=progress)
        self.stdout.write(f"{emails} digest(s) sent with {carried} notification(s).")
