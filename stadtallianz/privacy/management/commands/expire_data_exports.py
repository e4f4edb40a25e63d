"""`stadtallianz expire_data_exports`: deletes the ZIP files of data exports whose link has
expired (DATA_EXPORT_VALID_DAYS). Run it daily, with the digest (docs/privacy.md)."""

from django.core.management.base import BaseCommand

from stadtallianz.privacy.services import expire_exports


class Command(BaseCommand):
    help = "Deletes the files of expired data exports."

    def handle(self, *args, **options):
        count = expire_exports()
        self.stdout.write(f"{count} expired data export(s) deleted.")
