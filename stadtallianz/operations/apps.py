from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What the operator watches: the health of every process and the metrics
    (docs/monitoring.md). Reads every other app; none reads it."""

    name = "stadtallianz.operations"
    label = "operations"
