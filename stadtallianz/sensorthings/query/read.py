"""GET requests (placeholder until the read side lands)."""

from ..errors import StaError


def handle(request, caller, path):
    raise StaError("Reading is not implemented yet.", 501)
