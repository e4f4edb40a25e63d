"""The personal calendar feed: one secret address per person that a calendar program (which has
no browser session) subscribes to, with every event the person may see, the members-only events
of their working groups included.

Only the SHA-256 of the key is stored, so the address is shown once, when it is made; making a
new one or revoking it ends the old one at once. What the feed holds is decided on every request
by `Event.objects.visible_to`, so an event of a group the person has left drops out of the
next refresh.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stadtallianz.core.feed_keys import SecretFeedKeys, hash_key  # noqa: F401 - hash_key: tests

from . import ics
from .models import Event

KEY_PREFIX = "cal_"


class CalendarFeed(models.Model):
    """A person's secret feed address (only its hash). One per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_feed",
                                verbose_name=gettext_lazy("person"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(gettext_lazy("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(gettext_lazy("last used"), null=True, blank=True)

    class Meta:
        app_label = "events"
        verbose_name = gettext_lazy("personal calendar feed")
        verbose_name_plural = gettext_lazy("personal calendar feeds")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


# ---------------------------------------------------------------------------------------------
# Changes


FEEDS = SecretFeedKeys(CalendarFeed, KEY_PREFIX, "event.feed.created", "event.feed.renewed",
                       "event.feed.revoked")
feed_create, feed_revoke, feed_user = FEEDS.create, FEEDS.revoke, FEEDS.user_for


# ---------------------------------------------------------------------------------------------
# Pages


@never_cache
def personal_ics(request, key: str):
    """The feed itself. A wrong or revoked key is a 404, like any unknown address."""
    user = feed_user(key)
    if user is None:
        raise Http404
    events = Event.objects.visible_to(user).select_related("group").order_by("starts_at", "pk")
    response = ics.ics_response(events, _("My events (%(site)s)") % {"site": settings.SITE_NAME},
                                "my-events.ics")
    # The address is a secret: no search engine, no referrer, no shared cache.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    """Shows whether the person has a feed address; makes a new one (shown this once) or
    revokes it."""
    return FEEDS.manage_page(
        request, feed_url_name="events:personal_feed", template="events/personal_feed.html",
        revoked_message=_("Your personal calendar address has been revoked."))
