"""Nightly backups in one folder (docs/backup.md "Nightly"): `stadtallianz backup --into FOLDER
--keep-days N`, as deploy/systemd/stadtallianz-backup.service runs it. Each run writes a complete
backup into a new directory named after the time and only then removes the backups that option
made more than N days ago. Whatever else an operator keeps in the folder (a backup named by hand,
a half-written folder of a killed run, a link, a note) is never removed. Run as an operator
would, in subprocesses, on PostgreSQL and on SQLite."""

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from stadtallianz.core.tests.test_backup_restore import Instance

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?$")


def _source(scratch, tmp_path, app: str = "contenttypes") -> Instance:
    source = Instance("the original", scratch.new("rotate_source"), tmp_path / "source")
    # Some apps' tables are enough (test_backup_restore.py restores a whole instance).
    source.run("migrate", app, "--noinput", "-v0")
    source.private.mkdir(parents=True)
    (source.private / "members-only.pdf").write_bytes(b"%PDF- a members-only document")
    return source


def _stamped(folder):
    return sorted(path.name for path in folder.iterdir() if STAMP.match(path.name))


def _copy_made(backup, target, *, days_ago: float, format_=None):
    """A copy of a real backup whose manifest says it was made `days_ago` days ago."""
    shutil.copytree(backup, target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["created_at"] = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(
        timespec="seconds")
    if format_ is not None:
        manifest["format"] = format_
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def test_nightly_backups_are_timestamped_and_only_expired_ones_of_into_are_removed(
        scratch, tmp_path):
    # core: its heartbeat table records each nightly run for /healthz/processes.
    source = _source(scratch, tmp_path, "core")
    folder = tmp_path / "backups"

    first = source.run("backup", "--into", str(folder), "--keep-days", "14")
    [name] = _stamped(folder)
    made = folder / name
    assert f"Backup written to {made}" in first.stdout
    assert "0 backups removed" in first.stdout
    assert (made / "manifest.json").is_file()
    assert made.stat().st_mode & 0o777 == 0o700
    assert json.loads((made / "manifest.json").read_text())["folders"]["private_media"][
        "files"] == 1

    # What a folder holds after months of nights and an operator's work in it.
    expired = _copy_made(made, folder / "2026-01-01T023000Z", days_ago=20)
    expired_second = _copy_made(made, folder / "2026-01-01T023000Z-2", days_ago=15)
    recent = _copy_made(made, folder / "2026-01-07T023000Z", days_ago=13)
    by_hand = _copy_made(made, folder / "before-upgrade-0.2", days_ago=40)
    other_format = _copy_made(made, folder / "2025-06-01T023000Z", days_ago=90, format_=99)
    half_written = folder / "2025-07-01T023000Z"
    shutil.copytree(made, half_written)
    (half_written / "manifest.json").unlink()
    partial = folder / ".2025-08-01T023000Z.partial-k1ll3d"
    shutil.copytree(made, partial)
    outside = _copy_made(made, tmp_path / "elsewhere" / "2025-01-01T023000Z", days_ago=60)
    link = folder / "2025-01-01T023000Z"
    link.symlink_to(outside, target_is_directory=True)
    note = folder / "README.txt"
    note.write_text("Copied to the city's backup system at 04:00.")

    second = source.run("backup", "--into", str(folder), "--keep-days", "14")
    assert "2 backups removed" in second.stdout
    assert not expired.exists() and not expired_second.exists()
    for kept in (made, recent, by_hand, other_format, half_written, partial, note, outside):
        assert kept.exists(), kept
    assert link.is_symlink()
    assert "Left alone" in second.stdout and half_written.name in second.stdout \
        and by_hand.name in second.stdout
    newest = max(set(_stamped(folder)) - {made.name, recent.name, other_format.name,
                                           half_written.name, link.name})
    assert newest > made.name

    # /healthz/processes sees the nightly runs (job:backup), the last one successful.
    beat = source.run("shell", "-c", "from stadtallianz.core.models import ProcessHeartbeat; "
                                     "beat = ProcessHeartbeat.objects.get(name='job:backup'); "
                                     "print(bool(beat.last_success), repr(beat.last_error))")
    assert beat.stdout.strip().splitlines()[-1] == "True ''"

    # The newest of them restores like any other backup.
    target = Instance("the restored instance", scratch.new("rotate_target"), tmp_path / "target")
    result = target.run("restore", str(folder / newest))
    assert "Restored; rows and files match the backup." in result.stdout
    assert (target.private / "members-only.pdf").read_bytes() == \
        (source.private / "members-only.pdf").read_bytes()


def test_a_failed_backup_removes_nothing_and_wrong_options_are_refused(scratch, tmp_path):
    source = _source(scratch, tmp_path)
    folder = tmp_path / "backups"
    source.run("backup", "--into", str(folder))
    [name] = _stamped(folder)
    expired = _copy_made(folder / name, folder / "2026-01-01T023000Z", days_ago=30)
    (folder / name).rename(tmp_path / "moved-away")  # only the expired one is left

    # The database is gone (a wrong DATABASE_URL, the server down): no new backup, so the
    # expired one stays, and nothing half-written is left.
    if scratch.is_postgresql:
        url = urlsplit(source.environment["DATABASE_URL"])
        source.environment["DATABASE_URL"] = url._replace(path=url.path + "_absent").geturl()
    else:
        source.environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'absent.sqlite3'}"
    result = source.run("backup", "--into", str(folder), "--keep-days", "14", check=False)
    assert result.returncode == 1
    assert "Backup failed" in result.stderr
    assert sorted(path.name for path in folder.iterdir()) == [expired.name]

    for arguments, message in (
            ([str(tmp_path / "one"), "--into", str(folder)], "either a new DIRECTORY"),
            ([], "either a new DIRECTORY"),
            ([str(tmp_path / "one"), "--keep-days", "14"], "--into FOLDER only"),
            (["--into", str(folder), "--keep-days", "0"], "at least 1 day")):
        result = source.run("backup", *arguments, check=False)
        assert result.returncode != 0, arguments
        assert message in result.stderr, (arguments, result.stderr)
    assert sorted(path.name for path in folder.iterdir()) == [expired.name]
    assert not (tmp_path / "one").exists()
