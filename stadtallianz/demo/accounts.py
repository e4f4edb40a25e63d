"""The demo's own addresses and how it tells them from real people's accounts."""

from stadtallianz.accounts.models import User

DEMO_DOMAIN = "demo.stadtallianz.de"
DEMO_PASSWORD = "Allianz-Demo-2025"  # noqa: S105 - public on purpose, set only when DEBUG
# Addresses that belong to no real person (RFC 2606 reserves the example domains): accounts
# with them are demo, synthetic or test accounts. Any other account is someone's real one.
NOT_REAL_DOMAINS = (DEMO_DOMAIN, "example.org", "example.com", "example.net")


def real_accounts():
    """The accounts of real people: every address outside the demo and example domains."""
    accounts = User.objects.exclude(email__iendswith=".example")
    for domain in NOT_REAL_DOMAINS:
        accounts = accounts.exclude(email__iendswith=f"@{domain}")
    return accounts
