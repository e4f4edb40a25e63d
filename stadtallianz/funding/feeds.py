"""The deadline feeds: a public one of all open and forthcoming calls, and one per person with
the calls they follow, behind a secret address (the pattern of events/feeds.py: only the
SHA-256 of the key is stored, the address is shown once, making a new one or revoking it ends
the old one at once). What the personal feed holds is decided on every request from the
person's follows."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stadtallianz.core.feed_keys import SecretFeedKeys, hash_key  # noqa: F401 - hash_key: tests
from stadtallianz.core.mail import language_of

from . import ics, queries
from .models import Call, DeadlineFeed

KEY_PREFIX = "fcal_"
# Deadlines that passed stay in the feeds this long, so a calendar does not lose them at once.
PAST_DAYS = 90


FEEDS = SecretFeedKeys(DeadlineFeed, KEY_PREFIX, "funding.feed.created", "funding.feed.renewed",
                       "funding.feed.revoked")
feed_create, feed_revoke, feed_user = FEEDS.create, FEEDS.revoke, FEEDS.user_for


def _since():
    return timezone.now() - timedelta(days=PAST_DAYS)


def public_ics(request):
    """Every deadline of open and forthcoming calls (calls are public information)."""
    deadlines = queries.upcoming_deadlines(Call.objects.current(), now=_since())
    return ics.ics_response(deadlines, _("Funding deadlines (%(site)s)")
                            % {"site": settings.SITE_NAME}, "funding-deadlines.ics")


@never_cache
def personal_ics(request, key: str):
    """The feed itself, in the person's language. A wrong or revoked key is a 404."""
    user = feed_user(key)
    if user is None:
        raise Http404
    with translation.override(language_of(user)):
        deadlines = queries.upcoming_deadlines(Call.objects.filter(follows__user=user),
                                               now=_since())
        response = ics.ics_response(
            deadlines, _("My funding deadlines (%(site)s)") % {"site": settings.SITE_NAME},
            "my-funding-deadlines.ics")
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def manage(request):
    """Shows whether the person has a feed address; makes a new one (shown this once) or
    revokes it."""
    return FEEDS.manage_page(
        request, feed_url_name="funding:personal_feed", template="funding/personal_feed.html",
        revoked_message=_("Your personal deadline calendar address has been revoked."),
        context={"followed_count": queries.followed_calls(request.user).count()})
