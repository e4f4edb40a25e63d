"""When a credential (an API token, a device token, a calendar feed) was last used, shown to its
owner so that an unused or leaked one can be found and revoked. It is written at most once per
precision, so that a busy client's every request does not become a write."""

from datetime import datetime, timedelta

PRECISION = timedelta(minutes=1)


def worth_recording(last_used_at: datetime | None, now: datetime,
                    precision: timedelta = PRECISION) -> bool:
    return last_used_at is None or now - last_used_at >= precision
