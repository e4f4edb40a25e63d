"""Run periodically (e.g. hourly from cron or a timer): each registered person gets one reminder
about an event that starts within the next 24 hours."""

from django.core.management.base import BaseCommand

from stadtallianz.events import services


class Command(BaseCommand):
    help = "E-mails registered people about events starting in the next 24 hours (once each)."

    def handle(self, *args, **options):
        sent = services.send_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
