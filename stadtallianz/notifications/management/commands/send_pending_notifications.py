"""Run every few minutes (timer or cron): sends notification e-mails that are due: a first try
that failed (SMTP down) or was never queued, with back-off between attempts, and failed digests;
and the platform's other e-mails (confirmations, resets, invitations, letter of intent) whose
first try failed (core/mail.py)."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat, mail
from stadtallianz.notifications import services


class Command(BaseCommand):
    help = "Sends due notification e-mails again (retries with back-off)."

    # Its last success (or error) is what the operator's health endpoint reports
    # (docs/monitoring.md).
    @heartbeat.job("send_pending_notifications")
    def handle(self, *args, **options):
        def progress(done, total):
            if options["verbosity"] > 1 or done == total or done % 100 == 0:
                self.stdout.write(f"{done}/{total} people")

        sent = services.send_pending(progress=progress)
        self.stdout.write(f"{sent} e-mail(s) sent.")
        kept = mail.send_kept()
        self.stdout.write(f"{kept} kept e-mail(s) sent.")
