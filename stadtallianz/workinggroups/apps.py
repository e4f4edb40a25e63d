from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkingGroupsConfig(AppConfig):
    name = "stadtallianz.workinggroups"
    label = "workinggroups"
    verbose_name = _("Working groups")

    def ready(self):
        from stadtallianz.notifications.models import supply_member_groups

        from .models import GroupMembership

        # A notification about members-only things of a group is read only by its members.
        supply_member_groups(lambda user: GroupMembership.objects.active().of(user).group_ids())
