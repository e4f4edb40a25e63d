"""Placeholder until the helper who owns this module writes it."""

from django.http import Http404


def _not_yet(request, **kwargs):
    raise Http404


catalogue = dataset = _not_yet
