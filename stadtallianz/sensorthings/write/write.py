"""POST, PATCH, PUT and DELETE (placeholder until the write side lands)."""

from ..errors import StaError


def handle(request, caller, path):
    raise StaError("Writing is not implemented yet.", 501)


def create_observations(request, caller):
    raise StaError("CreateObservations is not implemented yet.", 501)
