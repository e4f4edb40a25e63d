"""Placeholder until the helper who owns this module writes it."""

from django.http import Http404


def _not_yet(request, **kwargs):
    raise Http404


my_datasets = dataset_create = dataset_edit = dataset_submit = review_queue = dataset_review = (
    _not_yet
)
