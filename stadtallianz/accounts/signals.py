"""Signals accounts sends so that the apps above it can take part without being imported.

`account_deletion_check`: sent with `user` and `lock` before an account is deleted, and when
the delete page is shown. A receiver returns the things of its app that keep the account from
being deleted (each with a name and `get_absolute_url`, listed on the page), or an empty list.
With `lock=True` (inside the deleting transaction) it locks the rows its answer rests on, so
that two deletions at the same time cannot both pass. Today partners answers: the last admin of
an organisation with other people must hand it over first.

`account_erasing`: sent with `user`, `strings` (the person's name, display name and address as
they stand) and `delete_contributions` inside the deleting transaction, before the account row
goes. Receivers delete or anonymise what their app keeps about the person beyond the foreign
keys (a name copied into a signature, a notification's stored text, an invitation's address),
so that nothing names the person afterwards. The privacy app answers for all apps
(privacy/erasure.py); docs/privacy.md says what is kept and why.
"""

from django.dispatch import Signal

account_deletion_check = Signal()
account_erasing = Signal()
