"""The deployment smoke test (issue 12, item 4; `make deploy-smoke`, run by .ci/run).

It installs the platform as docs/deployment.md "Install" does and brings up the stack it
describes FROM THE FILES IN deploy/ on this machine, then uses it through nginx as a city's people
would. Steps 2 and 3 of "Install" run as written, in a temporary folder under /tmp (each parent
open to the service user) standing for /srv: the COMMITTED tree (HEAD, `git clone` of this
checkout and `git checkout` of its commit; uncommitted changes are not tested) owned by root,
`python3 -m venv .venv` with Debian's /usr/bin/python3, `.venv/bin/pip install -e .`,
`npm ci --omit=dev`, `make mosquitto-plugin`, the plugin installed and the wrapper linked (into
the temporary folder, on PATH), the user `stadtallianz` created where it is missing, and the
folders it writes. Every file read below comes from that copy. Where systemd is not running
(CI), the services are started as background processes from the unit files themselves:
`ExecStart`, `User`, `WorkingDirectory`, `UMask`, `Environment`, `EnvironmentFile` and
`RuntimeDirectory` are read from deploy/systemd/*.service, so the command lines tested are the
shipped ones. Only
paths, ports and the host name are substituted (each substitution must match, or the run
fails: a changed deploy file cannot silently escape the test):

    /srv/stadtallianz        -> <temp>/srv/stadtallianz (the copy: code, .venv, var/)
    /var/backups/stadtallianz -> <temp>/backups       (the nightly backup's folder)
    /usr/local/lib/stadtallianz/ -> <temp>/usr-local-lib/stadtallianz/ (the broker plugin)
    /etc/stadtallianz.env    -> <temp>/stadtallianz.env, filled from deploy/stadtallianz.env.example
    /etc/mosquitto/, /run/mosquitto/, /var/lib/mosquitto/, /run/<RuntimeDirectory> -> <temp>/...
    Mosquitto's `log_dest syslog` -> `log_dest stdout` (no syslog here; the run keeps the log)
    allianz.example.org      -> localhost, with a self-signed certificate made by openssl
    ports 443, 80, 8001, 1883, 1884 -> free ports on the loopback interface

Commands run through the copy's deploy/stadtallianz-manage, as the docs say; as root, every
platform process runs as the units' User= (gunicorn, worker, bridge and jobs as `stadtallianz`,
mosquitto-config as root), which the checks verify. Debian's Mosquitto
(`/usr/sbin/mosquitto -c`, as root it drops to the user mosquitto, which tests the password
file's group and mode) and nginx (its own main configuration and prefix in the temporary
folder, never /etc/nginx) serve in front. Then the checks (see CHECKS below). Everything is
torn down at the end, processes killed and the temporary folder removed; on a failure every
process's log is printed.

    python deploy/smoke/run.py [--keep]

Environment: SMOKE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/deploy_smoke, dropped
and created again; the backup is restored into <its name>_restore, dropped too), SMOKE_REDIS_URL
(default redis://127.0.0.1:6379/3, emptied).
"""

# The script's purpose is to start the shipped command lines and the system's tools (openssl,
# install, runuser, nginx, mosquitto) found on systemd's PATH, as the units and docs do.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import contextlib
import grp
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

# The checkout whose HEAD is installed; nothing else of it is used.
ROOT = Path(__file__).resolve().parents[2]
SERVICE_USER = "stadtallianz"  # the units' User=
HOST = "localhost"
# The demo's coordination office: it may upload everywhere and manage every lab's tokens.
COORDINATOR = "koordination@demo.stadtallianz.de"
LAB = "reallabor-aasee"
# Generous: CI runs this beside the SQLite test pass on two cores.
WAIT = 90.0
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The administrator's shell of "Install": Debian's tools first (python3 is /usr/bin/python3, never
# a developer's pyenv or virtual environment).
INSTALL_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
# What the machine's administrator has configured for pip and npm (mirrors, certificates, a
# proxy) is kept for the install steps; nothing else of the caller's environment.
INSTALL_ENVIRONMENT = ("PIP_", "NPM_CONFIG_", "npm_config_", "NODE_EXTRA_CA_CERTS", "HTTP_PROXY",
                       "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
                       "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class SmokeFailure(Exception):
    pass


def log(message: str) -> None:
    print(f"[deploy-smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, probe, timeout: float = WAIT, interval: float = 0.25):
    """Polls `probe` until it returns something true; fails naming `what` (and the last error)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = probe()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - reported if it never succeeds
            last = error
        time.sleep(interval)
    raise SmokeFailure(f"{what}: not within {timeout:.0f} s" + (f" (last error: {last!r})"
                                                                 if last else ""))


def check(condition, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# ---------------------------------------------------------------------------------------------
# Reading the shipped files


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit file as {section: [(key, value), ...]}, continuation lines joined."""
    return parse_unit_text(path.read_text())


def parse_unit_text(text: str) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, _sep, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def unit_value(unit: dict, section: str, key: str, default=None):
    values = [value for name, value in unit.get(section, []) if name == key]
    return values[-1] if values else default


def parse_environment_file(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments, blank lines, a value
    in single or double quotes)."""
    result = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, _sep, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        result[key.strip()] = value
    return result


def shell_environment(path: Path) -> dict[str, str]:
    """What `set -a; . file` gives (the wrapper's way), without the shell's own variables."""
    script = 'set -a; . "$1"; set +a; env -0'
    baseline = subprocess.run(["env", "-i", "sh", "-c", "env -0"], capture_output=True,
                              check=True).stdout
    loaded = subprocess.run(["env", "-i", "sh", "-c", script, "sh", str(path)],
                            capture_output=True, check=True).stdout
    before = dict(item.split("=", 1) for item in baseline.decode().split("\0") if item)
    after = dict(item.split("=", 1) for item in loaded.decode().split("\0") if item)
    return {key: value for key, value in after.items() if before.get(key) != value}


def substitute(text: str, replacements: list[tuple[str, str]], what: str) -> str:
    for old, new in replacements:
        if old not in text:
            raise SmokeFailure(f"{what}: expected {old!r} in the shipped file, to substitute it "
                               f"for the test (was the file changed? update deploy/smoke/run.py)")
        text = text.replace(old, new)
    return text


def fill_environment(template: str, values: dict[str, str]) -> str:
    """The template with each value set on its line (a commented default is uncommented)."""
    lines = template.splitlines()
    for key, value in values.items():
        pattern = re.compile(rf"^(# )?{re.escape(key)}=")
        found = [index for index, line in enumerate(lines) if pattern.match(line)]
        if not found:
            raise SmokeFailure(f"deploy/stadtallianz.env.example has no line for {key}")
        lines[found[0]] = f"{key}={value}"
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The stack


class Stack:
    def __init__(self, keep: bool):
        self.keep = keep
        # Under /tmp, not $TMPDIR: the service user, Mosquitto (user mosquitto) and nginx's
        # workers (www-data) must pass through every parent folder to reach their files.
        self.tmp = Path(tempfile.mkdtemp(prefix="stadtallianz-deploy-smoke-", dir="/tmp"))
        self.tmp.chmod(0o755)
        # /srv/stadtallianz of the docs: the installed copy, and var/ in it.
        self.srv = self.tmp / "srv" / "stadtallianz"
        self.deploy = self.srv / "deploy"
        self.units = self.deploy / "systemd"
        self.var = self.srv / "var"
        self.plugin = self.tmp / "usr-local-lib" / "stadtallianz" / "stadtallianz_publisher.so"
        self.backups = self.tmp / "backups"
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.processes: dict[str, subprocess.Popen] = {}
        self.is_root = os.geteuid() == 0
        self.ports = {name: free_port() for name in ("https", "http", "web", "public", "device")}
        self.database_url = os.environ.get("SMOKE_DATABASE_URL",
                                           "postgres://postgres@127.0.0.1:5432/deploy_smoke")
        self.redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/3")
        self.bridge_password = secrets.token_urlsafe(24)
        self.ops_token = secrets.token_urlsafe(32)
        self.base = f"https://{HOST}:{self.ports['https']}"
        self.plain = f"http://{HOST}:{self.ports['http']}"
        self.cert = self.tmp / "tls" / "fullchain.pem"
        self.env_file = self.tmp / "stadtallianz.env"
        self.mosquitto_etc = self.tmp / "etc-mosquitto"
        self.mosquitto_pid = self.tmp / "run-mosquitto" / "mosquitto.pid"
        self.run_as = None  # (user name, uid, gid, groups) of the units' User=stadtallianz
        self.install_seconds = 0.0
        # Called by name through a link on PATH, as /usr/local/sbin/stadtallianz-manage is.
        self.sbin = self.tmp / "sbin"
        self.installed_commit = None
        self.job_users: dict[str, str] = {}  # each timer's service: the user its process ran as

    # -- substitutions ------------------------------------------------------------------------

    def paths(self) -> list[tuple[str, str]]:
        return [("/srv/stadtallianz", str(self.srv)),
                ("/usr/local/lib/stadtallianz/", f"{self.plugin.parent}/"),
                ("/var/backups/stadtallianz", str(self.backups)),
                ("/etc/stadtallianz.env", str(self.env_file)),
                ("/etc/mosquitto/", f"{self.mosquitto_etc}/"),
                ("/run/mosquitto/", f"{self.mosquitto_pid.parent}/")]

    def unit_text(self, name: str) -> str:
        text = (self.units / name).read_text()
        present = [(old, new) for old, new in self.paths() if old in text]
        text = substitute(text, present, name)
        if name == "stadtallianz.service":
            text = substitute(text, [("127.0.0.1:8001", f"127.0.0.1:{self.ports['web']}")], name)
        # RuntimeDirectory=<name> is /run/<name> under systemd (see start_unit).
        for _key, folder in parse_unit_text(text).get("Service", []):
            if _key == "RuntimeDirectory":
                text = substitute(text, [(f"/run/{folder}", str(self.tmp / "run" / folder))],
                                  name)
        return text

    # -- preparing ----------------------------------------------------------------------------

    # -- installing (docs/deployment.md "Install", steps 2 and 3) -----------------------------

    def install_environment(self) -> dict:
        env = {"PATH": f"{INSTALL_PATH}:{self.sbin}", "LANG": "C.UTF-8",
               "HOME": pwd.getpwuid(os.geteuid()).pw_dir}
        env.update({key: value for key, value in os.environ.items()
                    if key.startswith(INSTALL_ENVIRONMENT)})
        return env

    def install_step(self, *command: str, cwd: Path | None = None) -> None:
        """One command of "Install", in the administrator's shell; its output shown on failure."""
        began = time.monotonic()
        completed = subprocess.run(command, cwd=cwd or self.srv, env=self.install_environment(),
                                   capture_output=True, text=True, umask=0o022)
        if completed.returncode != 0:
            raise SmokeFailure(f"Install: {' '.join(command)} failed ({completed.returncode}):\n"
                               f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
        log(f"  {' '.join(command)} ({time.monotonic() - began:.1f} s)")

    def install_code(self) -> None:
        """Step 2: the code owned by root, its venv made with Debian's Python."""
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                                  "--untracked-files=no"], check=True, capture_output=True,
                                 text=True).stdout
        log(f"installing commit {commit[:12]} (HEAD of {ROOT})"
            + ("; this checkout's uncommitted changes are not part of it" if changed else ""))
        self.installed_commit = commit
        self.srv.parent.mkdir(mode=0o755)
        self.sbin.mkdir(mode=0o755)
        self.install_step("git", "clone", "--quiet", str(ROOT), str(self.srv), cwd=self.tmp)
        self.install_step("git", "checkout", "--quiet", "--detach", commit)
        self.install_step("python3", "-m", "venv", ".venv")
        self.install_step(".venv/bin/pip", "install", "-e", ".")
        self.install_step("npm", "ci", "--omit=dev")
        self.install_step("make", "mosquitto-plugin")
        self.install_step("install", "-D", "-m", "0644", "var/mosquitto/stadtallianz_publisher.so",
                          str(self.plugin))
        self.install_step("ln", "-s", str(self.deploy / "stadtallianz-manage"),
                          str(self.sbin / "stadtallianz-manage"))
        python = (self.srv / ".venv" / "bin" / "python").resolve()
        check(python == Path("/usr/bin/python3.11"),
              f"the installed venv runs {python}, not Debian's /usr/bin/python3.11")

    def service_identity(self):
        """Step 3's user, which the units' User=stadtallianz runs as: created as the docs say
        where it is missing. Not root: the current user (nothing can switch users)."""
        if not self.is_root:
            log("not root: services run as the current user, Mosquitto and nginx do not switch "
                "users (run as root to test the service user and the broker's file permissions)")
            return None
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            self.install_step("adduser", "--system", "--group", "--home", "/srv/stadtallianz",
                              "--no-create-home", SERVICE_USER)
        probe = subprocess.run(["runuser", "-u", SERVICE_USER, "--",
                                str(self.srv / ".venv" / "bin" / "python"), "-c",
                                "import stadtallianz"], capture_output=True, text=True,
                               cwd=self.srv)
        check(probe.returncode == 0, f"the user {SERVICE_USER} cannot run the installed "
                                     f"platform: {probe.stderr[-500:]}")
        entry = pwd.getpwnam(SERVICE_USER)
        return (SERVICE_USER, entry.pw_uid, entry.pw_gid,
                os.getgrouplist(SERVICE_USER, entry.pw_gid))

    def service_user_name(self) -> str:
        """Who the units' User=stadtallianz processes must run as here."""
        return self.run_as[0] if self.run_as else pwd.getpwuid(os.geteuid()).pw_name

    def make_folders(self) -> None:
        # docs/deployment.md "Install", step 3: the folders the service user writes.
        owner = ["-o", SERVICE_USER, "-g", SERVICE_USER] if self.is_root else []
        self.install_step("install", "-d", *owner, "-m", "0755", str(self.var),
                          str(self.var / "static"), str(self.var / "media"))
        self.install_step("install", "-d", *owner, "-m", "0700", str(self.var / "private"),
                          str(self.var / "mail"), str(self.backups))
        # What Debian's mosquitto package and unit prepare (/var/lib/mosquitto, /run/mosquitto).
        self.mosquitto_etc.mkdir(mode=0o755)
        (self.mosquitto_etc / "conf.d").mkdir(mode=0o755)
        for folder in (self.tmp / "mosquitto-data", self.mosquitto_pid.parent,
                       self.tmp / "nginx"):
            folder.mkdir(mode=0o755)
        if self.is_root:
            for folder in (self.tmp / "mosquitto-data", self.mosquitto_pid.parent):
                shutil.chown(folder, "mosquitto", "mosquitto")

    def certificate(self) -> None:
        folder = self.cert.parent
        folder.mkdir(mode=0o755)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                        "-keyout", str(folder / "privkey.pem"), "-out", str(self.cert)],
                       check=True, capture_output=True)

    def environment_file(self) -> None:
        template = (self.deploy / "stadtallianz.env.example").read_text()
        template = substitute(template, [("/srv/stadtallianz/", f"{self.srv}/"),
                                         ("/usr/local/lib/stadtallianz/",
                                          f"{self.plugin.parent}/")],
                              "stadtallianz.env.example")
        ports = self.ports
        text = fill_environment(template, {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": self.base,
            # nginx passes the host without its port ($host); on 443 the origin is the host.
            "CSRF_TRUSTED_ORIGINS": self.base,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": f"file://{self.var}/mail",
            "MQTT_URL": f"mqtt://stadtallianz-bridge:{self.bridge_password}@127.0.0.1:"
                        f"{ports['public']}",
            "MQTT_PUBLIC_URL": f"mqtt://{HOST}:{ports['device']}",
            "MQTT_SUBSCRIBE_URL": f"mqtt://{HOST}:{ports['public']}",
            "OPS_TOKEN": self.ops_token,
        })
        left = [line for line in text.splitlines()
                if "CHANGE-ME" in line and not line.startswith("#")]
        check(not left, f"the filled environment file still has a CHANGE-ME: {left}")
        self.env_file.write_text(text)
        self.env_file.chmod(0o640)
        if self.is_root:
            shutil.chown(self.env_file, "root", SERVICE_USER)
        systemd_view = parse_environment_file(text)
        shell_view = shell_environment(self.env_file)
        differences = set(systemd_view.items()) ^ set(shell_view.items())
        check(not differences, "systemd (EnvironmentFile=) and the shell (stadtallianz-manage) "
                               f"read the environment file differently: {differences}")
        self.settings = systemd_view
        for name in ("DEBUG", "TASKS_BACKEND", "PROXY_COUNT"):
            log(f"environment file: {name}={self.settings.get(name)}")

    def mosquitto_files(self) -> None:
        ports = self.ports
        main = substitute((self.deploy / "mosquitto" / "mosquitto.conf").read_text(),
                          [("/run/mosquitto/", f"{self.mosquitto_pid.parent}/"),
                           ("/etc/mosquitto/", f"{self.mosquitto_etc}/")], "mosquitto.conf")
        (self.mosquitto_etc / "mosquitto.conf").write_text(main)
        site = substitute((self.deploy / "mosquitto" / "stadtallianz.conf").read_text(), [
            ("/usr/local/lib/stadtallianz/", f"{self.plugin.parent}/"),
            ("/etc/mosquitto/", f"{self.mosquitto_etc}/"),
            ("/var/lib/mosquitto/", f"{self.tmp / 'mosquitto-data'}/"),
            ("\nlistener 1883\n", f"\nlistener {ports['public']} 127.0.0.1\n"),
            ("\nlistener 1884\n", f"\nlistener {ports['device']} 127.0.0.1\n"),
            # No syslog daemon here: the broker's log goes to a file of the run.
            ("\nlog_dest syslog\n", "\nlog_dest stdout\n"),
        ], "stadtallianz.conf")
        (self.mosquitto_etc / "conf.d" / "stadtallianz.conf").write_text(site)

    def nginx_files(self) -> None:
        ports = self.ports
        site = substitute((self.deploy / "nginx" / "stadtallianz.conf").read_text(), [
            ("/srv/stadtallianz/var/", f"{self.var}/"),
            ("/etc/letsencrypt/live/allianz.example.org/", f"{self.cert.parent}/"),
            ("allianz.example.org", HOST),
            ("server 127.0.0.1:8001;", f"server 127.0.0.1:{ports['web']};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;"),
            ("listen [::]:443 ssl http2;", f"listen [::1]:{ports['https']} ssl http2;"),
            ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
            ("listen [::]:80;", f"listen [::1]:{ports['http']};"),
        ], "nginx/stadtallianz.conf")
        folder = self.tmp / "nginx"
        (folder / "stadtallianz.conf").write_text(site)
        temp_paths = "\n".join(f"    {kind}_temp_path {folder / kind};"
                               for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # The main configuration Debian's /etc/nginx/nginx.conf would give (the parts the site
        # relies on), with every file of nginx in the temporary folder.
        (folder / "nginx.conf").write_text(f"""\
{"user www-data;" if self.is_root else ""}
worker_processes 2;
daemon off;
pid {folder / 'nginx.pid'};
error_log {self.logs / 'nginx-error.log'};
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log {self.logs / 'nginx-access.log'};
{temp_paths}
    include {folder / 'stadtallianz.conf'};
}}
""")

    def recreate_database(self) -> None:
        import psycopg
        import redis

        parsed = urlparse(self.database_url)
        name = parsed.path.lstrip("/")
        check(name.startswith("deploy_") and name.replace("_", "").isalnum(),
              f"refusing the database {name!r}: the smoke test drops it (deploy_… only)")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        # Rate limits and login throttling count in Redis: a fresh count for each run.
        redis.Redis.from_url(self.redis_url).flushdb()

    def restore_database_url(self) -> str:
        """The scratch database the backup is restored into: the smoke's own name + _restore."""
        parsed = urlparse(self.database_url)
        return parsed._replace(path=f"{parsed.path}_restore").geturl()

    def create_restore_database(self) -> str:
        import psycopg

        url = self.restore_database_url()
        name = urlparse(url).path.lstrip("/")
        check(name.startswith("deploy_") and name.replace("_", "").isalnum() and len(name) <= 63,
              f"refusing the database {name!r}: the smoke test drops it (deploy_… only)")
        admin = urlparse(url)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return url

    def drop_database(self) -> None:
        import psycopg

        for url in (self.database_url, self.restore_database_url()):
            parsed = urlparse(url)
            admin = parsed._replace(path="/postgres").geturl()
            try:
                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(
                        f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')
            except Exception as error:  # noqa: BLE001 - the next run drops it anyway
                log(f"could not drop the database: {error}")

    # -- running ------------------------------------------------------------------------------

    def manage_environment(self, env_file: Path | None = None) -> dict:
        # The link stands for /usr/local/sbin/stadtallianz-manage: first, so that a real
        # installation's wrapper on this machine is never the one called.
        env = {"PATH": f"{self.sbin}:{SYSTEMD_PATH}", "LANG": "C.UTF-8",
               "STADTALLIANZ_ENV_FILE": str(env_file or self.env_file),
               "STADTALLIANZ_USER": self.run_as[0] if self.run_as else "root"}
        return env

    def manage(self, *arguments: str, as_root: bool = False, quiet: bool = True,
               timeout: float = 300, env_file: Path | None = None) -> str:
        """deploy/stadtallianz-manage, as docs/deployment.md runs it (with sudo: as root)."""
        command = ["stadtallianz-manage", *(["--as-root"] if as_root else []), *arguments]
        began = time.monotonic()
        completed = subprocess.run(command, env=self.manage_environment(env_file),
                                   capture_output=True, text=True, timeout=timeout, cwd="/")
        if completed.returncode != 0:
            raise SmokeFailure(f"stadtallianz-manage {' '.join(arguments)} failed "
                               f"({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
        if not quiet:
            log(completed.stdout.strip())
        shown = " ".join(arguments).strip().splitlines()[0][:60]
        log(f"  stadtallianz-manage {shown} ({time.monotonic() - began:.1f} s)")
        return completed.stdout

    def unit_command(self, name: str):
        """(argv, env, cwd, identity, umask) of a unit, as systemd would start it."""
        unit = parse_unit_text(self.unit_text(name))
        service = dict(unit.get("Service", []))
        argv = shlex.split(unit_value(unit, "Service", "ExecStart"))
        argv[0] = argv[0].lstrip("-@+!")
        user = service.get("User", "root")
        identity = None
        if user == SERVICE_USER:
            identity = self.run_as
        elif user != "root":
            raise SmokeFailure(f"{name}: unexpected User={user}")
        home = str(self.srv) if user == SERVICE_USER else "/root"
        env = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": home, "USER": user,
               "LOGNAME": user}
        for _key, value in [item for item in unit["Service"] if item[0] == "EnvironmentFile"]:
            env.update(parse_environment_file(Path(value.lstrip("-")).read_text()))
        for _key, value in [item for item in unit["Service"] if item[0] == "Environment"]:
            for assignment in shlex.split(value):
                key, _sep, val = assignment.partition("=")
                env[key] = val
        umask = int(service["UMask"], 8) if "UMask" in service else 0o022
        return argv, env, service.get("WorkingDirectory", "/"), identity, umask, unit

    def spawn(self, label: str, argv, env, cwd, identity=None, umask=0o022):
        extra = {}
        if identity:
            _name, uid, gid, groups = identity
            extra = {"user": uid, "group": gid, "extra_groups": groups}
        output = (self.logs / f"{label}.log").open("w")
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=output,  # noqa: S603
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   umask=umask, **extra)
        self.processes[label] = process
        return process

    def start_unit(self, name: str, label: str):
        argv, env, cwd, identity, umask, unit = self.unit_command(name)
        # What systemd does for RuntimeDirectory=: an empty folder owned by the unit's user.
        for folder in [value for key, value in unit["Service"] if key == "RuntimeDirectory"]:
            path = self.tmp / "run" / folder
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True, mode=int(unit_value(unit, "Service",
                                                         "RuntimeDirectoryMode", "0755"), 8))
            if identity:
                os.chown(path, identity[1], identity[2])
        log(f"starting {name}: {' '.join(argv[:3])} …")
        return self.spawn(label, argv, env, cwd, identity, umask)

    def alive(self, label: str) -> None:
        process = self.processes[label]
        if process.poll() is not None:
            raise SmokeFailure(f"{label} exited with {process.returncode}")

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for label, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{label} did not stop after SIGTERM: killed")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def print_logs(self) -> None:
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()
            shown = ", last 300" if len(lines) > 300 else ""
            print(f"\n===== {path.name} ({len(lines)} lines{shown}) =====", flush=True)
            print("\n".join(lines[-300:]), flush=True)

    def remove(self) -> None:
        if self.keep:
            log(f"kept {self.tmp}")
            return
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Bringing it up


def bring_up(stack: Stack) -> dict:
    began = time.monotonic()
    log('docs/deployment.md "Install", steps 2 and 3, in ' + str(stack.srv))
    stack.install_code()
    stack.run_as = stack.service_identity()
    stack.make_folders()
    stack.install_seconds = time.monotonic() - began
    log(f"installed in {stack.install_seconds:.0f} s")
    stack.certificate()
    stack.environment_file()
    stack.mosquitto_files()
    stack.nginx_files()
    stack.recreate_database()

    log("install steps through deploy/stadtallianz-manage (migrate, collectstatic, "
        "compilemessages, rebuild_search_index, check --deploy, demo, mosquitto-config)")
    # docs/deployment.md "Install", step 6 (createsuperuser aside: the demo's coordinator below).
    stack.manage("compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v0",
                 as_root=True)
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("rebuild_search_index")
    stack.manage("collectstatic", "--noinput", "-v0")
    stack.manage("check", "--deploy", "--fail-level", "WARNING")
    stack.manage("demo")
    facts = json.loads(stack.manage("shell", "-c", FACTS_SCRIPT).strip().splitlines()[-1])
    # docs/deployment.md: mosquitto-config once before the broker's first start, with the
    # unit's arguments (no broker to signal yet: without --watch and --pid-file).
    argv = stack.unit_command("stadtallianz-mosquitto-config.service")[0]
    arguments = argv[argv.index("mosquitto-config"):]
    arguments = drop_option(drop_option(arguments, "--watch"), "--pid-file")
    if not stack.is_root:
        arguments = drop_option(arguments, "--group")
    stack.manage(*arguments, as_root=True)
    password_file = stack.mosquitto_etc / "stadtallianz.passwd"
    info = password_file.stat()
    log(f"password file {oct(info.st_mode & 0o777)} group "
        f"{grp.getgrgid(info.st_gid).gr_name}")

    log("starting Mosquitto")
    stack.spawn("mosquitto", ["/usr/sbin/mosquitto", "-c",
                              str(stack.mosquitto_etc / "mosquitto.conf")],
                {"PATH": SYSTEMD_PATH}, "/")
    wait_for("Mosquitto writes its pid file and listens on both listeners", lambda: (
        stack.alive("mosquitto") is None and stack.mosquitto_pid.exists()
        and port_open(stack.ports["public"]) and port_open(stack.ports["device"])))

    stack.start_unit("stadtallianz.service", "gunicorn")
    stack.start_unit("stadtallianz-worker.service", "worker")
    stack.start_unit("stadtallianz-mqtt.service", "mqtt-bridge")
    stack.start_unit("stadtallianz-mosquitto-config.service", "mosquitto-config")

    folder = stack.tmp / "nginx"
    nginx = ["/usr/sbin/nginx", "-p", f"{folder}/", "-c", str(folder / "nginx.conf"),
             "-e", str(stack.logs / "nginx-error.log")]
    tested = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    check(tested.returncode == 0, f"nginx -t refuses the rendered site:\n{tested.stderr}")
    stack.spawn("nginx", nginx, {"PATH": SYSTEMD_PATH}, "/")

    import requests

    def healthy():
        stack.alive("gunicorn")
        stack.alive("nginx")
        return requests.get(f"{stack.base}/healthz", verify=stack.cert, timeout=5).status_code \
            == 200

    wait_for("gunicorn answers /healthz through nginx over HTTPS", healthy)
    return facts


def drop_option(arguments: list[str], option: str) -> list[str]:
    index = arguments.index(option)
    return arguments[:index] + arguments[index + 2:]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


FACTS_SCRIPT = f"""
import json
from stadtallianz.accounts.models import User
from stadtallianz.sensorthings.models import Datastream
from stadtallianz.workinggroups.models import WorkingGroup
from django.conf import settings
password = "{secrets.token_urlsafe(18)}"
user = User.objects.get(email="{COORDINATOR}")
user.set_password(password)
user.save()
stream = Datastream.objects.filter(lab__slug="{LAB}", privacy_level="public").order_by("pk").first()
print(json.dumps({{
    "password": password,
    "group": next(group.slug for group in WorkingGroup.objects.order_by("pk") if group.is_active),
    "datastream": stream.pk,
    "document_max_bytes": settings.DOCUMENT_MAX_BYTES,
}}))
"""


# ---------------------------------------------------------------------------------------------
# The checks


class Browser:
    """A person's session over HTTPS through nginx (requests, verifying the test certificate)."""

    def __init__(self, stack: Stack):
        import requests

        self.stack = stack
        self.session = requests.Session()
        # The test certificate, whatever REQUESTS_CA_BUNDLE says (it would win otherwise).
        self.session.trust_env = False
        self.session.verify = str(stack.cert)

    def get(self, path: str, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.get(self.stack.base + path, **kwargs)

    def csrf(self, path: str) -> str:
        response = self.get(path)
        check(response.status_code == 200, f"GET {path} answered {response.status_code}")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        check(match, f"GET {path}: no CSRF token in the form")
        return match.group(1)

    def post(self, path: str, data: dict, files=None, **kwargs):
        token = self.csrf(path)
        kwargs.setdefault("timeout", 60)
        return self.session.post(self.stack.base + path,
                                 data={"csrfmiddlewaretoken": token, **data}, files=files,
                                 headers={"Referer": self.stack.base + path},
                                 allow_redirects=False, **kwargs)


    def post_to(self, path: str, form_page: str, data: dict | None = None):
        """A form whose action is another page than the one showing it (a revoke button)."""
        token = self.csrf(form_page)
        return self.session.post(self.stack.base + path,
                                 data={"csrfmiddlewaretoken": token, **(data or {})},
                                 headers={"Referer": self.stack.base + form_page},
                                 allow_redirects=False, timeout=60)


def set_cookies(response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


def check_pages(stack: Stack, facts: dict, browser: Browser) -> str:
    import requests

    for path in ("/de/", "/en/", "/de/login/", f"/de/living-labs/{LAB}/", "/sta/v1.1"):
        response = requests.get(stack.base + path, verify=stack.cert, timeout=30)
        check(response.status_code == 200, f"GET {path} over HTTPS answered "
                                           f"{response.status_code}, not 200")
    home = requests.get(stack.base + "/de/", verify=stack.cert, timeout=30)
    hsts = home.headers.get("Strict-Transport-Security", "")
    check("max-age=31536000" in hsts, f"no HSTS for a year over HTTPS: {hsts!r}")
    root = requests.get(stack.base + "/sta/v1.1", verify=stack.cert, timeout=30).text
    check(f"mqtt://{HOST}:{stack.ports['device']}" in root
          and f"mqtt://{HOST}:{stack.ports['public']}" in root,
          "the SensorThings service root does not advertise both MQTT listeners "
          "(MQTT_PUBLIC_URL, MQTT_SUBSCRIBE_URL)")
    return "home, login, lab page and SensorThings root 200 over HTTPS; HSTS one year"


def check_plain_http(stack: Stack, facts: dict, browser: Browser) -> str:
    import requests

    response = requests.get(stack.plain + "/de/living-labs/?page=2", allow_redirects=False,
                            timeout=30)
    location = response.headers.get("Location", "")
    check(response.status_code == 301 and location == f"https://{HOST}/de/living-labs/?page=2",
          f"HTTP is not redirected to HTTPS: {response.status_code} {location!r}")
    health = requests.get(stack.plain + "/healthz", allow_redirects=False, timeout=30)
    check(health.status_code == 200 and health.json().get("status") == "ok",
          f"/healthz over plain HTTP answered {health.status_code}: {health.text[:200]}")
    return "HTTP 301 to HTTPS (path and query kept); /healthz 200 over plain HTTP"


def check_static_and_media(stack: Stack, facts: dict, browser: Browser) -> str:
    import requests

    page = requests.get(stack.base + "/de/", verify=stack.cert, timeout=30).text
    match = re.search(r'(/static/[^"\']+\.[0-9a-f]{12}\.css)', page)
    check(match, "the home page links no hashed stylesheet under /static/")
    response = requests.get(stack.base + match.group(1), verify=stack.cert, timeout=30)
    check(response.status_code == 200, f"{match.group(1)}: {response.status_code}")
    cache = response.headers.get("Cache-Control", "")
    check("max-age=31536000" in cache and "Expires" in response.headers,
          f"{match.group(1)} is not cached for a year: Cache-Control {cache!r}")
    # A public upload (as the platform writes logos: the service user's file in MEDIA_ROOT).
    upload = stack.var / "media" / "smoke" / "probe.png"
    upload.parent.mkdir()
    upload.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    if stack.is_root:
        for path in (upload.parent, upload):
            shutil.chown(path, SERVICE_USER, SERVICE_USER)
    response = requests.get(stack.base + "/media/smoke/probe.png", verify=stack.cert, timeout=30)
    check(response.status_code == 200 and response.content == upload.read_bytes(),
          f"/media/ does not serve MEDIA_ROOT: {response.status_code}")
    check(response.headers.get("X-Content-Type-Options") == "nosniff",
          "/media/ is served without X-Content-Type-Options: nosniff")
    return f"{match.group(1)[:40]}… 200 with Cache-Control max-age=31536000; /media/ nosniff"


def check_login(stack: Stack, facts: dict, browser: Browser) -> str:
    response = browser.post("/de/login/", {"username": COORDINATOR,
                                           "password": facts["password"]})
    check(response.status_code == 302, f"login through nginx answered {response.status_code} "
                                       f"(CSRF or proxy headers?): {response.text[:300]}")
    cookies = {cookie.split("=", 1)[0]: cookie for cookie in set_cookies(response)}
    session = cookies.get("sessionid", "")
    check("Secure" in session and "HttpOnly" in session,
          f"the session cookie is not Secure and HttpOnly: {session!r}")
    check("Secure" in cookies.get("csrftoken", "Secure"), "the CSRF cookie is not Secure")
    profile = browser.get("/de/account/", allow_redirects=False)
    check(profile.status_code == 200, f"the profile page after login: {profile.status_code}")
    return "login form over HTTPS (CSRF through the proxy); session cookie Secure, HttpOnly"


def check_private_files(stack: Stack, facts: dict, browser: Browser) -> str:
    import requests

    files = list((stack.var / "private" / "documents" / str(facts["document"])).iterdir())
    check(len(files) == 1, f"the uploaded document's file is not in PRIVATE_MEDIA_ROOT: {files}")
    name = str(files[0].relative_to(stack.var / "private"))
    secret_bytes = files[0].read_bytes()
    tried = [f"/media/{name}", f"/media/../private/{name}", f"/media/%2e%2e/private/{name}",
             f"/static/../private/{name}", f"/static/%2e%2e/private/{name}",
             f"/private/{name}", f"/var/private/{name}", f"/{name}",
             f"/media/..%2fprivate/{name}", f"/static/..%2f..%2fvar/private/{name}"]
    for path in tried:
        for base in (stack.base, stack.plain):
            # Over HTTP a 301 to HTTPS serves nothing (and the HTTPS path is tried anyway).
            response = requests.get(base + path, verify=stack.cert, timeout=30,
                                    allow_redirects=base == stack.base)
            check(secret_bytes not in response.content,
                  f"the private document is served at {base}{path} ({response.status_code})")
    download = f"/de/knowledge/documents/{facts['document']}/download/"
    anonymous = requests.get(stack.base + download, verify=stack.cert, timeout=30)
    check(secret_bytes not in anonymous.content,
          "a members-only document is downloadable without logging in")
    member = browser.get(download)
    check(member.status_code == 200 and member.content == secret_bytes,
          f"the coordination office cannot download the members-only document: "
          f"{member.status_code}")
    return (f"{len(tried)} paths over HTTPS and HTTP never give the private file; "
            "anonymous download refused, coordinator's download served by the platform")


def check_uploads(stack: Stack, facts: dict, browser: Browser) -> str:
    limit = facts["document_max_bytes"]
    path = f"/de/knowledge/documents/new/?group={facts['group']}"

    def upload(size: int, title: str, visibility: str = "public"):
        line = f"Stadtallianz deployment smoke test {uuid.uuid4().hex}.\n".encode()
        content = (line * (size // len(line) + 1))[:size]
        return browser.post(path, {"title": title, "description": "", "visibility": visibility,
                                   "group": facts["group"]},
                            files={"file": (f"{title}.txt", content, "text/plain")},
                            timeout=120)

    under = upload(limit, "smoke-at-limit")
    check(under.status_code == 302 and "/knowledge/documents/" in under.headers.get("Location", ""),
          f"an upload of exactly DOCUMENT_MAX_BYTES ({limit}) was not accepted: "
          f"{under.status_code} {under.text[:300]}")
    over = upload(limit + 1, "smoke-over-limit")
    check(over.status_code == 400 and "MB" in over.text and "nginx" not in over.text,
          f"one byte over DOCUMENT_MAX_BYTES was not answered by the platform's form error "
          f"(400) but {over.status_code} {over.headers.get('Server')}: {over.text[:200]}")
    nginx_limit = 25 * 1024 * 1024
    import requests

    try:
        huge = upload(nginx_limit + 1, "smoke-over-nginx")
        status, body = huge.status_code, huge.text
    except requests.ConnectionError as error:  # nginx may close before the body is sent
        raise SmokeFailure(
            f"an upload over client_max_body_size was not answered: {error}") from None
    check(status == 413 and "nginx" in body,
          f"an upload over client_max_body_size (25m) was not refused by nginx with 413: "
          f"{status}")
    # The private-documents check looks for this one's file.
    members = upload(2000, "smoke-members-only", "members")
    check(members.status_code == 302, f"a members-only upload: {members.status_code}")
    facts["document"] = int(re.search(r"/documents/(\d+)/", members.headers["Location"]).group(1))
    return (f"{limit} bytes accepted (302), {limit + 1} answered by the platform (400, form "
            f"error), {nginx_limit + 1} refused by nginx (413)")


def check_mail_and_worker(stack: Stack, facts: dict, browser: Browser) -> str:
    mail = stack.var / "mail"
    before = set(mail.iterdir())
    anonymous = Browser(stack)
    response = anonymous.post("/de/password-reset/", {"email": COORDINATOR})
    check(response.status_code == 302, f"password reset answered {response.status_code}")
    wait_for("the password-reset mail is written into the mail folder by gunicorn",
             lambda: any(COORDINATOR in path.read_text(errors="replace")
                         for path in set(mail.iterdir()) - before))
    # A notification e-mail goes through the queue (TASKS_BACKEND=database): only the worker
    # (stadtallianz-worker.service) sends it.
    marker = uuid.uuid4().hex
    stack.manage("shell", "-c", f"""
from stadtallianz.accounts.models import User
from stadtallianz.notifications.services import notify
user = User.objects.get(email="{COORDINATOR}")
notify(user, kind="smoke", key="smoke-{marker}", template="notifications/emails/reply",
       context={{"author": user, "thread": {{"title": "{marker}"}}, "group": {{"name": "Smoke"}}}},
       url="/de/")
""")
    wait_for("the worker sends the queued notification e-mail", lambda: any(
        marker in path.read_text(errors="replace") for path in mail.iterdir()), interval=0.5)
    return "password-reset mail written by gunicorn; a queued notification sent by the worker"


def mqtt_login(port: int, username: str | None, password: str | None, timeout: float = 10):
    """The broker's answer to a login: 0 accepted, otherwise the CONNACK reason code."""
    import paho.mqtt.client as mqtt

    result = {}
    done = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"smoke-{uuid.uuid4().hex}")
    if username:
        client.username_pw_set(username, password)

    def on_connect(_client, _userdata, _flags, reason_code, _properties):
        result["code"] = reason_code.value
        done.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    try:
        if not done.wait(timeout):
            raise SmokeFailure(f"no CONNACK from the broker on port {port}")
        return result["code"], client
    finally:
        if result.get("code") != 0:
            client.loop_stop()
            client.disconnect()


def check_mqtt(stack: Stack, facts: dict, browser: Browser) -> str:
    import paho.mqtt.client as mqtt
    import requests

    tokens = f"/de/living-labs/{LAB}/tokens/"
    response = browser.post(tokens, {"name": "smoke device"})
    check(response.status_code == 200, f"issuing a token on the lab's page: {response.status_code}")
    match = re.search(r"(lab_[0-9a-f]{8})_([A-Za-z0-9_-]{20,})", response.text)
    check(match, "the new token's key is not shown on the tokens page")
    username, secret = match.groups()
    datastream = facts["datastream"]
    topic = f"v1.1/Datastreams({datastream})/Observations"

    received = []
    subscribed = threading.Event()
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"smoke-sub-{secret[:6]}")
    subscriber.on_message = lambda _c, _u, message: received.append(message.payload)
    subscriber.on_subscribe = lambda *_args: subscribed.set()
    subscriber.on_connect = lambda client, *_args: client.subscribe(topic, qos=1)
    subscriber.connect("127.0.0.1", stack.ports["public"])
    subscriber.loop_start()
    try:
        check(subscribed.wait(30), "the anonymous subscriber could not subscribe")
        device = wait_for("the new token logs in on the device listener (mosquitto-config "
                          "--watch wrote it and reloaded the broker)",
                          lambda: login_client(stack.ports["device"], username, secret))
        value = 600 + secrets.randbelow(300)
        moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        info = device.publish(topic, json.dumps({"phenomenonTime": moment, "result": value}),
                              qos=1)
        info.wait_for_publish(timeout=30)
        check(info.is_published(), "the broker did not acknowledge the device's message")
        device.loop_stop()
        device.disconnect()

        def stored():
            answer = requests.get(
                f"{stack.base}/sta/v1.1/Datastreams({datastream})/Observations",
                params={"$orderby": "phenomenonTime desc", "$top": "1"}, verify=stack.cert,
                timeout=30).json()
            return answer["value"] and answer["value"][0]["result"] == value

        wait_for("the device's value reaches the SensorThings API through nginx", stored)
        wait_for("the value is shown on the lab page",
                 lambda: f"<strong>{value}" in browser.get(f"/en/living-labs/{LAB}/").text)
        wait_for("the anonymous subscriber receives the notification",
                 lambda: any(json.loads(payload).get("result") == value for payload in received))
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()

    # Revoked on the web page: the broker refuses the token within seconds.
    page = browser.get(tokens).text
    revoke = re.search(r'action="(/de/living-labs/[^"]+/tokens/(\d+)/revoke/)"', page)
    check(revoke, "no revoke form on the tokens page")
    response = browser.post_to(revoke.group(1), tokens)
    check(response.status_code == 302, f"revoking the token answered {response.status_code}")
    started = time.monotonic()
    wait_for("the revoked token is refused by the broker",
             lambda: refused(stack.ports["device"], username, secret), timeout=30)
    refused_after = time.monotonic() - started
    check(refused(stack.ports["device"], "lab_0badc0de", "invented"),
          "the broker accepts an invented token")
    check(refused(stack.ports["public"], "stadtallianz-bridge", "wrong password"),
          "the broker accepts the bridge's user name with a wrong password")
    return (f"token issued on the lab page, device published {value} on the device listener, "
            f"stored, in /sta/ and on the lab page, subscriber notified; revoked token refused "
            f"after {refused_after:.1f} s; invented and wrong-password logins refused")


def refused(port: int, username: str, password: str) -> bool:
    code, client = mqtt_login(port, username, password)
    if code == 0:
        client.loop_stop()
        client.disconnect()
    return code != 0


def login_client(port: int, username: str, secret: str):
    code, client = mqtt_login(port, username, secret)
    return client if code == 0 else None


def check_jobs(stack: Stack, facts: dict, browser: Browser) -> str:
    """Each periodic job's service, started once as its timer would."""
    timers = sorted(stack.units.glob("*.timer"))
    running = {}
    for timer in timers:
        service = timer.with_suffix(".service").name
        argv, env, cwd, identity, umask, unit = stack.unit_command(service)
        check(unit_value(unit, "Service", "Type") == "oneshot", f"{service} is not oneshot")
        running[service] = stack.spawn(f"job-{timer.stem}", argv, env, cwd, identity, umask)
        # Read before the process is reaped: until process.wait() a finished job stays a zombie
        # whose status still names its user.
        stack.job_users[service] = process_user(running[service].pid)
    for service, process in running.items():
        try:
            code = process.wait(timeout=180)
        except subprocess.TimeoutExpired:
            raise SmokeFailure(f"{service} did not finish within 180 s") from None
        check(code == 0, f"{service} failed with {code}")
    return f"{len(running)} timer services ran once and succeeded"


def check_backup(stack: Stack, facts: dict, browser: Browser) -> str:
    """The nightly backup unit ran once (periodic jobs, above): its folder holds one complete
    backup with the members-only document's file, and that backup restores with
    `stadtallianz-manage restore` into a new database and new folders (docs/backup.md
    "Restoring", steps 2 to 4)."""
    import tarfile

    made = [path for path in stack.backups.iterdir()]
    check(len(made) == 1 and made[0].is_dir() and not made[0].name.startswith("."),
          f"the backup folder holds {sorted(path.name for path in made)}, not one backup")
    backup = made[0]
    check(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{6}Z", backup.name),
          f"the backup's name {backup.name!r} is not the time in UTC")
    manifest = json.loads((backup / "manifest.json").read_text())
    private = manifest["folders"]["private_media"]
    on_disk = [path for path in (stack.var / "private").rglob("*") if path.is_file()]
    check(private["files"] == len(on_disk) > 0,
          f"the backup's manifest counts {private['files']} files of PRIVATE_MEDIA_ROOT, the "
          f"folder holds {len(on_disk)}")
    # The members-only document uploaded in "upload limits".
    names, recorded = json.loads(stack.manage("shell", "-c", f"""
import json
from stadtallianz.core.models import ProcessHeartbeat
from stadtallianz.knowledge.models import DocumentVersion
beat = ProcessHeartbeat.objects.filter(name="job:backup").first()
print(json.dumps([[version.file.name for version in
                   DocumentVersion.objects.filter(document_id={facts['document']})],
                  bool(beat and beat.last_success and not beat.last_error)]))
""").strip().splitlines()[-1])
    # What /healthz/processes reports of the nightly run (OPS_EXPECTED_PROCESSES job:backup).
    check(recorded, "the backup's success is not recorded as the heartbeat job:backup")
    check(names, f"no file for the members-only document {facts['document']}")
    with tarfile.open(backup / private["archive"]) as archive:
        archived = set(archive.getnames())
    check(set(names) <= archived,
          f"the members-only document's file {names} is not in {private['archive']}")
    check(backup.stat().st_mode & 0o777 == 0o700, "the backup is readable by others")

    # Restored on "another machine": the environment file with a new database and folders.
    began = time.monotonic()
    target = stack.tmp / "restored"
    owner = ["-o", SERVICE_USER, "-g", SERVICE_USER] if stack.is_root else []
    subprocess.run(["install", "-d", *owner, "-m", "0700", str(target)], check=True)
    env_file = stack.tmp / "stadtallianz-restored.env"
    env_file.write_text(fill_environment(stack.env_file.read_text(), {
        "DATABASE_URL": stack.create_restore_database(),
        "MEDIA_ROOT": str(target / "media"),
        "PRIVATE_MEDIA_ROOT": str(target / "private"),
    }))
    env_file.chmod(0o640)
    if stack.is_root:
        shutil.chown(env_file, "root", SERVICE_USER)
    output = stack.manage("restore", str(backup), env_file=env_file)
    check("Restored; rows and files match the backup." in output,
          f"restore did not confirm the backup: {output[-500:]}")
    for name in names:
        check((target / "private" / name).read_bytes() == (stack.var / "private" / name)
              .read_bytes(), f"the restored {name} differs from the original")
    return (f"{backup.name}: {sum(manifest['rows'].values())} rows, {private['files']} private "
            f"files with the members-only document; restored into "
            f"{urlparse(stack.restore_database_url()).path.lstrip('/')} and new folders in "
            f"{time.monotonic() - began:.1f} s")


def check_operator_endpoints(stack: Stack, facts: dict, browser: Browser) -> str:
    """/healthz/processes and /metrics: refused without OPS_TOKEN, never over plain HTTP, and
    every process the configuration implies (worker, bridge, mosquitto-config, the jobs just
    run) healthy through nginx."""
    import requests

    bearer = {"Authorization": f"Bearer {stack.ops_token}"}
    for path in ("/healthz/processes", "/metrics"):
        anonymous = requests.get(stack.base + path, verify=stack.cert, timeout=30)
        check(anonymous.status_code in (401, 403),
              f"{path} answers {anonymous.status_code} without the token")
        plain = requests.get(stack.plain + path, headers=bearer, allow_redirects=False,
                             timeout=30)
        check(plain.status_code == 301, f"{path} over plain HTTP: {plain.status_code}, "
                                        "not the redirect to HTTPS")
    last = {}

    def healthy():
        answer = requests.get(stack.base + "/healthz/processes", headers=bearer,
                              verify=stack.cert, timeout=30)
        last["answer"] = answer.text[:600]
        return answer.status_code == 200 and answer.json()["status"] == "ok"

    try:
        wait_for("/healthz/processes reports every process healthy", healthy, timeout=60,
                 interval=1)
    except SmokeFailure as failure:
        raise SmokeFailure(f"{failure}: {last.get('answer')}") from None
    names = [process["name"] for process in requests.get(
        stack.base + "/healthz/processes", headers=bearer, verify=stack.cert,
        timeout=30).json()["processes"]]
    # The web unit's PROMETHEUS_MULTIPROC_DIR: one scrape counts the requests of every worker.
    def healthz_count() -> float:
        text = requests.get(stack.base + "/metrics", headers=bearer, verify=stack.cert,
                            timeout=30).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("stadtallianz_http_requests_total{")
                   and 'route="healthz"' in line)

    before = healthz_count()
    probes = 40
    for _ in range(probes):
        requests.get(stack.base + "/healthz", verify=stack.cert, timeout=30)
    counted = healthz_count() - before
    check(counted >= probes, f"/metrics counted {counted:g} of {probes} /healthz requests: the "
                             "workers' counters are not added up (PROMETHEUS_MULTIPROC_DIR)")
    return (f"401/403 without OPS_TOKEN, 301 over HTTP; healthy: {', '.join(names)}; "
            f"/metrics counted all {probes} /healthz requests across the workers")


def check_reload(stack: Stack, facts: dict, browser: Browser) -> str:
    """`systemctl reload stadtallianz` (ExecReload, HUP) under requests: none is dropped."""
    import requests

    unit = parse_unit_text(stack.unit_text("stadtallianz.service"))
    reload_command = unit_value(unit, "Service", "ExecReload")
    check(reload_command, "stadtallianz.service has no ExecReload")
    master = stack.processes["gunicorn"].pid
    log_path = stack.logs / "gunicorn.log"
    booted_before = log_path.read_text(errors="replace").count("Booting worker")
    failures, answered = [], [0]
    stop = threading.Event()

    def load():
        session = requests.Session()
        session.trust_env = False
        session.verify = str(stack.cert)
        while not stop.is_set():
            try:
                response = session.get(stack.base + "/de/", timeout=30)
                answered[0] += 1
                if response.status_code != 200:
                    failures.append(response.status_code)
            except requests.RequestException as error:
                failures.append(repr(error))

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # requests in flight before the reload (not an assertion)
        subprocess.run(shlex.split(reload_command.replace("$MAINPID", str(master))), check=True)
        workers = int(re.search(r"--workers (\d+)", unit_value(unit, "Service", "ExecStart"))
                      .group(1))
        wait_for("gunicorn boots its new workers after HUP", lambda: log_path.read_text(
            errors="replace").count("Booting worker") >= booted_before + workers)
        count = answered[0]
        wait_for("requests go on after the reload", lambda: answered[0] >= count + 20)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    check(not failures, f"requests failed during the reload: {failures[:5]}")
    return f"HUP ({reload_command}) during {answered[0]} requests: none failed"


def check_still_running(stack: Stack, facts: dict, browser: Browser) -> str:
    for label in ("mosquitto", "gunicorn", "worker", "mqtt-bridge", "mosquitto-config", "nginx"):
        stack.alive(label)
    if stack.is_root:
        broker = process_user(stack.processes["mosquitto"].pid)
        check(broker == "mosquitto", f"Mosquitto runs as {broker}, not mosquitto")
        master = stack.processes["nginx"].pid
        workers = {process_user(int(pid)) for pid in
                   Path(f"/proc/{master}/task/{master}/children").read_text().split()}
        check(workers == {"www-data"}, f"nginx's workers run as {workers}, not www-data")
    return "Mosquitto, gunicorn, worker, bridge, mosquitto-config --watch and nginx still running"


def check_service_user(stack: Stack, facts: dict, browser: Browser) -> str:
    """Each platform process as its unit's User= (docs "Install", step 3), the code the service
    user cannot change, and the folders with the owners and modes of step 3."""
    expected = stack.service_user_name()
    users = {}
    for label, unit in (("gunicorn", "stadtallianz.service"),
                        ("worker", "stadtallianz-worker.service"),
                        ("mqtt-bridge", "stadtallianz-mqtt.service"),
                        ("mosquitto-config", "stadtallianz-mosquitto-config.service")):
        wanted = unit_value(parse_unit_text(stack.unit_text(unit)), "Service", "User")
        wanted = expected if wanted == SERVICE_USER else wanted
        pid = stack.processes[label].pid
        actual = process_user(pid)
        check(actual == wanted, f"{label} ({unit}) runs as {actual}, not {wanted}")
        users[label] = actual
        if label == "gunicorn":
            workers = {process_user(int(child)) for child in
                       Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
            check(workers == {expected}, f"gunicorn's workers run as {workers}, not {expected}")
    check(stack.job_users and set(stack.job_users.values()) == {expected},
          f"the timers' services ran as {stack.job_users}, not {expected}")
    if stack.is_root:
        check(users["mosquitto-config"] == "root", "mosquitto-config does not run as root")
    for folder, mode in ((stack.var / "private", 0o700), (stack.var / "mail", 0o700),
                         (stack.backups, 0o700), (stack.var / "media", 0o755),
                         (stack.var / "static", 0o755)):
        info = folder.stat()
        owner = pwd.getpwuid(info.st_uid).pw_name
        check(owner == expected and info.st_mode & 0o777 == mode,
              f"{folder} is {oct(info.st_mode & 0o777)} owned by {owner}, not {oct(mode)} "
              f"owned by {expected}")
    written = [path for path in (stack.var / "private").rglob("*")]
    check(written and {pwd.getpwuid(path.stat().st_uid).pw_name for path in written}
          == {expected}, f"the private files are not all written by {expected}")
    if stack.is_root:
        code = stack.srv.stat()
        check(code.st_uid == 0 and not code.st_mode & 0o022,
              f"the code folder {stack.srv} is not root's or is writable by others")
        probe = subprocess.run(["runuser", "-u", SERVICE_USER, "--", "test", "-w",
                                str(stack.srv / "stadtallianz")])
        check(probe.returncode != 0, f"{SERVICE_USER} may write the code")
    return (f"gunicorn and its workers, worker, bridge and {len(stack.job_users)} timer services "
            f"as {expected}, mosquitto-config as {users['mosquitto-config']}; var/private, "
            f"var/mail and the backups 0700, var/static and var/media 0755, owned by {expected}"
            + ("; the code root's, not writable by it" if stack.is_root else ""))


def process_user(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return pwd.getpwuid(int(line.split()[2])).pw_name
    raise SmokeFailure(f"no user for process {pid}")



CHECKS = [
    ("pages over HTTPS", check_pages),
    ("plain HTTP", check_plain_http),
    ("static and media files", check_static_and_media),
    ("login", check_login),
    ("upload limits", check_uploads),
    ("private documents", check_private_files),
    ("mail and worker", check_mail_and_worker),
    ("MQTT device to API, lab page and subscriber; revocation", check_mqtt),
    ("periodic jobs", check_jobs),
    ("nightly backup and its restore", check_backup),
    ("operator endpoints", check_operator_endpoints),
    ("graceful reload", check_reload),
    ("all services still running", check_still_running),
    ("platform processes as the service user", check_service_user),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    for needed in ("/usr/sbin/nginx", "/usr/sbin/mosquitto", "/usr/bin/openssl",
                   "/usr/bin/python3", "/usr/bin/git", "/usr/bin/npm", "/usr/bin/make"):
        if not Path(needed).exists():
            print(f"deploy-smoke: {needed} is missing (make deploy-smoke installs nginx; the "
                  f"rest comes with step 1 of docs/deployment.md \"Install\")", file=sys.stderr)
            return 1
    started = time.monotonic()
    stack = Stack(keep=args.keep)
    failed = False
    try:
        facts = bring_up(stack)
        log(f"stack up in {time.monotonic() - started:.0f} s: nginx https {stack.ports['https']}"
            f" http {stack.ports['http']}, gunicorn {stack.ports['web']}, Mosquitto "
            f"{stack.ports['public']}/{stack.ports['device']}")
        browser = Browser(stack)
        for name, function in CHECKS:
            began = time.monotonic()
            summary = function(stack, facts, browser)
            log(f"ok   {name} ({time.monotonic() - began:.1f} s): {summary}")
    except SmokeFailure as failure:
        failed = True
        log(f"FAIL {failure}")
    except Exception as error:  # noqa: BLE001 - any error fails the run, with the logs
        failed = True
        import traceback

        traceback.print_exc()
        log(f"FAIL {error!r}")
    finally:
        stopping = time.monotonic()
        stack.stop()
        log(f"stopped every process in {time.monotonic() - stopping:.1f} s")
        if failed:
            stack.print_logs()
        removing = time.monotonic()
        stack.drop_database()
        stack.remove()
        log(f"dropped the databases and removed the temporary folder in "
            f"{time.monotonic() - removing:.1f} s")
    log(f"{'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s"
        + (f" (the install {stack.install_seconds:.0f} s of it)" if stack.install_seconds else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
