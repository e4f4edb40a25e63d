"""API of comments, supports, follows and reports (helper D replaces this stub)."""

from ninja import Router

router = Router(tags=["ideas"])
