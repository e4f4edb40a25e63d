"""What SensorThings asks about living labs and their device tokens (the protocol of
stadtallianz/sensorthings/labs.py), answered from this app's models and permissions. Registered
in LivingLabsConfig.ready: SensorThings is the lower layer and imports nothing of this app."""

from . import permissions
from .models import LabToken, LivingLab


class LivingLabDirectory:
    def insider_labs(self, user):
        return permissions.insider_labs(user)

    def default_privacy_level(self, lab_id: int) -> str:
        return LivingLab.objects.values_list("default_privacy_level", flat=True).get(pk=lab_id)

    def token_of_key(self, key: str) -> LabToken | None:
        return LabToken.from_key(key)

    def authenticate(self, username: str, secret: str) -> LabToken | None:
        return LabToken.authenticate(username, secret)

    def mark_used(self, token: LabToken, at) -> None:
        LabToken.objects.filter(pk=token.pk).update(last_used_at=at)

    def active_tokens(self, lab_ids=None):
        tokens = LabToken.objects.active()
        if lab_ids is not None:
            tokens = tokens.filter(lab_id__in=lab_ids)
        return tokens.order_by("username")

    def labs_of_tokens(self, usernames, *, active_only: bool) -> dict[str, int]:
        tokens = LabToken.objects.active() if active_only else LabToken.objects.all()
        return dict(tokens.filter(username__in=usernames).values_list("username", "lab_id"))
