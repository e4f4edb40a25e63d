"""`stadtallianz mqtt-bridge`: the long-running MQTT bridge (mqtt/bridge.py). Run it as a service
beside gunicorn (docs/deployment.md "MQTT"); SIGTERM or Ctrl-C stops it after the batch in hand
is stored and acknowledged."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stadtallianz.sensorthings.mqtt.bridge import Bridge


class Command(BaseCommand):
    help = ("Stores the observations devices publish over MQTT (each exactly once) and runs "
            "until stopped.")
    # Tests run the command in a thread and stop it through this event.
    stealth_options = ("stop_event", "ready_event")

    def add_arguments(self, parser):
        parser.add_argument("--url", default="",
                            help="The broker, e.g. mqtt://user:password@127.0.0.1:1883 "
                                 "(default: MQTT_URL).")
        parser.add_argument("--prefix", default=None,
                            help="The ingest prefix (default: MQTT_INGEST_PREFIX).")
        parser.add_argument("--client-id", default=None,
                            help="The stable client id of the bridge's session "
                                 "(default: MQTT_CLIENT_ID).")
        parser.add_argument("--share", default="",
                            help="Run several bridges (each with its own --client-id) that "
                                 "share the messages: the name of their MQTT 5 shared "
                                 "subscription group.")
        parser.add_argument("--session-expiry", type=int, default=None,
                            help="Seconds the broker keeps the session (and its messages) "
                                 "while the bridge is away (default: for ever).")
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="Messages stored in one transaction at most.")
        parser.add_argument("--batch-wait", type=float, default=50,
                            help="Milliseconds a batch waits for more messages.")
        parser.add_argument("--progress-every", type=float, default=10,
                            help="Seconds between progress lines (messages/s).")

    def handle(self, *args, **options):
        url = options["url"] or settings.MQTT_URL
        if not url:
            raise CommandError("No broker: set MQTT_URL (e.g. mqtt://127.0.0.1:1883) or --url.")
        stop = options.get("stop_event") or threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_args: stop.set())
        try:
            bridge = Bridge(
                url=url,
                prefix=(options["prefix"] if options["prefix"] is not None
                        else settings.MQTT_INGEST_PREFIX),
                client_id=options["client_id"] or settings.MQTT_CLIENT_ID,
                batch_size=max(1, options["batch_size"]),
                batch_wait=max(0.0, options["batch_wait"]) / 1000,
                progress_every=options["progress_every"], stop=stop,
                ready=options.get("ready_event"), share=options["share"],
                named_publishers=bool(settings.MQTT_PUBLISHER_PLUGIN),
                **({"session_expiry": options["session_expiry"]}
                   if options["session_expiry"] is not None else {}))
        except ValueError as error:
            raise CommandError(str(error)) from None
        bridge.run()
        self.stdout.write(f"Stopped: {bridge.summary()}.")
