"""Signals accounts sends so that the apps above it can take part without being imported.

`account_deletion_check`: sent with `user` and `lock` before an account is deleted, and when
the delete page is shown. A receiver returns the things of its app that keep the account from
being deleted (each with a name and `get_absolute_url`, listed on the page), or an empty list.
With `lock=True` (inside the deleting transaction) it locks the rows its answer rests on, so
that two deletions at the same time cannot both pass. Today partners answers: the last admin of
an organisation with other people must hand it over first.
"""

from django.dispatch import Signal

account_deletion_check = Signal()
