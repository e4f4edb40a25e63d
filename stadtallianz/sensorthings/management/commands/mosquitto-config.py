"""`stadtallianz mosquitto-config --password-file F --acl-file G`: writes Mosquitto's password
and ACL files from the active lab tokens and their labs' datastreams (mqtt/brokerconfig.py).

Run it again whenever tokens or datastreams change (e.g. every minute from cron); it rewrites a
file only when its content changes, and with --pid-file sends Mosquitto SIGHUP (reload) then."""

import os
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings.models import Datastream
from stadtallianz.sensorthings.mqtt import brokerconfig, topics


def _write_if_changed(path: Path, content: str) -> bool:
    if path.exists() and path.read_text() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(content)
    temporary.chmod(0o640)  # Mosquitto warns about (and later refuses) world-readable files
    os.replace(temporary, path)  # atomic: the broker never reads half a file
    return True


class Command(BaseCommand):
    help = "Writes Mosquitto's password file and ACL file from the lab tokens."

    def add_arguments(self, parser):
        parser.add_argument("--password-file", required=True, type=Path)
        parser.add_argument("--acl-file", required=True, type=Path)
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

    def handle(self, *args, **options):
        address = topics.broker_address(settings.MQTT_URL) if settings.MQTT_URL else None
        bridge_user = (options["bridge_user"] or os.environ.get("MQTT_BRIDGE_USER")
                       or (address.username if address else None))
        bridge_password = (os.environ.get(options["bridge_password_env"])
                           or (address.password if address else None))
        if bridge_user and not bridge_password:
            raise CommandError(f"The bridge user {bridge_user} needs a password: set "
                               f"{options['bridge_password_env']} or put it in MQTT_URL.")
        if bridge_user and bridge_user.startswith(LabToken.PREFIX):
            raise CommandError(f"The bridge user must not start with {LabToken.PREFIX!r}.")
        prefix = options["prefix"] if options["prefix"] is not None else settings.MQTT_INGEST_PREFIX
        if not prefix:
            raise CommandError("The ingest prefix must not be empty.")

        tokens = list(LabToken.objects.active().order_by("username"))
        streams_by_lab: dict[int, list[int]] = {}
        for lab_id, pk in (Datastream.objects.filter(lab__in={t.lab_id for t in tokens})
                           .order_by("pk").values_list("lab_id", "pk")):
            streams_by_lab.setdefault(lab_id, []).append(pk)

        password_path, acl_path = Path(options["password_file"]), Path(options["acl_file"])
        changed = _write_if_changed(password_path, brokerconfig.password_file(
            tokens, bridge_user, bridge_password, brokerconfig.existing_hashes(password_path)))
        changed |= _write_if_changed(acl_path, brokerconfig.acl_file(
            tokens, streams_by_lab, prefix=prefix, bridge_user=bridge_user))
        streams = sum(len(pks) for pks in streams_by_lab.values())
        self.stdout.write(f"{len(tokens)} token(s), {streams} datastream(s): "
                          f"{'written' if changed else 'unchanged'}.")
        if changed and options["pid_file"]:
            try:
                pid = int(Path(options["pid_file"]).read_text().strip())
                os.kill(pid, signal.SIGHUP)
            except (OSError, ValueError) as error:
                raise CommandError(f"Mosquitto was not told to reload: {error}") from None
            self.stdout.write(f"Sent SIGHUP to Mosquitto ({pid}).")
