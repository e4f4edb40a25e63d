"""Secret feed addresses: one per person, for a calendar program, which has no browser session
(events' personal calendar, funding's deadline feed).

Only the SHA-256 of the key is stored, so the address is shown once, when it is made; making a
new one replaces the old one, and revoking deletes it, each at once. The app keeps the model (a
row per person with `user`, `key_hash`, `created_at`, `last_used_at`) and names the audit
actions; this class makes, replaces, revokes and looks up the keys the same way for every feed.
The actions are positional arguments, which the audit sentences' test reads from the source
(core/tests/test_audit_sentences.py, PASSING_ON)."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.audit import audit_log
from stadtallianz.core.last_used import worth_recording

# A calendar program refreshes every few minutes; an hour is precise enough for a feed.
LAST_USED_PRECISION = timedelta(hours=1)
# Longer than any key made here: a longer one is refused before it is hashed.
MAX_KEY_LENGTH = 100


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class SecretFeedKeys:
    def __init__(self, model, prefix: str, created: str, renewed: str, revoked: str):
        self.model = model
        self.prefix = prefix
        self.created, self.renewed, self.revoked = created, renewed, revoked

    @transaction.atomic
    def create(self, *, user) -> tuple[object, str]:
        """Makes the person's key, replacing an earlier one; returns the row and the key."""
        key = self.prefix + secrets.token_urlsafe(32)
        feed, created = self.model.objects.update_or_create(
            user=user, defaults={"key_hash": hash_key(key), "last_used_at": None})
        if not created:
            # update_or_create leaves auto_now_add alone: the new address is new from now on.
            self.model.objects.filter(pk=feed.pk).update(created_at=timezone.now())
        audit_log(actor=user, action=self.created if created else self.renewed, target=user)
        return feed, key

    @transaction.atomic
    def revoke(self, *, user) -> bool:
        deleted, _rows = self.model.objects.filter(user=user).delete()
        if deleted:
            audit_log(actor=user, action=self.revoked, target=user)
        return bool(deleted)

    def user_for(self, key: str):
        """The active person a key belongs to, or None; records when the feed was last used
        (to the hour)."""
        if not key.startswith(self.prefix) or len(key) > MAX_KEY_LENGTH:
            return None
        feed = (self.model.objects.select_related("user")
                .filter(key_hash=hash_key(key), user__is_active=True).first())
        if feed is None:
            return None
        now = timezone.now()
        if worth_recording(feed.last_used_at, now, LAST_USED_PRECISION):
            self.model.objects.filter(pk=feed.pk).update(last_used_at=now)
        return feed.user

    def manage_page(self, request, *, feed_url_name: str, template: str, revoked_message,
                    context: dict | None = None):
        """The person's page for their address (GET; login and methods are the view's): a POST
        with action=revoke revokes it and comes back here; any other POST makes a new one,
        shown on this answer only (never cached)."""
        new_url = None
        if request.method == "POST":
            if request.POST.get("action") == "revoke":
                if self.revoke(user=request.user):
                    messages.success(request, revoked_message)
                return redirect(request.path)
            _feed, key = self.create(user=request.user)
            new_url = request.build_absolute_uri(reverse(feed_url_name, kwargs={"key": key}))
        feed = self.model.objects.filter(user=request.user).first()
        response = render(request, template, {"feed": feed, "new_url": new_url, **(context or {})})
        if new_url:
            response["Cache-Control"] = "no-store"
        return response
