"""Who may do what with accounts: the one place the accounts app decides it."""

from .models import ApiToken


def tokens_of(user):
    """The tokens a person may see and revoke: only their own."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
