"""Run daily (a timer, like the retention job): archives the partner-search notices whose expiry
has passed and asks their owners to renew them. Running it twice archives and tells nobody
twice: an archived notice is no longer open, and the notification's key names the notice and
its expiry."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat
from stadtallianz.partnering import services


class Command(BaseCommand):
    help = "Archives expired partner-search notices and asks their owners to renew them."

    # Its last success (or error) is what the operator's health endpoint reports
    # (docs/monitoring.md).
    @heartbeat.job("archive_expired_notices")
    def handle(self, *args, **options):
        archived = services.archive_expired()
        self.stdout.write(f"{archived} notice(s) archived.")
