"""`stadtallianz mosquitto-config --password-file F [--acl-file G]`: writes Mosquitto's password
and ACL files from the active lab tokens and their labs' datastreams (mqtt/brokerconfig.py).
With the platform's broker plugin (MQTT_PUBLISHER_PLUGIN) only the password file: the plugin
reads it and decides permissions itself, so no ACL file is written (--acl-file is ignored).

A file is rewritten only when its content changes, atomically (the broker never reads half a
file), and keeps the owner, group and mode of the file it replaces: Mosquitto runs as its own
user and reads them through their group (a new file gets `--group` and mode 0640). With
--pid-file, Mosquitto is sent SIGHUP (reload) after a change, and only once the broker's user
is known to be able to read both files: a reload with an unreadable password file would leave
the broker without its users.

Run it again whenever tokens or datastreams change; `--watch 1` keeps it running and applies a
change within about a second (a datastream created over HTTP can receive at once, a revoked
token is refused at once). The watcher outlives database restarts (core/recovery.py).

Each successful check (and each error, with its text) is recorded in the heartbeat
`mosquitto-config` (core/heartbeat.py; at most every 20 s while nothing changes), which the
operator's health endpoint reports (docs/monitoring.md)."""

import contextlib
import grp
import os
import pwd
import signal
import stat
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stadtallianz.core import heartbeat, recovery
from stadtallianz.sensorthings import labs
from stadtallianz.sensorthings.models import Datastream
from stadtallianz.sensorthings.mqtt import brokerconfig, topics

NEW_FILE_MODE = 0o640  # Mosquitto warns about (and later refuses) world-readable files


def _write_if_changed(path: Path, content: str, group: str | None) -> bool:
    if path.exists() and path.read_text() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(content)
    try:
        if path.exists():
            # os.replace puts the new file in place with the writer's owner and group: the
            # broker's user could no longer read it after the first change.
            previous = path.stat()
            os.chown(temporary, previous.st_uid, previous.st_gid)
            temporary.chmod(stat.S_IMODE(previous.st_mode))
        else:
            if group:
                os.chown(temporary, -1, grp.getgrnam(group).gr_gid)
            temporary.chmod(NEW_FILE_MODE)
    except (OSError, KeyError) as error:
        temporary.unlink(missing_ok=True)
        raise CommandError(f"{path} cannot get the owner, group and mode Mosquitto needs: "
                           f"{error}") from None
    os.replace(temporary, path)
    return True


def _broker_identity(pid: int) -> tuple[int, set[int]]:
    """The user and groups the running broker reads its files as (it drops root at start)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _sep, value = line.partition(":")
        fields[name] = value.split()
    return int(fields["Uid"][1]), {int(fields["Gid"][1]), *map(int, fields.get("Groups", []))}


def _user_identity(user: str) -> tuple[int, set[int]]:
    entry = pwd.getpwnam(user)
    return entry.pw_uid, {entry.pw_gid, *os.getgrouplist(user, entry.pw_gid)}


def readable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether a process of this user and these groups may read the file (and reach it)."""
    if uid == 0:
        return True
    for directory in [*reversed(path.resolve().parents)]:
        info = directory.stat()
        if not _allowed(info, uid, gids, stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH):
            return False
    return _allowed(path.stat(), uid, gids, stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH)


def _allowed(info, uid, gids, owner_bit, group_bit, other_bit) -> bool:
    if info.st_uid == uid:
        return bool(info.st_mode & owner_bit)
    if info.st_gid in gids:
        return bool(info.st_mode & group_bit)
    return bool(info.st_mode & other_bit)


class Command(BaseCommand):
    help = "Writes Mosquitto's password file and ACL file from the lab tokens."

    def add_arguments(self, parser):
        parser.add_argument("--password-file", required=True, type=Path)
        parser.add_argument("--acl-file", type=Path, default=None,
                            help="Mosquitto's ACL file (needed without MQTT_PUBLISHER_PLUGIN).")
        parser.add_argument("--bridge-user", default=None,
                            help="The bridge's broker user (default: MQTT_BRIDGE_USER, else "
                                 "the user name in MQTT_URL).")
        parser.add_argument("--bridge-password-env", default="MQTT_BRIDGE_PASSWORD",
                            help="Environment variable with the bridge's password (default "
                                 "MQTT_BRIDGE_PASSWORD, else the password in MQTT_URL).")
        parser.add_argument("--prefix", default=None,
                            help="The ingest prefix (default: MQTT_INGEST_PREFIX).")
        parser.add_argument("--pid-file", type=Path, default=None,
                            help="Mosquitto's pid file: send it SIGHUP when a file changed.")
        parser.add_argument("--group", default=None,
                            help="The group of a file written for the first time (e.g. "
                                 "mosquitto); a rewritten file keeps its owner, group and "
                                 "mode.")
        parser.add_argument("--broker-user", default=None,
                            help="The user Mosquitto reads the files as, checked before a "
                                 "reload (default: the user of the process in --pid-file).")
        parser.add_argument("--watch", type=float, default=None, metavar="SECONDS",
                            help="Keep running and check for changes every SECONDS.")

    def handle(self, *args, **options):
        address = topics.broker_address(settings.MQTT_URL) if settings.MQTT_URL else None
        self.bridge_user = (options["bridge_user"] or os.environ.get("MQTT_BRIDGE_USER")
                            or (address.username if address else None))
        self.bridge_password = (os.environ.get(options["bridge_password_env"])
                                or (address.password if address else None))
        if self.bridge_user and not self.bridge_password:
            raise CommandError(f"The bridge user {self.bridge_user} needs a password: set "
                               f"{options['bridge_password_env']} or put it in MQTT_URL.")
        prefix = brokerconfig.DEVICE_USER_PREFIX
        if self.bridge_user and self.bridge_user.startswith(prefix):
            raise CommandError(f"The bridge user must not start with {prefix!r}.")
        self.prefix = (options["prefix"] if options["prefix"] is not None
                       else settings.MQTT_INGEST_PREFIX)
        self.plugin = bool(settings.MQTT_PUBLISHER_PLUGIN)
        if not self.plugin and options["acl_file"] is None:
            raise CommandError("--acl-file is needed: without MQTT_PUBLISHER_PLUGIN the broker's "
                               "ACL file decides what each token may write.")
        if not self.prefix:
            raise CommandError("The ingest prefix must not be empty.")
        self.options = options
        self.heartbeat = heartbeat.Heartbeat("mosquitto-config")
        if options["watch"] is None:
            try:
                self.write_once()
            except CommandError as error:
                self.heartbeat.failed(str(error), state=self.figures)
                raise
            self.heartbeat.beat(state=self.figures, force=True)
            return
        stop = options.get("stop_event") or threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_args: stop.set())
        with contextlib.suppress(recovery.Stopping):
            while not stop.is_set():
                try:
                    recovery.with_database(lambda: self.write_once(quiet=True), stop,
                                           what="mosquitto-config")
                except CommandError as error:  # tried again on the next round
                    self.stderr.write(str(error))
                    self.heartbeat.failed(str(error), state=self.figures)
                else:
                    self.heartbeat.beat(state=self.figures)
                stop.wait(max(0.1, options["watch"]))
        recovery.drop_connection()

    stealth_options = ("stop_event",)
    reload_pending = False  # a change the broker has not been told about (its reload failed)
    figures: dict | None = None  # what the last check found, for the heartbeat

    def write_once(self, quiet: bool = False) -> None:
        options = self.options
        tokens = list(labs.directory().active_tokens())
        streams_by_lab: dict[int, list[int]] = {}
        for lab_id, pk in (Datastream.objects.filter(lab__in={t.lab_id for t in tokens})
                           .order_by("pk").values_list("lab_id", "pk")):
            streams_by_lab.setdefault(lab_id, []).append(pk)

        password_path = Path(options["password_file"])
        files = [password_path]
        changed = _write_if_changed(password_path, brokerconfig.password_file(
            tokens, self.bridge_user, self.bridge_password,
            brokerconfig.existing_hashes(password_path)), options["group"])
        if not self.plugin:
            acl_path = Path(options["acl_file"])
            files.append(acl_path)
            changed |= _write_if_changed(acl_path, brokerconfig.acl_file(
                tokens, streams_by_lab, prefix=self.prefix, bridge_user=self.bridge_user),
                options["group"])
        streams = sum(len(pks) for pks in streams_by_lab.values())
        self.figures = {"tokens": len(tokens), "datastreams": streams}
        if changed or not quiet:
            self.stdout.write(f"{len(tokens)} token(s), {streams} datastream(s): "
                              f"{'written' if changed else 'unchanged'}.")
        if (changed or self.reload_pending) and options["pid_file"]:
            self.reload_pending = True
            self._reload(*files)
            self.reload_pending = False

    def _reload(self, *paths: Path) -> None:
        try:
            pid = int(Path(self.options["pid_file"]).read_text().strip())
            uid, gids = (_user_identity(self.options["broker_user"])
                         if self.options["broker_user"] else _broker_identity(pid))
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Mosquitto was not told to reload: {error}") from None
        unreadable = [str(path) for path in paths if not readable_by(path, uid, gids)]
        if unreadable:
            raise CommandError(f"Mosquitto was not told to reload: its user (uid {uid}) "
                               f"cannot read {', '.join(unreadable)} (see --group).")
        try:
            os.kill(pid, signal.SIGHUP)
        except OSError as error:
            raise CommandError(f"Mosquitto was not told to reload: {error}") from None
        self.stdout.write(f"Sent SIGHUP to Mosquitto ({pid}).")
