"""MQTT notifications of new and changed entities (placeholder until the MQTT side lands)."""


def announce(entity_name: str, ids, *, created: bool = True) -> None:
    """Publishes the entities to the standard topics once the transaction commits."""
