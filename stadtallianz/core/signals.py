"""Signals an app sends so that apps in a higher layer can follow it without being imported.

`content_changed`: rows of `sender` (a model class) with the primary keys `pks` changed in a
way Django's model signals do not report: a conditional `update()` (hiding an idea, a versioned
project edit) or `bulk_create`. Send it inside the transaction that made the change; a listener
that does work outside the database (the search index) defers it to `transaction.on_commit`, so
a rolled-back change reaches nobody. Saves with `save()` need no such signal: `post_save` says it.

This keeps the direction of the layers (.importlinter): content apps send, search listens, and
no content app imports search.
"""

from django.dispatch import Signal

# sender: the model class; pks: the primary keys of the changed rows
content_changed = Signal()
