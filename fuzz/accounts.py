"""Issues the API tokens the fuzzing pass calls with, one per role, on the demo data.

Run inside the fuzz server's settings (fuzz/run.py does this after `stadtallianz demo`):

    DJANGO_SETTINGS_MODULE=config.settings python fuzz/accounts.py OUT.json

It writes {"roles": {role: key}, "lab": {"slug": …, "key": …}} to OUT.json. The people are the
demo's own accounts (demo/accounts.py and the demo command), so each role is a real one with the
memberships, groups and projects the demo gives it; a new token is issued on every run, named
"fuzz", and the tokens of earlier runs are revoked.
"""

import json
import sys

# The demo's accounts (e-mail local part at the demo's domain) for each role the issue names.
ROLES = {
    "coordinator": "koordination",
    "partner-admin": "admin",
    "member": "mitglied",
    "citizen": "buerger",
    "unsigned-admin": "entwurf",  # admin of an organisation that has not signed
}
# The demo lab whose device token the SensorThings fuzzer writes with.
LAB_SLUG = "reallabor-aasee"


def issue_tokens() -> dict:
    from django.utils import timezone

    from stadtallianz.accounts.models import ApiToken, User
    from stadtallianz.demo.accounts import DEMO_DOMAIN
    from stadtallianz.livinglabs.models import LabToken, LivingLab

    roles = {}
    for role, local in ROLES.items():
        user = User.objects.get(email=f"{local}@{DEMO_DOMAIN}")
        ApiToken.objects.filter(user=user, name="fuzz", revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        _token, roles[role] = ApiToken.issue(user=user, name="fuzz")
    lab = LivingLab.objects.get(slug=LAB_SLUG)
    LabToken.objects.filter(lab=lab, name="fuzz", revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    _token, lab_key = LabToken.issue(lab=lab, name="fuzz")
    return {"roles": roles, "lab": {"slug": lab.slug, "key": lab_key}}


if __name__ == "__main__":
    import django

    django.setup()
    tokens = issue_tokens()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(tokens, out, indent=2)
    print(f"tokens for {', '.join(tokens['roles'])} and lab {tokens['lab']['slug']}")
