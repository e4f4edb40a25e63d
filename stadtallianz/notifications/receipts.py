"""Receipts: a person is told in the app and by e-mail, in their language, that what they just
did has arrived — signing the letter of intent, registering for a meeting (a place or the
waiting list) and submitting an idea. Moving up from a waiting list is the events app's own
notification (`events/emails/moved_up`).

The apps above call `receipt` inside the transaction of the action, so a failed action sends
nothing (the row goes with the rollback), and the key makes a retried action or a second run
of the e-mail job send nothing twice (`notify`). One template pair per receipt in
`notifications/emails/receipts/<name>_subject.txt` / `_body.txt`."""

from .services import notify

RECEIPTS = frozenset({"signature_submitted", "event_registered", "event_waiting",
                      "idea_submitted"})


def receipt(user, name: str, *, key: str, context: dict, url="", members_of=None):
    """Confirms `name` to `user` once per `key`; returns the notification or None."""
    if name not in RECEIPTS:
        raise ValueError(f"No receipt {name!r}")
    return notify(user, kind=f"receipt-{name.replace('_', '-')}", key=f"receipt:{key}",
                  template=f"notifications/emails/receipts/{name}", context=context, url=url,
                  members_of=members_of)
