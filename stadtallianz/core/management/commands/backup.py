"""`stadtallianz backup <directory>`: everything a restore needs, in one new directory
(docs/backup.md): the database, MEDIA_ROOT, PRIVATE_MEDIA_ROOT and a manifest with checksums.
The environment file is not part of it; the command ends by saying so.

`stadtallianz backup --into <folder> [--keep-days N]`: the same in a new timestamped directory
inside the folder, then (only after it is complete) the backups made that way more than N days
ago are removed. This is what the nightly unit runs (deploy/systemd/stadtallianz-backup.service),
so the unit needs no shell for the date nor `find … -exec rm` for the rotation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseError

from stadtallianz.core import backup, heartbeat


def _days(value: str) -> int:
    import argparse

    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError("at least 1 day: the newest backups must be kept")
    return days


class Command(BaseCommand):
    help = ("Backs up the database, MEDIA_ROOT and PRIVATE_MEDIA_ROOT into a new directory, "
            "with a manifest (docs/backup.md). The environment file is not included.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, nargs="?",
                            help="A directory that does not exist yet (or is empty).")
        parser.add_argument("--into", type=Path, metavar="FOLDER",
                            help="Instead of DIRECTORY: a new directory named after the time "
                                 "(UTC, e.g. 2026-12-06T023000Z) inside FOLDER.")
        parser.add_argument("--keep-days", type=_days, metavar="N",
                            help="With --into: afterwards remove the backups --into made in "
                                 "FOLDER more than N days ago (by their manifest). Nothing else "
                                 "in FOLDER is touched.")

    def handle(self, *args, directory: Path | None, into: Path | None, keep_days: int | None,
               **options):
        if (directory is None) == (into is None):
            raise CommandError("Give either a new DIRECTORY or --into FOLDER.")
        if keep_days is not None and into is None:
            raise CommandError("--keep-days removes old backups of --into FOLDER only.")
        rotation = None
        try:
            if into is not None:
                # The nightly run: its success or error is what /healthz/processes reports as
                # "job:backup" (OPS_EXPECTED_PROCESSES=job:backup=93600 makes a missed night
                # unhealthy).
                with heartbeat.job("backup"):
                    result, rotation = backup.backup_into(into, keep_days=keep_days,
                                                          progress=self.stdout.write)
            else:
                result = backup.make_backup(directory, progress=self.stdout.write)
        except backup.RotationError as error:
            # Exit status 1 (the unit fails and alerts) although the new backup is complete.
            raise CommandError(str(error)) from error
        except (backup.BackupError, DatabaseError, OSError) as error:
            where = directory if into is None else f"a new directory in {into}"
            raise CommandError(f"Backup failed, nothing was written to {where}: {error}") \
                from error
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {result.directory} in {result.seconds:.1f} s: "
            f"{sum(manifest['rows'].values())} rows, "
            + ", ".join(f"{folder['files']} files of {folder['setting']}"
                        for folder in manifest["folders"].values()) + "."))
        if rotation is not None:
            self.stdout.write(f"Older than {keep_days} days: {len(rotation.removed)} backups "
                              f"removed from {into}.")
            if rotation.ignored:
                # A half-written folder of a killed run, a backup named by hand, other files:
                # never removed by the command, named so the operator decides.
                self.stdout.write(self.style.WARNING(
                    f"Left alone in {into} (not a complete backup of --into): "
                    + ", ".join(path.name for path in rotation.ignored)))
        self.stdout.write(self.style.WARNING(backup.ENVIRONMENT_REMINDER))
