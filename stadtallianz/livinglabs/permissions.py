"""Who may do what with a living lab: the one place the platform decides it.

Every lab page is public. The operator's admins and the coordination office manage a lab (texts,
links, datastream privacy, device tokens). Restricted datastreams are read by the lab's insiders:
the coordination office, the operator's people and the teams of the lab's linked projects.
"""

from django.db.models import Q

from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects.models import ConsortiumMember
from stadtallianz.workinggroups.models import GroupMembership

from .models import LivingLab


def can_manage(user, lab: LivingLab) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return Membership.objects.filter(user=user, organisation_id=lab.operator_id,
                                     role=Membership.Role.ADMIN).exists()


def can_create(user) -> bool:
    """The coordination office, and admins of public partners (who operate the lab)."""
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN,
        organisation__in=Organisation.objects.public()).exists()


def operators_for(user):
    """Organisations a person may let operate a new lab: the coordination office any public
    partner, an admin the public partners they administer (the form's choices and the rule the
    service checks)."""
    organisations = Organisation.objects.public().order_by("name")
    if not user.is_coordination_office:
        organisations = organisations.filter(memberships__user=user,
                                             memberships__role=Membership.Role.ADMIN)
    return organisations


def insider_labs(user):
    """The ids of the labs whose restricted datastreams this person may read (a queryset of
    ids, so callers can filter with it in one query)."""
    labs = LivingLab.objects.all()
    if not user.is_authenticated:
        return labs.none().values("pk")
    if user.is_coordination_office:
        return labs.values("pk")
    organisations = Membership.objects.filter(user=user).values("organisation")
    project_teams = ConsortiumMember.objects.of_public_organisations().filter(
        state=ConsortiumMember.State.ACCEPTED, organisation__in=organisations).values("project")
    led_groups = GroupMembership.objects.active().leads().of(user).group_ids()
    return labs.filter(
        Q(operator__in=organisations) | Q(projects__in=project_teams)
        | Q(projects__working_group__in=led_groups)).values("pk").distinct()

