"""Run periodically (e.g. hourly from cron or a timer, like send_event_reminders): reminds the
followers of a call (and the consortia applying, through funding.signals) 30, 14 and 3 days
before each deadline, and closes open calls whose last deadline has passed. Running it twice
never reminds twice (funding/reminders.py)."""

from django.core.management.base import BaseCommand

from stadtallianz.core import heartbeat
from stadtallianz.funding import reminders


class Command(BaseCommand):
    help = "Reminds followers of funding calls 30, 14 and 3 days before each deadline (once)."

    @heartbeat.job("send_funding_reminders")
    def handle(self, *args, **options):
        sent = reminders.send_reminders()
        closed = reminders.close_passed_calls()
        self.stdout.write(f"{sent} reminder(s) sent.")
        if closed:
            self.stdout.write(f"{closed} call(s) closed: their last deadline has passed.")
