"""What funding keeps about a person, for the privacy app's export and erasure (which the
privacy app wires in: funding does not import it).

A person's own data here: the calls they follow and their secret deadline feed (only its hash
and dates). The calls they entered or checked keep the funder's data; on erasure the
"created by" and "last verified by" references are cleared (the date of the check stays)."""

from .models import Call, CallFollow, DeadlineFeed


def personal_data(user) -> dict:
    """{category: rows} in the shape of privacy/collect.py."""
    return {
        "funding_follows": [
            {"call": follow.call.title_de, "call_slug": follow.call.slug,
             "source_id": follow.call.source_id, "since": follow.created_at.isoformat()}
            for follow in CallFollow.objects.filter(user=user).select_related("call")
            .order_by("created_at", "pk")],
        "funding_deadline_feed": [
            {"created_at": feed.created_at.isoformat(),
             "last_used_at": feed.last_used_at.isoformat() if feed.last_used_at else None}
            for feed in DeadlineFeed.objects.filter(user=user)],
        "funding_calls_entered": list(Call.objects.filter(created_by=user)
                                      .values_list("slug", flat=True)),
        "funding_calls_verified": list(Call.objects.filter(verified_by=user)
                                       .values_list("slug", flat=True)),
    }


def erase_personal_data(user) -> None:
    """Removes the person's follows and feed; the calls they entered or checked stay, without
    their name."""
    CallFollow.objects.filter(user=user).delete()
    DeadlineFeed.objects.filter(user=user).delete()
    Call.objects.filter(created_by=user).update(created_by=None)
    Call.objects.filter(verified_by=user).update(verified_by=None)
