"""Backups that restore: the database, MEDIA_ROOT and PRIVATE_MEDIA_ROOT, and a manifest.

`stadtallianz backup <directory>` and `stadtallianz restore <directory>` (docs/backup.md) are thin
commands over this module; `stadtallianz backup --into <folder> --keep-days N` (the nightly
deploy/systemd/stadtallianz-backup.service) writes a timestamped backup inside the folder and then
removes the complete backups it made there more than N days ago. A backup directory holds

- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3` (SQLite, a copy
  made with SQLite's online backup API),
- `media.tar` (MEDIA_ROOT: logos, idea images) and `private-media.tar` (PRIVATE_MEDIA_ROOT: the
  knowledge exchange's documents, some members-only),
- `manifest.json`: when, which database vendor, the applied migrations' leaf per app, the rows
  per model, files and bytes per folder, the files the database names that were missing, the
  sha256 of each part, and an HMAC of all that keyed from SECRET_KEY (a restore refuses a
  manifest another key signed or someone changed).

A restore checks the whole backup before it touches the database, and takes where each part
goes only from this module (DATABASE_PARTS, FOLDERS), never from the manifest.

Row counts and migrations are read from the very state that is dumped (PostgreSQL: the snapshot
pg_dump is given; SQLite: the copy), so a restore compares like with like while the platform
keeps running during the backup. The database is dumped before the folders are archived: a
document uploaded in between is an extra file in the archive (harmless), never a row whose file
is missing.

The environment file is not part of a backup: it holds the database password and SECRET_KEY,
which API token hashes, dedupe keys, signed links and sessions depend on. It is kept separately.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_PARTS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Folder key -> (setting naming the folder, archive name).
FOLDERS = {
    "media": ("MEDIA_ROOT", "media.tar"),
    "private_media": ("PRIVATE_MEDIA_ROOT", "private-media.tar"),
}
ENVIRONMENT_REMINDER = (
    "The environment file (e.g. /etc/stadtallianz.env) is NOT in this backup. Keep a copy of it "
    "separately and safely: its SECRET_KEY must be the same on a restored instance, or API token "
    "hashes, dedupe keys, signed links and sessions stop working; it also holds the database "
    "password.")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------
# Shared helpers


def vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    name = connections[alias].vendor
    if name not in DATABASE_PARTS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {name}.")
    return name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def counted_models() -> list[type[models.Model]]:
    """Every concrete table of the installed apps, many-to-many tables included."""
    return [model for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy]


def code_leaves() -> dict[str, list[str]]:
    """The migrations each app of this checkout ends in (normally one per app)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves: dict[str, list[str]] = {}
    for app_label, name in loader.graph.leaf_nodes():
        leaves.setdefault(app_label, []).append(name)
    return {label: sorted(names) for label, names in sorted(leaves.items())}


def applied_leaves(applied: set[tuple[str, str]]) -> dict[str, str]:
    """Per app, the applied migration no other applied migration of the app depends on. Read
    from the migration graph of this checkout; a migration it does not know (a newer release's)
    is compared by name, as Django names them in order."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    per_app: dict[str, set[str]] = {}
    for app_label, name in applied:
        per_app.setdefault(app_label, set()).add(name)
    leaves = {}
    for app_label, names in sorted(per_app.items()):
        known = {name for name in names if (app_label, name) in loader.graph.nodes}
        unknown = names - known
        if unknown:
            leaves[app_label] = max(unknown)
            continue
        # A leaf among the applied: none of the app's other applied migrations has it as an
        # ancestor below itself.
        candidates = [name for name in known
                      if not any((app_label, name) in loader.graph.forwards_plan((app_label, other))
                                 and other != name for other in known)]
        leaves[app_label] = max(candidates)
    return leaves


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _seal(root: Path) -> None:
    """Readable by the owner only (password hashes, members-only documents), and on disk."""
    for path in [*root.iterdir(), root]:
        path.chmod(0o700 if path.is_dir() else 0o600)
        _fsync(path)


def _fsync(path: Path) -> None:
    """fsync of a file or directory."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def postgres_environment(alias: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """libpq's variables for the database of DATABASE_URL: the password travels in PGPASSWORD,
    never on a command line that `ps` shows to every user of the machine."""
    database = settings.DATABASES[alias]
    environment = dict(os.environ)
    for key, value in (("PGHOST", database.get("HOST")), ("PGPORT", database.get("PORT")),
                       ("PGUSER", database.get("USER")),
                       ("PGPASSWORD", database.get("PASSWORD")),
                       ("PGDATABASE", database.get("NAME"))):
        if value:
            environment[key] = str(value)
        else:
            environment.pop(key, None)
    options = database.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(option):
            environment[variable] = str(options[option])
    return environment


def _run(command: list[str], *, environment: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install "
                          "postgresql-client, of the server's major version or newer).")
    result = subprocess.run(command, env=environment, capture_output=True, text=True,  # noqa: S603
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}):\n"
                          f"{(result.stderr or result.stdout).strip()}")


def _sqlite_path(alias: str = DEFAULT_DB_ALIAS) -> Path:
    name = str(settings.DATABASES[alias]["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def file_fields() -> list[tuple[str, str, str, str]]:
    """(label, table, column, folder key) of each file field: which folder its files are in."""
    roots = {key: os.path.abspath(getattr(settings, setting))
             for key, (setting, _archive) in FOLDERS.items()}
    fields = []
    for model in counted_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                location = os.path.abspath(field.storage.location)
                folder = next((key for key, root in roots.items() if root == location), None)
                fields.append((f"{model._meta.label}.{field.name}", model._meta.db_table,
                               field.column, folder))
    return fields


@dataclass
class Facts:
    """What a database holds, as the manifest records it and a restore compares it."""

    rows: dict[str, int]
    applied: set[tuple[str, str]]
    # file field label -> the names its rows hold
    files: dict[str, set[str]]


def _facts(query: Callable[[str], list], tables: set[str], quote: Callable[[str], str]) -> Facts:
    rows = {}
    for model in counted_models():
        if model._meta.db_table in tables:
            rows[model._meta.label] = query(
                f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")[0][0]  # noqa: S608
    applied = ({(app, name) for app, name in query("SELECT app, name FROM django_migrations")}
               if "django_migrations" in tables else set())
    files = {}
    for label, table, column, _folder in file_fields():
        if table in tables:
            files[label] = {name for (name,) in query(
                f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 - our own names
                f"WHERE {quote(column)} <> ''")}
    return Facts(rows, applied, files)


def sqlite_facts(path: Path) -> Facts:
    """The facts of a SQLite file (the backup's copy), read only."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        return _facts(lambda sql: database.execute(sql).fetchall(), tables,
                      lambda name: '"' + name.replace('"', '""') + '"')
    finally:
        database.close()


def live_facts(alias: str = DEFAULT_DB_ALIAS) -> Facts:
    """The facts of the database Django is connected to (inside a snapshot, if one is open)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))

        def query(sql):
            cursor.execute(sql)
            return cursor.fetchall()

        return _facts(query, tables, connection.ops.quote_name)


def missing_files(facts: Facts, present: dict[str, set[str]]) -> dict[str, int]:
    """Per file field, how many of the names the database holds are not among the files
    `present` in its folder (folder key -> relative names)."""
    missing = {}
    for label, _table, _column, folder in file_fields():
        names = facts.files.get(label, set())
        missing[label] = len(names - present.get(folder, set())) if folder else 0
    return missing


def files_in(root: Path) -> set[str]:
    names = set()
    if root.is_dir():
        for directory, _dirs, found in os.walk(root):
            for name in found:
                path = Path(directory, name)
                if path.is_file() and not path.is_symlink():
                    names.add(path.relative_to(root).as_posix())
    return names


# ---------------------------------------------------------------------------------------------
# Backup


@dataclass
class BackupResult:
    directory: Path
    manifest: dict
    seconds: float


def _dump_postgresql(target: Path, progress: Progress, alias: str) -> Facts:
    """pg_dump of an exported snapshot; the facts are read in that same snapshot."""
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = live_facts(alias)
        progress(f"  {sum(facts.rows.values())} rows in {len(facts.rows)} tables; "
                 "running pg_dump …")
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-password",
              f"--file={target}"],
             environment=postgres_environment(alias), what="pg_dump")
    return facts


def _copy_sqlite(target: Path, alias: str) -> Facts:
    """SQLite's online backup API: a consistent copy while the platform goes on writing."""
    source_path = _sqlite_path(alias)
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        # All pages in one step: one read transaction, so one consistent state.
        source.backup(copy, pages=-1)
        # A self-contained file: no write-ahead log beside it (the restored database goes back
        # to WAL when the platform opens it).
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    return sqlite_facts(target)


def _archive(root: Path, target: Path, progress: Progress) -> set[str]:
    """A tar of the folder's regular files (names relative to it); returns their names."""
    last = time.monotonic()
    names: set[str] = set()
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        if not root.is_dir():
            return names
        for directory, dirs, found in os.walk(root):
            dirs.sort()
            for name in sorted(found):
                path = Path(directory, name)
                if path.is_symlink() or not path.is_file():
                    continue
                relative = path.relative_to(root).as_posix()
                try:
                    archive.add(path, arcname=relative, recursive=False)
                except FileNotFoundError:
                    continue  # deleted meanwhile (the platform runs on)
                names.add(relative)
                if time.monotonic() - last > 5:
                    progress(f"  {len(names)} files so far …")
                    last = time.monotonic()
    return names


def make_backup(directory: Path, *, progress: Progress = print,
                alias: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Writes a complete backup to `directory`, which must not exist or be empty. Everything is
    written into a temporary folder beside it and renamed at the end: a failed backup leaves no
    half-written directory that looks like a backup."""
    started = time.monotonic()
    directory = Path(directory).absolute()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} exists and is not empty; choose a new directory "
                          "(a backup never overwrites another).")
    database_vendor = vendor(alias)
    directory.parent.mkdir(parents=True, exist_ok=True)
    # mkdtemp makes it 0700: the backup holds password hashes and members-only documents.
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        manifest: dict = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "site_name": settings.SITE_NAME,
            "environment_file_included": False,
        }
        database_part = DATABASE_PARTS[database_vendor]
        progress(f"· Database ({database_vendor}) …")
        database_started = time.monotonic()
        if database_vendor == "postgresql":
            facts = _dump_postgresql(work / database_part, progress, alias)
        else:
            facts = _copy_sqlite(work / database_part, alias)
        size = (work / database_part).stat().st_size
        progress(f"  {human_bytes(size)} in {time.monotonic() - database_started:.1f} s")
        manifest["database"] = {"vendor": database_vendor, "file": database_part,
                                "bytes": size, "sha256": sha256_of(work / database_part)}
        manifest["migrations"] = applied_leaves(facts.applied)
        manifest["rows"] = dict(sorted(facts.rows.items()))
        manifest["folders"] = {}
        archived = {}
        # After the database: a file uploaded meanwhile is an extra file in the archive, never
        # a row whose file is missing.
        for key, (setting, archive_name) in FOLDERS.items():
            root = Path(getattr(settings, setting))
            progress(f"· {setting} ({root}) …")
            folder_started = time.monotonic()
            archived[key] = _archive(root, work / archive_name, progress)
            with tarfile.open(work / archive_name) as archive:
                files = [member for member in archive.getmembers() if member.isfile()]
            manifest["folders"][key] = {
                "setting": setting, "archive": archive_name, "files": len(files),
                "bytes": sum(member.size for member in files),
                "sha256": sha256_of(work / archive_name)}
            progress(f"  {len(files)} files, "
                     f"{human_bytes(manifest['folders'][key]['bytes'])} in "
                     f"{time.monotonic() - folder_started:.1f} s")
        # Files the database names that the archives lack (already lost on the original):
        # a restore may not lose more.
        manifest["missing_files"] = missing_files(facts, archived)
        if any(manifest["missing_files"].values()):
            progress("  warning: the database names files that are not in their folder: "
                     + ", ".join(f"{label} {count}" for label, count
                                 in manifest["missing_files"].items() if count))
        # Last: it covers every key above, the parts' checksums included.
        manifest["signature"] = manifest_signature(manifest)
        _write_json(work / MANIFEST, manifest)
        _seal(work)
        if directory.exists():
            directory.rmdir()  # empty, checked above; rename cannot replace a directory
        work.rename(directory)
        _fsync(directory.parent)  # the rename itself on disk
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(directory, manifest, time.monotonic() - started)


# ---------------------------------------------------------------------------------------------
# Nightly backups in one folder: a new timestamped backup, then the expired ones removed


# The name `backup --into` gives each backup (UTC, so a change of daylight saving time never
# makes two alike), optionally with a counter when two start in the same second.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H%M%SZ"
TIMESTAMPED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z(?:-\d+)?$")


class RotationError(BackupError):
    """The new backup is complete, but removing an expired one failed (the folder fills up)."""

    def __init__(self, result: BackupResult, error: OSError):
        super().__init__(f"Backup written to {result.directory}, but removing the expired "
                         f"backups failed: {error}")
        self.result = result


@dataclass
class RotationResult:
    removed: list[Path]
    # Left alone although they are in the folder: not a complete backup of `--into`.
    ignored: list[Path]


def new_backup_directory(folder: Path, now: datetime | None = None) -> Path:
    """A name in `folder` that no backup has yet, from the time in UTC."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    candidate = folder / stamp
    counter = 1
    while candidate.exists() or candidate.is_symlink():
        counter += 1
        candidate = folder / f"{stamp}-{counter}"
    return candidate


def made_by_into(path: Path) -> datetime | None:
    """When the complete backup `path` was made, if `backup --into` made it; otherwise None. A
    complete backup has its manifest (written last, before the rename from the partial name)
    in this release's format with its creation time; a symbolic link, a partial folder, a
    backup named by hand or any other file is never one."""
    if path.is_symlink() or not path.is_dir() or not TIMESTAMPED_NAME.match(path.name):
        return None
    try:
        manifest = read_manifest(path)
        created = datetime.fromisoformat(manifest["created_at"])
    except (BackupError, OSError, ValueError, KeyError, TypeError):
        return None
    if created.tzinfo is None or not manifest.get("database", {}).get("file"):
        return None
    return created


def remove_expired(folder: Path, keep_days: int, *, keep: Path, progress: Progress = print,
                   now: datetime | None = None) -> RotationResult:
    """Removes the backups `backup --into` made in `folder` more than `keep_days` days ago,
    judged by the creation time in their manifest (a copy or `touch` changes a folder's mtime,
    not its manifest). `keep` (the backup just made) stays whatever its age."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    removed, ignored = [], []
    for path in sorted(folder.iterdir()):
        if path == keep:
            continue
        created = made_by_into(path)
        if created is None:
            ignored.append(path)
            continue
        if created < cutoff:
            shutil.rmtree(path)
            removed.append(path)
            progress(f"· Removed the backup {path.name} (made {created:%Y-%m-%d %H:%M} UTC, "
                     f"more than {keep_days} days ago)")
    if removed:
        _fsync(folder)
    return RotationResult(removed, ignored)


def backup_into(folder: Path, *, keep_days: int | None = None, progress: Progress = print,
                alias: str = DEFAULT_DB_ALIAS, now: datetime | None = None,
                ) -> tuple[BackupResult, RotationResult | None]:
    """A new backup in a timestamped directory inside `folder`; then, only once it is complete,
    the backups of `--into` older than `keep_days` days are removed (none when it is None)."""
    folder = Path(folder).absolute()
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise BackupError(f"{folder} is not a directory.")
    # 0700 when the command creates it (the installation creates it so, owned by the service
    # user: docs/deployment.md "Install", step 3).
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    result = make_backup(new_backup_directory(folder, now), progress=progress, alias=alias)
    if keep_days is None:
        return result, None
    try:
        rotation = remove_expired(folder, keep_days, keep=result.directory, progress=progress,
                                  now=now)
    except OSError as error:
        raise RotationError(result, error) from error
    return result, rotation


# ---------------------------------------------------------------------------------------------
# Restore


@dataclass
class RestoreResult:
    problems: list[str]
    report: list[str]
    # This checkout has migrations the backup's database had not applied: run `migrate`.
    migrate_needed: bool
    # Migrations applied in the backup that this checkout does not have (a newer release).
    unknown_migrations: list[str]


class RestoreError(BackupError):
    """A restore that failed after the database was already replaced: the message says so."""


# The manifest describes a backup, it never directs a restore: where each part goes and under
# which name it is read come only from DATABASE_PARTS and FOLDERS above. A value in the manifest
# that differs from them is a damaged or forged backup.
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A manifest is a few kilobytes (one line per table); more is not one of ours.
MANIFEST_MAX_BYTES = 16 * 1024 * 1024
# Restored folders and files: PRIVATE_MEDIA_ROOT for the platform's user only (members-only
# documents), MEDIA_ROOT readable by nginx (docs/deployment.md "Install", step 3).
FOLDER_MODES = {"media": (0o755, 0o644), "private_media": (0o700, 0o600)}
# Linux's limit for one name in a path (bytes).
NAME_MAX = 255


def manifest_signature(manifest: dict, *, secret: str | None = None) -> str:
    """HMAC-SHA256 of the manifest (without its signature), keyed from SECRET_KEY. The manifest
    names the sha256 of each part, so the signature authenticates the whole backup: only an
    instance with the same SECRET_KEY made it (and only such an instance can use it fully)."""
    from django.utils.crypto import salted_hmac

    unsigned = {key: value for key, value in manifest.items() if key != "signature"}
    canonical = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return salted_hmac("stadtallianz.core.backup.manifest", canonical, secret=secret,
                       algorithm="sha256").hexdigest()


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: {directory} is not a complete backup.")
    if path.stat().st_size > MANIFEST_MAX_BYTES:
        raise BackupError(f"{path} is larger than any manifest of a backup: not a backup.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # not UTF-8, not JSON
        raise BackupError(f"{path} is damaged (not JSON: {error}).") from error
    if not isinstance(manifest, dict):
        raise BackupError(f"{path} is damaged (not a JSON object).")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not the one this "
                          f"release reads ({FORMAT}).")
    return manifest


def authenticate_manifest(manifest: dict) -> None:
    signature = manifest.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(
            signature.encode(), manifest_signature(manifest).encode()):
        raise BackupError(
            "The backup's manifest is not signed with this instance's SECRET_KEY: either the "
            "backup was made with another SECRET_KEY (put the original environment file back, "
            "docs/backup.md) or the manifest was altered. Nothing was written. Only if the "
            "original SECRET_KEY is lost for good and you trust this copy: "
            "--skip-signature-check.")


def _damaged(where: str, should: str, value) -> BackupError:
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    return BackupError(f"The manifest is damaged: {where} should be {should}, not {shown}. "
                       "Nothing was written.")


def _field(mapping: dict, key: str, where: str, kind: type, should: str):
    if key not in mapping:
        raise BackupError(f"The manifest is damaged: {where}.{key} is missing. Nothing was "
                          "written.")
    value = mapping[key]
    if kind is int:
        # bool is an int in Python; a count is never true or false.
        valid = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    else:
        valid = isinstance(value, kind)
    if not valid:
        raise _damaged(f"{where}.{key}", should, value)
    return value


def _counts(mapping: dict, key: str, where: str, value_kind: type, should: str) -> None:
    entries = _field(mapping, key, where, dict, "an object")
    for name in entries:
        _field(entries, name, f"{where}.{key}", value_kind, should)


def validate_manifest(manifest: dict) -> None:
    """Every key a restore reads, with its type; the parts' names and folders as this release
    writes them. Raises BackupError before anything is written."""
    created = _field(manifest, "created_at", "manifest", str, "a time")
    try:
        datetime.fromisoformat(created)
    except ValueError:
        raise _damaged("manifest.created_at", "an ISO 8601 time", created) from None
    database = _field(manifest, "database", "manifest", dict, "an object")
    database_vendor = _field(database, "vendor", "database", str, "a vendor")
    if database_vendor not in DATABASE_PARTS:
        raise _damaged("database.vendor", " or ".join(DATABASE_PARTS), database_vendor)
    name = _field(database, "file", "database", str, "a file name")
    if name != DATABASE_PARTS[database_vendor]:
        raise _damaged("database.file", repr(DATABASE_PARTS[database_vendor]), name)
    _field(database, "bytes", "database", int, "a size")
    if not SHA256.match(_field(database, "sha256", "database", str, "a sha256")):
        raise _damaged("database.sha256", "a sha256", database["sha256"])
    _counts(manifest, "migrations", "manifest", str, "a migration's name")
    _counts(manifest, "rows", "manifest", int, "a number of rows")
    _counts(manifest, "missing_files", "manifest", int, "a number of files")
    folders = _field(manifest, "folders", "manifest", dict, "an object")
    if sorted(folders) != sorted(FOLDERS):
        raise _damaged("folders", f"exactly {', '.join(sorted(FOLDERS))}", sorted(folders))
    for key, (setting, archive_name) in FOLDERS.items():
        folder = _field(folders, key, "folders", dict, "an object")
        where = f"folders.{key}"
        for field, expected in (("setting", setting), ("archive", archive_name)):
            value = _field(folder, field, where, str, repr(expected))
            if value != expected:
                # E.g. "STATIC_ROOT": a restore writes each archive only into its own folder.
                raise _damaged(f"{where}.{field}", repr(expected), value)
        _field(folder, "files", where, int, "a number of files")
        _field(folder, "bytes", where, int, "a size")
        if not SHA256.match(_field(folder, "sha256", where, str, "a sha256")):
            raise _damaged(f"{where}.sha256", "a sha256", folder["sha256"])


def verify_checksums(directory: Path, manifest: dict, progress: Progress) -> None:
    parts = [(DATABASE_PARTS[manifest["database"]["vendor"]], manifest["database"]["sha256"])]
    parts += [(archive_name, manifest["folders"][key]["sha256"])
              for key, (_setting, archive_name) in FOLDERS.items()]
    for name, expected in parts:
        path = Path(directory) / name
        if path.is_symlink() or not path.is_file():
            raise BackupError(f"{name} is missing from the backup.")
        if sha256_of(path) != expected:
            raise BackupError(f"{name} does not match its checksum in the manifest: the backup "
                              "is damaged; use another copy.")
    progress(f"· Checksums of {len(parts)} parts verified")


def database_tables(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        # Read without Django's connection, which would create the file.
        path = _sqlite_path(alias)
        if not path.exists():
            return []
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return sorted(row[0] for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'"))
        finally:
            database.close()
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _folder_is_empty(root: Path) -> bool:
    return not root.exists() or (root.is_dir() and not any(root.iterdir()))


def check_targets(manifest: dict, *, replace: bool, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Refuses a database with tables and non-empty folders, unless `replace`."""
    database_vendor = vendor(alias)
    if manifest["database"]["vendor"] != database_vendor:
        raise BackupError(f"This is a {manifest['database']['vendor']} backup; DATABASE_URL "
                          f"names a {database_vendor} database. Restore into the same kind.")
    problems = []
    tables = database_tables(alias)
    if tables:
        name = settings.DATABASES[alias]["NAME"]
        problems.append(f"the database {name} has {len(tables)} tables "
                        f"({', '.join(tables[:3])}{', …' if len(tables) > 3 else ''})")
    for setting, _archive_name in FOLDERS.values():
        root = Path(getattr(settings, setting))
        if root.exists() and not root.is_dir():
            raise BackupError(f"{setting} ({root}) is not a directory.")
        if not _folder_is_empty(root):
            problems.append(f"{setting} ({root}) is not empty")
    if problems and not replace:
        raise BackupError(
            "Restore needs an empty database and empty folders, but " + "; ".join(problems)
            + ". Point DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT at new ones, or pass "
            "--replace-existing to replace the database's content and overwrite the files "
            "(files the backup does not have stay).")


# ---------------------------------------------------------------------------------------------
# The archives: every member checked before the database is touched, then each file written by
# this code. Neither TarFile.extract nor extractall is used: Debian 12's Python 3.11.2 has no
# `filter=` (a TypeError after the database was replaced), and the "data" filter had bypasses
# until 3.11.13 (CVE-2025-4517, CVE-2025-4138, CVE-2025-4330). Only tarfile.open, iterating the
# members and extractfile are used, which every Python 3 has.


@dataclass
class ArchivePlan:
    """A checked archive, kept open until its files are written."""

    key: str
    root: Path
    archive: tarfile.TarFile
    # Members in archive order: regular files and directories with checked names only.
    members: list[tarfile.TarInfo]


def checked_member_name(name: str) -> str:
    """The member's name if it is a plain relative path inside the folder; else BackupError."""
    if not name or "\x00" in name:
        raise BackupError(f"an empty name or one with a NUL byte ({name!r})")
    if name.startswith("/"):
        raise BackupError(f"an absolute path ({name!r})")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in name:
        # "a//b", "./a", "a/../b", a trailing "/": not what `backup` writes; ".." leaves the folder.
        raise BackupError(f"a name that is not a plain relative path ({name!r})")
    if any(len(os.fsencode(part)) > NAME_MAX for part in parts) or len(os.fsencode(name)) > 4000:
        raise BackupError(f"a name too long for the file system ({name[:60]!r}…)")
    return name


def _existing_conflict(root: Path, name: str, *, is_directory: bool) -> str | None:
    """With --replace-existing: what in the folder is in the way of `name` (a link, a file
    where a directory must go, or the reverse), without following any link."""
    path = root
    parts = name.split("/")
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return None
        last = index == len(parts) - 1
        if stat.S_ISLNK(mode):
            return f"{path} is a symbolic link"
        if (not last or is_directory) and not stat.S_ISDIR(mode):
            return f"{path} is not a directory"
        if last and not is_directory and not stat.S_ISREG(mode):
            return f"{path} is not a regular file"
    return None


def inspect_archive(key: str, path: Path, described: dict) -> ArchivePlan:
    """Opens the archive of folder `key` and checks every member; raises BackupError naming the
    archive and the member. Refused: anything but regular files and directories (links, hard
    links, devices, FIFOs, sparse files), names that are absolute, contain "..", "." or NUL or
    repeat, a file where another member needs a directory, data beyond the archive's end (a
    truncated copy), and files or bytes that differ from the manifest."""
    setting, archive_name = FOLDERS[key]
    root = Path(getattr(settings, setting))
    size = path.stat().st_size
    try:
        # "r:": uncompressed only, as `backup` writes it, so member offsets are file offsets.
        archive = tarfile.open(path, "r:")  # noqa: SIM115 - kept open until written
    except tarfile.TarError as error:
        raise BackupError(f"{archive_name} is not a readable tar archive ({error}).") from error
    try:
        try:
            members = archive.getmembers()
        except tarfile.TarError as error:
            raise BackupError(f"{archive_name} is cut short or damaged ({error}): refused, "
                              "nothing was written.") from error
        files: set[str] = set()
        directories: set[str] = set()
        needed_directories: set[str] = set()
        total = 0
        for member in members:
            try:
                name = checked_member_name(member.name)
                if member.issparse() or not (member.isreg() or member.isdir()):
                    kind = ("a symbolic link" if member.issym() else "a hard link"
                            if member.islnk() else "a FIFO" if member.isfifo() else "a device"
                            if member.isdev() else "a sparse file" if member.issparse() else
                            "not a regular file")
                    raise BackupError(f"{kind} ({name})")
                if name in files or name in directories:
                    raise BackupError(f"a name that appears twice ({name})")
                parts = name.split("/")
                needed_directories.update("/".join(parts[:end]) for end in range(1, len(parts)))
                if member.isdir():
                    directories.add(name)
                else:
                    if member.offset_data + member.size > size:
                        raise BackupError(f"the archive ends inside {name} (a truncated copy)")
                    files.add(name)
                    total += member.size
                if replace_conflict := _existing_conflict(root, name,
                                                          is_directory=member.isdir()):
                    raise BackupError(f"{replace_conflict} ({setting})")
            except BackupError as error:
                raise BackupError(f"{archive_name}: {error}: refused, nothing was "
                                  "written.") from None
        if clash := sorted(files & needed_directories):
            raise BackupError(f"{archive_name}: {clash[0]} is a file and a directory: refused, "
                              "nothing was written.")
        if (len(files), total) != (described["files"], described["bytes"]):
            raise BackupError(
                f"{archive_name} holds {len(files)} files ({total} bytes), the manifest says "
                f"{described['files']} files ({described['bytes']} bytes): the backup is "
                "damaged; use another copy. Nothing was written.")
    except BaseException:
        archive.close()
        raise
    return ArchivePlan(key, root, archive, members)


def _open_directory(parent: int, name: str, mode: int) -> int:
    """The directory `name` inside the directory `parent` (created with `mode` if missing),
    opened without following a link."""
    try:
        os.mkdir(name, mode, dir_fd=parent)
        created = True
    except FileExistsError:
        created = False
    descriptor = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    if created:
        os.fchmod(descriptor, mode)  # mkdir's mode is reduced by the umask
    return descriptor


def write_folder(plan: ArchivePlan, *, replace: bool, progress: Progress) -> None:
    """Writes the checked members below the folder's root, each component opened relative to
    its parent with O_NOFOLLOW and each file created with O_CREAT|O_EXCL|O_NOFOLLOW, so nothing
    is written through a link or outside the root."""
    directory_mode, file_mode = FOLDER_MODES[plan.key]
    created = not plan.root.exists()
    plan.root.mkdir(mode=directory_mode, parents=True, exist_ok=True)
    if created or plan.key == "private_media":
        # Members-only documents: the folder is the platform user's alone, whatever it was.
        plan.root.chmod(directory_mode)
    root = os.open(plan.root, os.O_RDONLY | os.O_DIRECTORY)
    last = time.monotonic()
    written = 0
    try:
        for member in plan.members:
            parts = member.name.split("/")
            parents = parts if member.isdir() else parts[:-1]
            descriptor = os.dup(root)
            try:
                for part in parents:
                    child = _open_directory(descriptor, part, directory_mode)
                    os.close(descriptor)
                    descriptor = child
                if member.isdir():
                    continue
                if replace:
                    # A file of the same name (checked to be a regular file) is replaced;
                    # O_EXCL then refuses anything that appeared meanwhile.
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(parts[-1], dir_fd=descriptor)
                output = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                                 file_mode, dir_fd=descriptor)
                with os.fdopen(output, "wb") as target:
                    os.fchmod(output, file_mode)  # os.open's mode is reduced by the umask
                    source = plan.archive.extractfile(member)
                    copied = 0
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
                        copied += len(chunk)
                    if copied != member.size:
                        raise BackupError(f"{member.name}: {copied} of {member.size} bytes read")
                    target.flush()
                    os.fsync(output)
                written += 1
                if time.monotonic() - last > 5:
                    progress(f"  {written} files so far …")
                    last = time.monotonic()
            finally:
                os.close(descriptor)
    finally:
        os.close(root)
    _fsync(plan.root)


# ---------------------------------------------------------------------------------------------


def _restore_postgresql(path: Path, replace: bool, alias: str) -> None:
    # One transaction that stops at the first error: a failed restore leaves the database as it
    # was. Owners and grants of the original server's roles are not carried over.
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", "--no-password",
               f"--dbname={settings.DATABASES[alias]['NAME']}"]
    if replace:
        command += ["--clean", "--if-exists"]
    connections[alias].close()
    _run([*command, str(path)], environment=postgres_environment(alias), what="pg_restore")


def _restore_sqlite(path: Path, alias: str) -> None:
    target = _sqlite_path(alias).absolute()
    connections[alias].close()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copied beside the target and renamed over it: the target is never half written. 0600 from
    # the start: it holds password hashes and personal data.
    partial = target.with_name(f".{target.name}.restoring")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as copy, path.open("rb") as source:
        os.fchmod(descriptor, 0o600)
        shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        os.fsync(descriptor)
    # A leftover write-ahead log of the database being replaced must not be applied to the
    # restored one.
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)


def compare(manifest: dict, *, alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], list[str]]:
    """The restored database and folders against the manifest: (problems, report lines)."""
    problems, report = [], []
    facts = live_facts(alias)
    expected_rows = manifest["rows"]
    differing = {label: (expected, facts.rows.get(label))
                 for label, expected in expected_rows.items()
                 if facts.rows.get(label) != expected}
    for label, (expected, found) in sorted(differing.items()):
        problems.append(f"{label}: {found} rows restored, {expected} in the backup")
    report.append(f"rows: {sum(facts.rows.get(label, 0) for label in expected_rows)} of "
                  f"{sum(expected_rows.values())} in {len(expected_rows)} tables "
                  f"({len(expected_rows) - len(differing)} tables match)")
    restored_leaves = applied_leaves(facts.applied)
    if restored_leaves != manifest["migrations"]:
        problems.append(f"applied migrations differ: backup {manifest['migrations']}, "
                        f"restored {restored_leaves}")
    present = {}
    for key, (setting, _archive_name) in FOLDERS.items():
        folder = manifest["folders"][key]
        root = Path(getattr(settings, setting))
        present[key] = files_in(root)
        size = sum((root / name).stat().st_size for name in present[key])
        report.append(f"{setting}: {len(present[key])} files, {human_bytes(size)} "
                      f"(backup: {folder['files']} files, {human_bytes(folder['bytes'])})")
        if len(present[key]) < folder["files"] or size < folder["bytes"]:
            problems.append(f"{setting} ({root}) has fewer files or bytes than the backup")
    missing = missing_files(facts, present)
    for label, count in sorted(missing.items()):
        before = manifest["missing_files"].get(label, 0)
        if count > before:
            problems.append(f"{count} files named by {label} are missing ({before} were "
                            "missing at backup time)")
    report.append(f"files named by the database and missing: {sum(missing.values())} "
                  f"(at backup time: {sum(manifest['missing_files'].values())})")
    return problems, report


def restore_backup(directory: Path, *, replace: bool = False, check_signature: bool = True,
                   progress: Progress = print, alias: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Everything is checked before the database is touched: the manifest (signature, every
    key and type), the targets, the checksums and every member of every archive. A failure
    after that raises RestoreError, which says that the database was already replaced."""
    directory = Path(directory).absolute()
    plans: list[ArchivePlan] = []
    try:
        manifest = read_manifest(directory)
        if check_signature:
            authenticate_manifest(manifest)
        validate_manifest(manifest)
        progress(f"Backup of {manifest['created_at']} ({manifest['database']['vendor']}, "
                 f"{sum(manifest['rows'].values())} rows, "
                 + ", ".join(f"{manifest['folders'][key]['files']} files in {setting}"
                             for key, (setting, _archive) in FOLDERS.items()) + ")")
        check_targets(manifest, replace=replace, alias=alias)
        verify_checksums(directory, manifest, progress)
        for key, (_setting, archive_name) in FOLDERS.items():
            plans.append(inspect_archive(key, directory / archive_name,
                                         manifest["folders"][key]))
        progress(f"· Archives checked: {sum(len(plan.members) for plan in plans)} members, "
                 "only files and folders inside their folder")
        database_part = directory / DATABASE_PARTS[manifest["database"]["vendor"]]
        progress(f"· Database ({human_bytes(manifest['database']['bytes'])}) …")
        started = time.monotonic()
        if manifest["database"]["vendor"] == "postgresql":
            _restore_postgresql(database_part, replace, alias)
        else:
            _restore_sqlite(database_part, alias)
        progress(f"  restored in {time.monotonic() - started:.1f} s")
        # From here on the database is the backup's: a failure must say so.
        try:
            for plan in plans:
                setting = FOLDERS[plan.key][0]
                progress(f"· {setting} ({plan.root}): {manifest['folders'][plan.key]['files']} "
                         "files …")
                write_folder(plan, replace=replace, progress=progress)
            progress("· Comparing with the manifest …")
            problems, report = compare(manifest, alias=alias)
        except Exception as error:
            raise RestoreError(
                f"The database WAS restored (replaced), but then: {error}. The files are "
                "incomplete: restore again into a new empty database and empty folders, or "
                "with --replace-existing.") from error
    except (tarfile.TarError, ValueError, KeyError, TypeError, UnicodeError) as error:
        # Checked above; this is a backstop so that no damaged backup ends in a traceback.
        raise BackupError(f"The backup is damaged ({type(error).__name__}: {error}); "
                          "nothing was written.") from error
    finally:
        for plan in plans:
            plan.archive.close()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [f"{label}.{name}" for label, name in sorted(manifest["migrations"].items())
               if (label, name) not in loader.graph.nodes]
    migrate_needed = any(manifest["migrations"].get(label) not in names
                         for label, names in code_leaves().items())
    return RestoreResult(problems, report, migrate_needed and not unknown, unknown)
