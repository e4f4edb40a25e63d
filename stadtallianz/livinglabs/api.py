"""REST API of living labs and their device tokens (placeholder until the API lands)."""

from ninja import Router

router = Router(tags=["living labs"])
