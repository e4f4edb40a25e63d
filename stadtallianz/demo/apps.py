from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo alliance that `stadtallianz demo` loads (docs/deployment.md). It reads
    every other app and writes their tables; no app imports it (.importlinter: the top layer)."""

    name = "stadtallianz.demo"
    label = "demo"
