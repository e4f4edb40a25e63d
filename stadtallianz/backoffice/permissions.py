"""The back office is for the coordination office (coordinators and superusers) only."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def can_use_backoffice(user) -> bool:
    return user.is_authenticated and user.is_coordination_office


def coordination_office_required(view):
    """Anonymous people are sent to the login page; everyone else who may not, gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_use_backoffice(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
