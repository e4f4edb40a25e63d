"""`stadtallianz restore <directory>`: a backup of `stadtallianz backup` into the database of
DATABASE_URL and the folders MEDIA_ROOT and PRIVATE_MEDIA_ROOT, which must be empty (or
--replace-existing). Before anything is written, the manifest's signature (SECRET_KEY), its
every key, the checksums and every member of the archives are checked; afterwards the rows and
files are compared with the manifest. Any failure or difference is exit status 1 with the reason
(docs/backup.md), never a traceback."""

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
        parser.add_argument(
            "--skip-signature-check", action="store_true",
            help="Restore although the manifest is not signed with this SECRET_KEY: only when "
                 "the original SECRET_KEY is lost and this copy comes from your own backup "
                 "storage (docs/backup.md). Every other check still runs.")

    def handle(self, *args, directory: Path, replace_existing: bool, skip_signature_check: bool,
               **options):
        if skip_signature_check:
            self.stdout.write(self.style.WARNING(
                "The manifest's signature is not checked (--skip-signature-check)."))
        try:
            result = backup.restore_backup(directory, replace=replace_existing,
                                           check_signature=not skip_signature_check,
                                           progress=self.stdout.write)
        except backup.RestoreError as error:
            raise CommandError(f"Restore failed after the database was replaced: {error}") \
                from error
        except (backup.BackupError, DatabaseError, OSError) as error:
            # Everything before the database is replaced: its failures write nothing (pg_restore
            # runs in one transaction, the SQLite file is renamed into place).
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
