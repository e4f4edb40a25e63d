"""Run periodically (e.g. hourly from cron or a timer): each registered person gets one reminder
about an event that starts within the next 24 hours, as a notification (in the app, and by e-mail
as they chose). Running it twice never reminds twice: the registration is marked, and the
notification's key (registration and start time) is unique per person."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat
from stadtallianz.events import services


class Command(BaseCommand):
    help = "Reminds registered people of events starting in the next 24 hours (once each)."

    # Its last success (or error) is what the operator's health endpoint reports
    # (docs/monitoring.md).
    @heartbeat.job("send_event_reminders")
    def handle(self, *args, **options):
        sent = services.send_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
