"""The refusals a service raises, shared by the pages and the API.

A service says "no" in one of three ways, and every caller answers each the same way:

* `django.core.exceptions.PermissionDenied`: the person may not do this. The API answers 403.
* `django.core.exceptions.ValidationError` naming fields: the input is wrong. The API answers 422
  with one item per message, the field's name last in `loc`; a page shows it next to the field.
* `Conflict`: the input may be fine, but the thing's current state forbids the change (already
  decided, the last lead, already cancelled). The API answers 409; a page shows it above the form.

The API's answers come from its global handlers (core/api_errors.py), so an endpoint only calls
the service.
"""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The current state of a thing forbids the change asked for (HTTP 409 in the API).

    A ValidationError without fields, so that pages, forms and everything else that handles a
    service's ValidationError keep working unchanged; only the API tells it apart."""
