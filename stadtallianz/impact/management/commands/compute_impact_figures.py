"""Nightly: the figures that move with time alone (the data availability of the last 30 days,
the working groups' last 12 months) are recomputed, and the cache is filled for every
language so the first visitor of the day waits for nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from stadtallianz.core import heartbeat
from stadtallianz.impact import cache
from stadtallianz.impact.figures import key_figures


class Command(BaseCommand):
    help = "Recomputes the impact dashboard's key figures and fills the cache (run nightly)."

    @heartbeat.job("compute_impact_figures")
    def handle(self, *args, **options):
        cache.invalidate(streams=True)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                figures = key_figures()
        self.stdout.write(f"{len(figures)} key figures recomputed for "
                          f"{len(settings.LANGUAGES)} languages.")
