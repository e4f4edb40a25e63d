"""The person's notification list, e-mail settings and the one-click unsubscribe page.

Everything except unsubscribing needs a login; a notification of someone else is a 404. The
unsubscribe link carries a signed token instead of a login, so it also works from a mail
program; its POST is exempt from CSRF because the signature itself proves where it came from
(RFC 8058 one-click: the mail program posts `List-Unsubscribe=One-Click`, without a token).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import SettingsForm
from .models import Notification

PER_PAGE = 20


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
def notification_list(request):
    notifications = Notification.objects.for_reader(request.user)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page,
    })


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.for_reader(request.user), pk=pk)
    services.mark_read(notification, by=request.user)
    if request.htmx:
        return render(request, "notifications/includes/read_response.html",
                      {"notification": notification})
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(by=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return _back(request)


@login_required
def notification_settings(request):
    current = services.email_mode(request.user)
    form = SettingsForm(request.POST or None, initial={"email_mode": current})
    if request.method == "POST" and form.is_valid():
        services.set_email_mode(request.user, form.cleaned_data["email_mode"], by=request.user)
        messages.success(request, _("Your e-mail settings have been saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form},
                  status=400 if form.errors else 200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user = services.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        services.set_email_mode(user, services.Mode.NEVER)
        return render(request, "notifications/unsubscribe_done.html", {"person": user})
    return render(request, "notifications/unsubscribe.html", {"person": user, "token": token})
