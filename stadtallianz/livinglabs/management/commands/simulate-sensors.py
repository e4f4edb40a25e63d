"""`stadtallianz simulate-sensors --url http://127.0.0.1:8000 [--mqtt mqtt://127.0.0.1:1884]`:
the demo labs' sensors keep sending a value every interval, over real HTTP (CreateObservations
with Basic credentials) or published to the broker — like devices in the field, never into the
database.

Each run issues one token per demo lab ("Simulator (live)") and revokes the previous run's. The
broker learns a new token only when its password file is written again
(`stadtallianz mosquitto-config`, then reload Mosquitto), so with --mqtt run that first.
Devices publish on the broker's device listener (port 1884 in the recommended configuration),
whose mount_point files their messages under the ingest prefix the bridge reads; against a
broker without that listener pass `--topic-prefix ingest/`.
"""

import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stadtallianz.livinglabs import simulator
from stadtallianz.livinglabs.models import LabToken, LivingLab
from stadtallianz.sensorthings.models import Datastream

TOKEN_NAME = "Simulator (live)"  # noqa: S105 - a label, not a secret


class Command(BaseCommand):
    help = "Sends live values of the demo labs' simulated sensors through the SensorThings API."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000",
                            help="Base address of the running platform.")
        parser.add_argument("--mqtt", nargs="?", const="mqtt://127.0.0.1:1884", default=None,
                            metavar="BROKER", help="Publish to the broker's device listener "
                            "instead of HTTP (default mqtt://127.0.0.1:1884).")
        parser.add_argument("--topic-prefix", default="",
                            help="Put before each topic (e.g. ingest/ on a broker without the "
                            "device listener's mount_point).")
        parser.add_argument("--interval", type=float, default=60.0,
                            help="Seconds between two rounds of values (default 60).")
        parser.add_argument("--rounds", type=int, default=0,
                            help="Stop after this many rounds (0: run until interrupted).")

    def handle(self, *args, url, mqtt, interval, rounds, topic_prefix, **options):
        feeds = self._feeds(url, mqtt, topic_prefix)
        if not feeds:
            raise CommandError("No demo lab with sensors: run `stadtallianz demo` first.")
        done = 0
        try:
            while True:
                moment = datetime.now(UTC)
                sent = sum(self._send(feed, moment, mqtt) for feed in feeds)
                self.stdout.write(f"{timezone.localtime():%H:%M:%S} sent {sent} values")
                done += 1
                if rounds and done >= rounds:
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
        finally:
            for feed in feeds:
                if hasattr(feed["transport"], "close"):
                    feed["transport"].close()

    def _feeds(self, url, mqtt, topic_prefix=""):
        feeds = []
        for slug in simulator.LABS:
            lab = LivingLab.objects.filter(slug=slug).first()
            if lab is None:
                continue
            names = {s.name: s for s in simulator.streams_of(slug)}
            streams = {s.key: ds.pk for ds in Datastream.objects.filter(lab=lab, name__in=names)
                       for s in [names[ds.name]]}
            if not streams:
                continue
            LabToken.objects.active().filter(lab=lab, name=TOKEN_NAME).update(
                revoked_at=timezone.now())
            _token, key = LabToken.issue(lab=lab, name=TOKEN_NAME)
            transport = (simulator.Mqtt(mqtt, key, topic_prefix=topic_prefix) if mqtt
                         else simulator.Http(url, key))
            feeds.append({"lab": lab, "transport": transport, "ids": streams,
                          "sim": simulator.Simulator(transport),
                          "streams": [s for s in simulator.streams_of(slug)
                                      if s.key in streams]})
        return feeds

    def _send(self, feed, moment, mqtt) -> int:
        values = feed["sim"].live_values(feed["streams"], feed["ids"], moment)
        if mqtt:
            for datastream_id, value in values:
                feed["transport"].publish(datastream_id, moment, value)
        else:
            for datastream_id, value in values:
                feed["sim"].create_observations(
                    datastream_id, [[simulator._iso(moment), value]])
        return len(values)
