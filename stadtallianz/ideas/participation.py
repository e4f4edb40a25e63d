"""Comments, supports, follows and reports of an idea (helper D replaces this stub)."""


def detail_context(request, idea) -> dict:
    return {}
