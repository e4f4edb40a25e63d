"""The ideas' signals: the hook an accepted idea calls, and keeping the counters right when
rows they count go away without our services.

`idea_accepted` is sent by `services.change_state` inside its transaction when an idea is
accepted; the projects app answers it with the project the idea becomes (projects/apps.py).
A hook, because projects build on ideas: ideas import no project code (.importlinter).

Deleting an account (accounts.services.account_delete, or the admin) cascades to the person's
Support rows, and no service runs for them: without this handler every idea they supported
would keep counting them. A pre_delete handler on the user model (rather than a post_delete on
Support) keeps `participation.services.unsupport` as the only other place that decrements,
lets the cascade keep deleting supports in one statement, and fixes every idea the person
supported with one UPDATE. It runs inside the deletion's transaction, so the counts and the
deleted rows commit together. Follows and co-authorships have no counter; comments stay (their
author becomes empty), so `comment_count` is unaffected.
"""

from django.db.models import F
from django.dispatch import Signal

from .models import Idea

# Sent with `idea` (accepted, saved) and `by`; a receiver returns what the idea became (a
# project) or None. A receiver that raises rolls the decision back.
idea_accepted = Signal()


def withdraw_supports_of_deleted_account(sender, instance, **kwargs) -> None:
    Idea.objects.filter(supports__user=instance).update(support_count=F("support_count") - 1)
