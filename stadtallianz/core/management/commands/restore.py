"""`stadtallianz restore <directory>`: a backup of `stadtallianz backup` into the database of
DATABASE_URL and the folders MEDIA_ROOT and PRIVATE_MEDIA_ROOT, which must be empty (or
--replace-existing). Checksums are verified first; afterwards the rows and files are compared
with the manifest, and any difference is a non-zero exit (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseError

from stadtallianz.core import backup


class Command(BaseCommand):
    help = ("Restores a backup into an empty database and empty MEDIA_ROOT/PRIVATE_MEDIA_ROOT, "
            "then compares rows and files with its manifest (docs/backup.md).")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A directory written by `backup`.")
        parser.add_argument(
            "--replace-existing", action="store_true",
            help="Restore even though the database has tables or the folders have files: the "
                 "backup's tables replace those of the same name, its files overwrite those of "
                 "the same name (other files stay).")

    def handle(self, *args, directory: Path, replace_existing: bool, **options):
        try:
            result = backup.restore_backup(directory, replace=replace_existing,
                                           progress=self.stdout.write)
        except (backup.BackupError, DatabaseError, OSError) as error:
            raise CommandError(f"Restore failed: {error}") from error
        for line in result.report:
            self.stdout.write(f"  {line}")
        if result.unknown_migrations:
            self.stdout.write(self.style.WARNING(
                "The backup was made by a newer release (migrations this checkout does not "
                f"have: {', '.join(result.unknown_migrations)}). Check out that release before "
                "starting the platform."))
        if result.problems:
            raise CommandError("The restored data does not match the backup:\n  "
                               + "\n  ".join(result.problems))
        self.stdout.write(self.style.SUCCESS("Restored; rows and files match the backup."))
        if result.migrate_needed:
            self.stdout.write(self.style.WARNING(
                "This checkout has migrations the backup's database has not applied (a backup "
                "of an older release): run `stadtallianz migrate` before starting the platform."))
        self.stdout.write("Next: the environment file with the original SECRET_KEY, "
                          "`collectstatic`, then start the services (docs/backup.md).")
