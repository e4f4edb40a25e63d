"""The restore drill (docs/backup.md): an instance with real content is backed up with
`stadtallianz backup`, restored with `stadtallianz restore` into a new database and new folders,
and the restored instance, started as gunicorn in production mode, serves what the original
served: the same counts, every document with the same bytes, a members-only document to a
member and not to an anonymous visitor, the public pages. Everything runs as an operator would
run it, in subprocesses with their own environment; on PostgreSQL and on SQLite.

Before item 5 of issue 12 the documented backup left out PRIVATE_MEDIA_ROOT: a restored
instance listed the documents and answered 404 to every download. This drill fails that way.
"""

import hashlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

import pytest
from django.conf import settings

BIN = Path(sys.executable).parent
DEMO_PASSWORD = "Allianz-Demo-2025"  # noqa: S105 - the demo's public password (DEBUG only)
COORDINATOR = "koordination@demo.stadtallianz.de"
MEMBER = "mitglied@demo.stadtallianz.de"
DRILL_DOCUMENT = "Restore drill: members-only plan"


def _png(seed: int, size: int = 48) -> bytes:
    """A real PNG whose pixels depend on `seed` (binary content, not just text)."""
    from PIL import Image

    image = Image.new("RGB", (size, size))
    image.putdata([((x * seed) % 256, (y * 7 + seed) % 256, (x * y) % 256)
                   for y in range(size) for x in range(size)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def add_drill_content() -> None:
    """Run in the source instance (`stadtallianz shell`) after the demo: a members-only document
    of a group of the demo member, uploaded by them through the knowledge services (two
    versions), and a logo in MEDIA_ROOT through the partner services. Prints what the drill
    checks: every document version with its sha256, and the logo's name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stadtallianz.accounts.models import User
    from stadtallianz.knowledge import services as knowledge
    from stadtallianz.knowledge.models import DocumentVersion
    from stadtallianz.partners import services as partners
    from stadtallianz.partners.models import Organisation
    from stadtallianz.workinggroups.models import GroupMembership

    member = User.objects.get(email=MEMBER)
    group = (GroupMembership.objects.filter(user=member, state=GroupMembership.State.ACTIVE)
             .select_related("group").order_by("pk").first().group)
    document = knowledge.document_create(
        by=member, group=group, upload=SimpleUploadedFile("plan.png", _png(3)),
        data={"title": DRILL_DOCUMENT, "description": "Nur für die Gruppe.",
              "visibility": "members"})
    knowledge.version_add(document=document, by=member,
                          upload=SimpleUploadedFile("plan-v2.png", _png(5)))
    organisation = Organisation.objects.filter(memberships__user=member).first()
    admin = organisation.memberships.filter(role="admin").first().user  # changes the logo
    partners.organisation_update(organisation=organisation, by=admin, data={
        "logo": SimpleUploadedFile("logo.png", _png(11), content_type="image/png")})
    organisation.refresh_from_db()
    print(json.dumps({
        "drill_document": document.pk,
        "group": group.slug,
        "logo": organisation.logo.name,
        "organisation": organisation.slug,
        "versions": [
            {"document": version.document_id, "number": version.number,
             "sha256": version.sha256, "visibility": version.document.visibility}
            for version in DocumentVersion.objects.select_related("document").order_by("pk")],
    }))


# ---------------------------------------------------------------------------------------------
# Running the platform as an operator does


class Instance:
    """One installation: its DATABASE_URL and folders, the commands an operator runs on it."""

    def __init__(self, name: str, database_url: str, folder: Path):
        self.name = name
        self.folder = folder
        self.media = folder / "media"
        self.private = folder / "private"
        environment = dict(os.environ)
        # The drill's two instances must not share a cache (the restored one could answer with
        # the original's cached pages), and neither needs the broker.
        for name_ in ("REDIS_URL", "MQTT_URL", "MQTT_PUBLISHER_PLUGIN"):
            environment.pop(name_, None)
        environment.update({"DATABASE_URL": database_url, "MEDIA_ROOT": str(self.media),
                            "PRIVATE_MEDIA_ROOT": str(self.private), "DEBUG": "false",
                            "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"})
        self.environment = environment
        # The umask of the commands: inherited unless a test sets one (-1).
        self.umask = -1

    def run(self, *arguments: str, debug: bool = False, check: bool = True,
            ) -> subprocess.CompletedProcess:
        environment = {**self.environment, "DEBUG": "true" if debug else "false"}
        result = subprocess.run(  # noqa: S603
            [str(BIN / "stadtallianz"), *arguments], env=environment, cwd=settings.BASE_DIR,
            capture_output=True, text=True, timeout=180, check=False, umask=self.umask)
        if check and result.returncode != 0:
            pytest.fail(f"stadtallianz {' '.join(arguments)} on {self.name} failed "
                        f"({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def serve(self) -> "Server":
        return Server(self)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in production mode (DEBUG off) on a free port, as the deployment runs it."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.port = _free_port()
        self.log = instance.folder / "gunicorn.log"
        self.process = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "config.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", "2", "--timeout", "30"],
            env=instance.environment, cwd=settings.BASE_DIR, start_new_session=True,
            stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def wait_until_serving(self) -> "Server":
        instance = self.instance
        # Generous: CI runs the PostgreSQL and SQLite passes side by side.
        deadline = time.monotonic() + 60
        while True:
            try:
                # The start page, not /healthz: it needs the database, the templates and the
                # translations, and /healthz may also judge processes the drill does not run.
                if self.request("GET", "/de/")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn of {instance.name} did not serve /de/:\n"
                            + self.log.read_text()[-3000:])
            time.sleep(0.2)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Visitor:
    """A browser's cookies, kept by hand: the session cookie is `Secure` in production mode and
    the drill speaks plain HTTP to gunicorn (nginx terminates TLS in the deployment)."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = self.server.request(method, path, body=body,
                                                                 headers=headers)
        for cookie in response_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, content

    def log_in(self, email: str) -> None:
        status, page = self.request("GET", "/de/login/")
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", "/de/login/", form={
            "username": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
        assert status == 302, f"login of {email} on {self.server.instance.name}: {status}"
        assert "sessionid" in self.cookies

    def download(self, document: int, number: int) -> tuple[int, bytes]:
        return self.request(
            "GET", f"/de/knowledge/documents/{document}/versions/{number}/download/")


COUNTED = ["/api/v1/partners", "/api/v1/working-groups", "/api/v1/knowledge/articles",
           "/api/v1/knowledge/documents", "/api/v1/ideas", "/api/v1/projects",
           "/api/v1/living-labs", "/api/v1/events"]


def observe(server: Server, content: dict) -> dict:
    """What visitors see of an instance: the API's counts (anonymous and as a member), the
    SensorThings observation count, and every document version downloaded by the coordination
    office (sha256 of the bytes served)."""
    seen: dict = {"counts": {}}
    anonymous, member, office = Visitor(server), Visitor(server), Visitor(server)
    member.log_in(MEMBER)
    office.log_in(COORDINATOR)
    for who, visitor in (("anonymous", anonymous), ("member", member)):
        for path in COUNTED:
            status, body = visitor.request("GET", f"{path}?limit=1")
            assert status == 200, (path, status, body[:300])
            seen["counts"][f"{who} {path}"] = json.loads(body)["count"]
    status, body = anonymous.request("GET", "/sta/v1.1/Observations?$count=true&$top=1")
    assert status == 200, body[:300]
    seen["counts"]["observations"] = json.loads(body)["@iot.count"]
    seen["documents"] = {}
    for version in content["versions"]:
        status, data = office.download(version["document"], version["number"])
        seen["documents"][f"{version['document']}/{version['number']}"] = (
            status, hashlib.sha256(data).hexdigest() if status == 200 else None)
    drill = content["drill_document"]
    status, data = member.download(drill, 2)
    seen["member_download"] = (status, hashlib.sha256(data).hexdigest())
    status, data = anonymous.download(drill, 2)
    seen["anonymous_download"] = (status, hashlib.sha256(data).hexdigest())
    status, page = anonymous.request("GET", f"/de/partners/{content['organisation']}/")
    seen["partner_page"] = status
    seen["logo_on_page"] = content["logo"].encode() in page
    return seen


def test_a_restored_instance_serves_everything_the_original_did(scratch, tmp_path):
    timings = {}
    started = time.monotonic()
    source = Instance("the original", scratch.new("drill_source"), tmp_path / "source")
    restored = Instance("the restored instance", scratch.new("drill_restored"),
                        tmp_path / "restored")
    backup_dir = tmp_path / "backups" / "nightly"

    # The original: migrated, the demo alliance (with DEBUG on, so its accounts have the demo
    # password), and content added through the services.
    source.run("migrate", "--noinput", "-v0")
    source.run("demo", debug=True)
    shell = source.run("shell", "-c", "from stadtallianz.core.tests.test_backup_restore "
                                      "import add_drill_content; add_drill_content()")
    content = json.loads(shell.stdout.strip().splitlines()[-1])
    versions = {f"{v['document']}/{v['number']}": v["sha256"] for v in content["versions"]}
    assert len(versions) >= 4
    assert any(v["visibility"] == "members" for v in content["versions"])
    assert (source.media / content["logo"]).is_file()
    timings["set-up"] = time.monotonic() - started

    mark = time.monotonic()
    result = source.run("backup", str(backup_dir))
    timings["backup"] = time.monotonic() - mark
    assert "Backup written to" in result.stdout
    # The operator is told what is not in the backup.
    assert "environment file" in result.stdout and "SECRET_KEY" in result.stdout
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["folders"]["private_media"]["files"] >= len(versions)
    # Every public file: the drill's logo and the demo organisations' generated logos.
    assert manifest["folders"]["media"]["files"] == sum(
        1 for path in source.media.rglob("*") if path.is_file())
    assert manifest["rows"]["knowledge.DocumentVersion"] == len(versions)
    assert sorted(path.name for path in backup_dir.iterdir()) == sorted(
        [manifest["database"]["file"], "manifest.json", "media.tar", "private-media.tar"])
    assert not list(backup_dir.parent.glob(".nightly.partial-*"))

    mark = time.monotonic()
    result = restored.run("restore", str(backup_dir))
    timings["restore"] = time.monotonic() - mark
    assert "Restored; rows and files match the backup." in result.stdout
    assert (restored.media / content["logo"]).read_bytes() == (
        source.media / content["logo"]).read_bytes()

    mark = time.monotonic()
    servers = [source.serve(), restored.serve()]  # both start at once
    try:
        original = observe(servers[0].wait_until_serving(), content)
        after = observe(servers[1].wait_until_serving(), content)
    finally:
        for server in servers:
            server.stop()
    timings["serving both"] = time.monotonic() - mark

    # The original serves every document with the bytes its row names ...
    assert original["documents"] == {key: (200, digest) for key, digest in versions.items()}
    # ... and so does the restored instance: nothing lost, nothing changed.
    assert after["documents"] == original["documents"]
    assert after["counts"] == original["counts"]
    assert after["counts"]["observations"] > 0
    assert after["member_download"] == original["member_download"] == (
        200, versions[f"{content['drill_document']}/2"])
    assert after["anonymous_download"][0] == original["anonymous_download"][0] == 404
    assert after["partner_page"] == 200 and after["logo_on_page"]
    timings["total"] = time.monotonic() - started
    print(f"restore drill on {'PostgreSQL' if scratch.is_postgresql else 'SQLite'}: "
          + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))


def test_backup_refuses_a_directory_with_files_and_writes_nothing(scratch, tmp_path):
    source = Instance("the original", scratch.new("refuse_source"), tmp_path / "source")
    # One app's tables are enough here (the drill above restores a whole instance).
    source.run("migrate", "contenttypes", "--noinput", "-v0")
    target = tmp_path / "backups" / "taken"
    target.mkdir(parents=True)
    (target / "manifest.json").write_text("{}")
    result = source.run("backup", str(target), check=False)
    assert result.returncode != 0
    assert "exists and is not empty" in result.stderr
    assert [path.name for path in target.parent.iterdir()] == ["taken"]
    assert (target / "manifest.json").read_text() == "{}"


def test_restore_refuses_a_used_database_and_a_damaged_backup(scratch, tmp_path):
    source = Instance("the original", scratch.new("refuse_source"), tmp_path / "source")
    # One app's tables are enough here (the drill above restores a whole instance).
    source.run("migrate", "contenttypes", "--noinput", "-v0")
    source.private.mkdir(parents=True)
    (source.private / "kept.txt").write_text("a document")
    backup_dir = tmp_path / "backup"
    source.run("backup", str(backup_dir))

    # Into the database it came from: it has tables, and the operator is told which flag.
    result = source.run("restore", str(backup_dir), check=False)
    assert result.returncode != 0
    assert "has" in result.stderr and "tables" in result.stderr
    assert "--replace-existing" in result.stderr

    # A damaged part is found before anything is written.
    damaged = tmp_path / "damaged"
    shutil.copytree(backup_dir, damaged)
    with (damaged / "private-media.tar").open("r+b") as archive:
        archive.seek(600)
        archive.write(b"X")
    target = Instance("the target", scratch.new("refuse_target"), tmp_path / "target")
    result = target.run("restore", str(damaged), check=False)
    assert result.returncode != 0
    assert "private-media.tar does not match its checksum" in result.stderr
    assert not target.private.exists()
    if not scratch.is_postgresql:
        assert not Path(target.environment["DATABASE_URL"].removeprefix("sqlite:///")).exists()

    # A manifest changed without SECRET_KEY is refused, naming the key.
    from stadtallianz.core.backup import manifest_signature

    intact = Instance("the intact target", scratch.new("refuse_intact"), tmp_path / "intact")
    intact.private.mkdir(parents=True)
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    manifest["folders"]["private_media"]["files"] += 1
    tampered = tmp_path / "tampered"
    shutil.copytree(backup_dir, tampered)
    (tampered / "manifest.json").write_text(json.dumps(manifest))
    result = intact.run("restore", str(tampered), check=False)
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
    # Signed, a file the archive lacks (a restore missing part of PRIVATE_MEDIA_ROOT, in effect)
    # is found before anything is written.
    manifest["signature"] = manifest_signature(manifest,
                                               secret=intact.environment["SECRET_KEY"])
    (tampered / "manifest.json").write_text(json.dumps(manifest))
    result = intact.run("restore", str(tampered), check=False)
    assert result.returncode == 1
    assert "private-media.tar holds 1 files" in result.stderr
    assert "the manifest says 2 files" in result.stderr
    assert list(intact.private.iterdir()) == []
    if not scratch.is_postgresql:
        assert not Path(intact.environment["DATABASE_URL"].removeprefix("sqlite:///")).exists()


def test_pg_dump_gets_the_password_from_the_environment_never_the_command_line(scratch, tmp_path):
    """`ps` shows every process's command line to every user of the machine: the database
    password reaches pg_dump in PGPASSWORD only. pg_dump runs through a wrapper that records
    what it was given (the test server trusts local connections, so the password is ignored
    there)."""
    if not scratch.is_postgresql:
        pytest.skip("PostgreSQL's pg_dump; SQLite is copied in-process without a password")
    url = urlsplit(scratch.new("password_source"))
    # The server's own password where it asks for one; otherwise one it ignores.
    password = unquote(url.password) if url.password else "h5-secret-/-word"
    url = url._replace(netloc=f"{quote(url.username or '', safe='')}:{quote(password, safe='')}"
                              f"@{url.hostname}:{url.port or 5432}").geturl()
    source = Instance("the original", url, tmp_path / "source")
    source.run("migrate", "contenttypes", "--noinput", "-v0")
    wrappers = tmp_path / "bin"
    wrappers.mkdir()
    wrapper = wrappers / "pg_dump"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/argv"\n'
                       f'printf "%s" "$PGPASSWORD" > "{tmp_path}/password"\n'
                       f'exec {shutil.which("pg_dump")} "$@"\n')
    wrapper.chmod(0o755)
    source.environment["PATH"] = f"{wrappers}:{source.environment['PATH']}"
    source.run("backup", str(tmp_path / "backup"))
    assert password not in (tmp_path / "argv").read_text()
    assert (tmp_path / "password").read_text() == password
