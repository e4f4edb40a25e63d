"""`stadtallianz backup <directory>`: everything a restore needs, in one new directory
(docs/backup.md): the database, MEDIA_ROOT, PRIVATE_MEDIA_ROOT and a manifest with checksums.
The environment file is not part of it; the command ends by saying so."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseError

from stadtallianz.core import backup


class Command(BaseCommand):
    help = ("Backs up the database, MEDIA_ROOT and PRIVATE_MEDIA_ROOT into a new directory, "
            "with a manifest (docs/backup.md). The environment file is not included.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path,
                            help="A directory that does not exist yet (or is empty).")

    def handle(self, *args, directory: Path, **options):
        try:
            result = backup.make_backup(directory, progress=self.stdout.write)
        except (backup.BackupError, DatabaseError, OSError) as error:
            raise CommandError(f"Backup failed, nothing was written to {directory}: {error}") \
                from error
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {result.directory} in {result.seconds:.1f} s: "
            f"{sum(manifest['rows'].values())} rows, "
            + ", ".join(f"{folder['files']} files of {folder['setting']}"
                        for folder in manifest["folders"].values()) + "."))
        self.stdout.write(self.style.WARNING(backup.ENVIRONMENT_REMINDER))
