"""`stadtallianz restore` of a forged or damaged backup (docs/backup.md "Restoring"). A backup is
files an attacker may have changed on its way back (a copy on another machine, a stolen and
returned disk): the manifest only describes, it never says where to write, and every member of
every archive is checked before the database is touched. Each refusal is exit status 1 with the
reason and no traceback, and nothing is written: the database stays empty, the folders are not
created, nothing appears outside them. A genuine backup comes back with PRIVATE_MEDIA_ROOT for
the platform's user only. Real backups and real tar files, real commands in subprocesses, on
PostgreSQL and on SQLite.

The archives are read without TarFile.extract/extractall: Debian 12's /usr/bin/python3 (3.11.2,
which docs/deployment.md installs the platform with) has no `filter=` argument, and the "data"
filter had bypasses before 3.11.13. backup.py imports Django, which Debian's bare interpreter
does not have, so the test cannot run the module there; instead it reads the module's syntax
tree and fails on any call of extract/extractall or any tar filter, the one thing that differs
between 3.11.2 and the venv's Python for this code."""

import ast
import hashlib
import io
import json
import shutil
import stat
import tarfile
from pathlib import Path

import pytest

from stadtallianz.core import backup
from stadtallianz.core.tests.test_backup_restore import Instance

PRIVATE_DOCUMENT = "group-7/plan.pdf"
PRIVATE_BYTES = b"%PDF-1.7 members only"


@pytest.fixture
def genuine(scratch, tmp_path) -> Path:
    """A real backup: contenttypes' tables, a members-only document in a group's subfolder and
    a logo."""
    source = Instance("the original", scratch.new("unsafe_source"), tmp_path / "source")
    source.run("migrate", "contenttypes", "--noinput", "-v0")
    (source.private / "group-7").mkdir(parents=True)
    (source.private / PRIVATE_DOCUMENT).write_bytes(PRIVATE_BYTES)
    source.media.mkdir(parents=True)
    (source.media / "logo.png").write_bytes(b"\x89PNG a logo")
    directory = tmp_path / "genuine"
    source.run("backup", str(directory))
    return directory


def _tables(instance: Instance) -> list[str]:
    """The target database's tables, read without the platform (which would create them)."""
    url = instance.environment["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        assert not path.exists(), f"restore created the SQLite file {path}"
        return []
    import psycopg

    with psycopg.connect(url) as connection:
        return [name for (name,) in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


def _member(name: str, data: bytes | None = None, **attributes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data or b"")
    info.mode = 0o644
    for key, value in attributes.items():
        setattr(info, key, value)
    return info, data or b""


def forge(genuine: Path, target: Path, *, archives: dict | None = None, edit=None,
          truncate: dict | None = None, secret: str | None) -> Path:
    """A copy of the genuine backup with archives rebuilt from `archives` (folder key -> members)
    and cut at the offset `truncate[key](members)` returns, the manifest's counts and checksums
    made to fit (counts before the cut), `edit` applied to the manifest, and the
    manifest signed with `secret` (None: left as edited, i.e. unsigned by us)."""
    shutil.copytree(genuine, target)
    manifest = json.loads((target / "manifest.json").read_text())
    for key, members in (archives or {}).items():
        path = target / backup.FOLDERS[key][1]
        path.unlink()
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as archive:
            for info, data in members:
                archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
        regular = [info for info, _data in members if info.isreg()]
        manifest["folders"][key].update(files=len(regular),
                                        bytes=sum(info.size for info in regular))
    for key, cut_at in (truncate or {}).items():
        path = target / backup.FOLDERS[key][1]
        with tarfile.open(path) as archive:
            size = cut_at(archive.getmembers())
        with path.open("r+b") as archive:
            archive.truncate(size)
    for key, (_setting, archive_name) in backup.FOLDERS.items():
        manifest["folders"][key]["sha256"] = hashlib.sha256(
            (target / archive_name).read_bytes()).hexdigest()
    if edit is not None:
        manifest = edit(manifest)
    if secret is not None and isinstance(manifest, dict):
        manifest["signature"] = backup.manifest_signature(manifest, secret=secret)
    (target / "manifest.json").write_text(
        manifest if isinstance(manifest, str) else json.dumps(manifest))
    return target


def _refused(target: Instance, directory: Path, expected: str, *extra: str) -> None:
    result = target.run("restore", str(directory), *extra, check=False)
    assert result.returncode == 1, (directory.name, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert expected in result.stderr, (directory.name, result.stderr)
    # Nothing written: not the folders (nor anything beside them), not the database.
    assert not target.folder.exists(), sorted(target.folder.rglob("*"))


def test_unsafe_archive_members_are_refused_before_anything_is_written(
        scratch, genuine, tmp_path):
    target = Instance("the target", scratch.new("unsafe_target"), tmp_path / "target")
    secret = target.environment["SECRET_KEY"]
    outside = tmp_path / "outside"
    outside.mkdir()
    document = _member(PRIVATE_DOCUMENT, PRIVATE_BYTES)
    escaping = {
        "dot-dot": ([document, _member("../escaped.txt", b"x")], "not a plain relative path"),
        "dot-dot-inside": ([document, _member("group-7/../../escaped.txt", b"x")],
                           "not a plain relative path"),
        "absolute": ([document, _member(str(outside / "absolute.txt"), b"x")],
                     "an absolute path"),
        "symlink": ([_member("group-7", type=tarfile.SYMTYPE, linkname=str(outside)),
                     _member("group-7/plan.pdf", PRIVATE_BYTES)], "a symbolic link (group-7)"),
        "hardlink": ([document, _member("passwd", type=tarfile.LNKTYPE,
                                        linkname="/etc/passwd")], "a hard link (passwd)"),
        "fifo": ([document, _member("pipe", type=tarfile.FIFOTYPE)], "a FIFO (pipe)"),
        "device": ([document, _member("null", type=tarfile.CHRTYPE, devmajor=1, devminor=3)],
                   "a device (null)"),
        "twice": ([document, _member(PRIVATE_DOCUMENT, b"the second one")], "appears twice"),
        "file-and-folder": ([_member("group-7", b"a file"), document],
                            "group-7 is a file and a directory"),
    }
    for case, (members, expected) in escaping.items():
        forged = forge(genuine, tmp_path / f"forged-{case}", secret=secret,
                       archives={"private_media": members})
        _refused(target, forged, expected)
    # The same in MEDIA_ROOT's archive, which nginx serves.
    forged = forge(genuine, tmp_path / "forged-media", secret=secret,
                   archives={"media": [_member("../../static/app.js", b"alert(1)")]})
    _refused(target, forged, "media.tar: a name that is not a plain relative path")

    # Copies cut short (their checksums made to fit, as if cut when written): inside the
    # document's data, and at the second file's header, where tar reads on without an error
    # and only the manifest's count shows the loss.
    two_files = [document, _member("group-7/notes.txt", b"notes " * 300)]
    forged = forge(genuine, tmp_path / "forged-truncated", secret=secret,
                   archives={"private_media": two_files},
                   truncate={"private_media": lambda members: members[0].offset_data + 5})
    _refused(target, forged, "private-media.tar is cut short or damaged")
    forged = forge(genuine, tmp_path / "forged-cut", secret=secret,
                   archives={"private_media": two_files},
                   truncate={"private_media": lambda members: members[1].offset})
    _refused(target, forged, "private-media.tar holds 1 files")
    # Compressed or not a tar at all.
    garbage = tmp_path / "garbage"
    shutil.copytree(genuine, garbage)
    (garbage / "private-media.tar").write_bytes(b"\x1f\x8b not a tar")
    forged = forge(garbage, tmp_path / "forged-garbage", secret=secret)
    _refused(target, forged, "private-media.tar is not a readable tar archive")

    assert list(outside.iterdir()) == []
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "static").exists()
    assert _tables(target) == []


def test_a_manifest_that_directs_or_is_damaged_is_refused(scratch, genuine, tmp_path):
    target = Instance("the target", scratch.new("unsafe_target"), tmp_path / "target")
    # The folder nginx serves and the CSP trusts: a forged manifest must not reach it.
    static_root = tmp_path / "static"
    target.environment["STATIC_ROOT"] = str(static_root)
    secret = target.environment["SECRET_KEY"]

    def setting(value):
        def edit(manifest):
            manifest["folders"]["private_media"]["setting"] = value
            return manifest
        return edit

    def change(path: str, value):
        def edit(manifest):
            *parents, last = path.split(".")
            node = manifest
            for key in parents:
                node = node[key]
            if value is KeyError:
                del node[last]
            else:
                node[last] = value
            return manifest
        return edit

    cases = {
        "static-root": (setting("STATIC_ROOT"), "folders.private_media.setting should be "
                                                "'PRIVATE_MEDIA_ROOT', not 'STATIC_ROOT'"),
        "base-dir": (setting("BASE_DIR"), "not 'BASE_DIR'"),
        "archive-name": (change("folders.media.archive", "../../etc/shadow.tar"),
                         "folders.media.archive should be 'media.tar'"),
        "database-file": (change("database.file", "../../../etc/passwd"),
                          "database.file should be"),
        "another-folder": (lambda m: {**m, "folders": {**m["folders"], "static": {}}},
                           "folders should be exactly media, private_media"),
        "rows-missing": (change("rows", KeyError), "manifest.rows is missing"),
        "files-as-text": (change("folders.private_media.files", "1"),
                          "folders.private_media.files should be a number of files"),
        "negative-bytes": (change("folders.media.bytes", -1), "folders.media.bytes should be"),
        "database-a-list": (change("database", []), "manifest.database should be an object"),
        "vendor": (change("database.vendor", "mysql"), "database.vendor should be"),
        "rows-not-numbers": (change("rows", {"auth.User": None}), "rows.auth.User should be"),
        "created-at": (change("created_at", "yesterday"), "an ISO 8601 time"),
        "checksum": (change("database.sha256", 17), "database.sha256 should be a sha256"),
        "not-an-object": (lambda m: "[1, 2]", "not a JSON object"),
        "not-json": (lambda m: '{"format": 1, "rows": ', "not JSON"),
    }
    for case, (edit, expected) in cases.items():
        forged = forge(genuine, tmp_path / f"manifest-{case}", edit=edit, secret=secret)
        _refused(target, forged, expected)
    assert not static_root.exists()
    assert _tables(target) == []


def test_a_restore_keeps_members_only_documents_to_the_platform_user(
        scratch, genuine, tmp_path):
    target = Instance("the target", scratch.new("unsafe_target"), tmp_path / "target")
    # Another instance's SECRET_KEY: the backup is refused and the message names the key.
    stranger = Instance("another instance", target.environment["DATABASE_URL"], target.folder)
    stranger.environment["SECRET_KEY"] = "another-instance-" + "k" * 50
    _refused(stranger, genuine, "not signed with this instance's SECRET_KEY")
    # A manifest changed without the key (one more file than the archive has) is refused too.
    def one_more_file(manifest):
        manifest["folders"]["private_media"]["files"] += 1
        return manifest

    altered = forge(genuine, tmp_path / "altered", edit=one_more_file, secret=None)
    _refused(target, altered, "--skip-signature-check")
    assert _tables(target) == []

    # A typical umask (0022): what the restore creates must not depend on it.
    target.umask = 0o022
    result = target.run("restore", str(genuine))
    assert "Restored; rows and files match the backup." in result.stdout
    assert (target.private / PRIVATE_DOCUMENT).read_bytes() == PRIVATE_BYTES

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(target.private) == 0o700
    assert mode(target.private / "group-7") == 0o700
    assert mode(target.private / PRIVATE_DOCUMENT) == 0o600
    assert mode(target.media) == 0o755
    assert mode(target.media / "logo.png") == 0o644
    url = target.environment["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        assert mode(Path(url.removeprefix("sqlite:///"))) == 0o600
    assert "django_content_type" in _tables_after_restore(target)

    # The original SECRET_KEY lost for good: the operator may skip the signature, and every
    # other check still runs (a forged setting is refused all the same).
    lost = Instance("a rebuilt instance", scratch.new("unsafe_lost"), tmp_path / "lost")
    lost.environment["SECRET_KEY"] = "a-new-key-after-the-old-one-was-lost-" + "n" * 30
    forged = forge(genuine, tmp_path / "lost-forged", secret=None,
                   edit=lambda m: {**m, "folders": {**m["folders"], "private_media": {
                       **m["folders"]["private_media"], "setting": "STATIC_ROOT"}}})
    _refused(lost, forged, "not 'STATIC_ROOT'", "--skip-signature-check")
    result = lost.run("restore", str(genuine), "--skip-signature-check")
    assert "signature is not checked" in result.stdout
    assert "Restored; rows and files match the backup." in result.stdout
    assert mode(lost.private / PRIVATE_DOCUMENT) == 0o600


def test_replace_existing_never_writes_through_a_link_in_the_folder(scratch, genuine, tmp_path):
    target = Instance("the target", scratch.new("unsafe_target"), tmp_path / "target")
    outside = tmp_path / "outside"
    outside.mkdir()
    target.private.mkdir(parents=True)
    (target.private / "group-7").symlink_to(outside, target_is_directory=True)
    result = target.run("restore", str(genuine), "--replace-existing", check=False)
    assert result.returncode == 1, result.stdout
    assert f"{target.private / 'group-7'} is a symbolic link" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(outside.iterdir()) == []
    assert _tables(target) == []


# Run in the target (`stadtallianz shell`): the restore as the command runs it, but once the
# database is replaced a file appears where the document's folder must go (a disk error or
# another process, in effect).
INTERRUPTED_RESTORE = """
import os
from django.core.management import CommandError, call_command
from stadtallianz.core import backup

write_folder = backup.write_folder

def write_after_interference(plan, **options):
    if plan.key == "private_media":
        plan.root.mkdir(parents=True, exist_ok=True)
        (plan.root / "group-7").write_text("in the way")
    write_folder(plan, **options)

backup.write_folder = write_after_interference
try:
    call_command("restore", os.environ["RESTORE_FROM"])
except CommandError as error:
    print("EXIT 1:", error)
"""


def test_a_failure_after_the_database_was_replaced_says_so(scratch, genuine, tmp_path):
    target = Instance("the target", scratch.new("unsafe_target"), tmp_path / "target")
    target.environment["RESTORE_FROM"] = str(genuine)
    result = target.run("shell", "-c", INTERRUPTED_RESTORE)
    assert "EXIT 1: Restore failed after the database was replaced: The database WAS " \
           "restored (replaced)" in result.stdout, result.stdout
    assert "restore again into a new empty database" in result.stdout
    assert "django_content_type" in _tables_after_restore(target)


def _tables_after_restore(instance: Instance) -> list[str]:
    result = instance.run("shell", "-c", "from django.db import connection; "
                                         "print(*connection.introspection.table_names())")
    return result.stdout.split()


def test_the_restore_never_uses_tarfile_extraction_or_its_filters():
    """See the module's docstring: Debian 12's Python 3.11.2 has no `filter=`."""
    tree = ast.parse(Path(backup.__file__).read_text(encoding="utf-8"))
    forbidden = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in (
                "extract", "extractall", "data_filter", "tar_filter", "fully_trusted_filter",
                "extraction_filter"):
            forbidden.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Call) and any(keyword.arg == "filter"
                                              for keyword in node.keywords):
            forbidden.append(f"line {node.lineno}: filter=")
    assert forbidden == []
    # What it uses instead exists in every Python 3 (3.11.2 included).
    source = Path(backup.__file__).read_text(encoding="utf-8")
    assert ".extractfile(member)" in source and "O_NOFOLLOW" in source
