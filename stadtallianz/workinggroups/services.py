"""Changes to working groups and their people. Each is one transaction with an audit entry
(`workinggroup.*`); people concerned are notified through the notifications app (in-app, and by
e-mail after the commit, in the language the recipient chose)."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.office import with_office
from stadtallianz.core.slugs import unique_slug as core_unique_slug
from stadtallianz.notifications.services import notify

from . import permissions
from .models import GroupMembership, GroupOrganisation, WorkingGroup

GROUP_FIELDS = ["name_de", "name_en", "description_de", "description_en", "join_policy"]
# Path segments under working-groups/ that are routes of their own, never a group's slug.
RESERVED_SLUGS = frozenset({"new"})
Role = GroupMembership.Role
State = GroupMembership.State


def _deny(message) -> None:
    # A service refuses what its caller may not do, whatever page or endpoint called it.
    raise PermissionDenied(message)


def unique_slug(name: str) -> str:
    return core_unique_slug(WorkingGroup.objects.all(), name, fallback="group",
                            reserved=RESERVED_SLUGS)


def _notify(user, template: str, context: dict, *, key: str, url=None) -> None:
    """Notifies `user` (in-app, and by e-mail as they chose) once per `key`."""
    group = context["group"]
    notify(user, kind=f"workinggroup-{template}", key=key,
           template=f"workinggroups/emails/{template}", context=context,
           url=url or group.get_absolute_url)


def _check_focus_areas(focus_areas) -> None:
    if focus_areas is not None and not list(focus_areas):
        raise ValidationError({"focus_areas": _("Choose at least one focus area.")},
                              code="focus_areas_required")


# ---------------------------------------------------------------------------------------------
# Groups


@transaction.atomic
def group_create(*, by, data: dict, focus_areas, leads=()) -> WorkingGroup:
    """The coordinator founds a group; the given people become its first leads."""
    if not permissions.can_create(by):
        _deny(with_office(_("Only the %(office)s creates working groups.")))
    unknown = set(data) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} are not group fields")
    _check_focus_areas(focus_areas)
    group = WorkingGroup(slug=unique_slug(data.get("name_de", "")), **data)
    group.full_clean(exclude=["slug"])
    for attempt in range(3):
        try:
            with transaction.atomic():
                group.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
            group.slug = unique_slug(group.name_de)
    group.focus_areas.set(focus_areas)
    for lead in leads:
        GroupMembership.objects.create(group=group, user=lead, role=Role.LEAD,
                                       state=State.ACTIVE, decided_at=timezone.now())
    after = snapshot(group, ["slug", "state", *GROUP_FIELDS])
    after["focus_areas"] = sorted(area.slug for area in focus_areas)
    after["leads"] = [lead.pk for lead in leads]
    audit_log(actor=by, action="workinggroup.created", target=group, after=after)
    return group


@transaction.atomic
def group_update(*, group: WorkingGroup, by, data: dict, focus_areas=None) -> WorkingGroup:
    if not permissions.can_edit(by, group):
        _deny(with_office(_("Only the group's leads and the %(office)s change it.")))
    _check_focus_areas(focus_areas)
    before = snapshot(group, GROUP_FIELDS)
    before["focus_areas"] = sorted(group.focus_areas.values_list("slug", flat=True))
    for field, value in data.items():
        if field not in GROUP_FIELDS:
            raise ValueError(f"{field} is not a group field")
        setattr(group, field, value)
    group.full_clean(exclude=["slug"])
    group.save()
    if focus_areas is not None:
        group.focus_areas.set(focus_areas)
    after = snapshot(group, GROUP_FIELDS)
    after["focus_areas"] = sorted(group.focus_areas.values_list("slug", flat=True))
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        audit_log(actor=by, action="workinggroup.changed", target=group,
                  before={key: before[key] for key in changed},
                  after={key: after[key] for key in changed})
    return group


def _set_state(group: WorkingGroup, by, state: str, action: str) -> WorkingGroup:
    if not permissions.can_archive(by, group):
        _deny(with_office(_("Only the %(office)s archives and reactivates working groups.")))
    if group.state == state:
        return group
    before = group.state
    group.state = state
    group.save(update_fields=["state", "updated_at"])
    audit_log(actor=by, action=action, target=group, before={"state": before},
              after={"state": state})
    return group


@transaction.atomic
def group_archive(*, group: WorkingGroup, by) -> WorkingGroup:
    return _set_state(group, by, WorkingGroup.State.ARCHIVED, "workinggroup.archived")


@transaction.atomic
def group_reactivate(*, group: WorkingGroup, by) -> WorkingGroup:
    return _set_state(group, by, WorkingGroup.State.ACTIVE, "workinggroup.reactivated")


# ---------------------------------------------------------------------------------------------
# People


def _locked_group(group: WorkingGroup) -> WorkingGroup:
    # Locks the group row: joins, leaves and role changes of one group run one after another,
    # so "the last lead" is decided on current data.
    return WorkingGroup.objects.select_for_update().get(pk=group.pk)


def _current(membership: GroupMembership) -> GroupMembership:
    """The membership as it is now, read after the group's lock: a leave, decline or removal
    that ran meanwhile has deleted it, and the change answers 404 instead of failing (issue 11,
    item 5, "objects deleted between read and write")."""
    return get_object_or_404(GroupMembership.objects.select_related("user"), pk=membership.pk)


def _leads(group: WorkingGroup):
    return GroupMembership.objects.active().leads().filter(group=group)


def _require_manager(by, group: WorkingGroup) -> None:
    if not permissions.can_manage(by, group):
        _deny(with_office(_("Only the group's leads and the %(office)s manage its members.")))


def _log(by, action: str, group: WorkingGroup, membership: GroupMembership, **extra):
    audit_log(actor=by, action=action, target=group,
              after={"user": membership.user_id, "email": membership.user.email,
                     "role": membership.role, "state": membership.state, **extra})


@transaction.atomic
def membership_join(*, group: WorkingGroup, by, message: str = "") -> GroupMembership:
    """Open groups take the person at once; groups on request record a request for the leads."""
    group = _locked_group(group)
    if not group.is_active:
        raise ValidationError(_("This working group is archived and accepts no new members."),
                              code="archived")
    if group.join_policy == WorkingGroup.JoinPolicy.INVITATION:
        raise ValidationError(_("This working group takes new members by invitation only."),
                              code="invitation_only")
    existing = GroupMembership.objects.filter(group=group, user=by).first()
    if existing is not None and existing.state == State.INVITED:
        return membership_respond(membership=existing, by=by, accept=True)
    if existing is not None:
        raise ValidationError(
            _("You are already a member of this working group.") if existing.is_active
            else _("Your request is already waiting for a decision."), code="already_member")
    message = message.strip()
    if group.join_policy == WorkingGroup.JoinPolicy.OPEN:
        membership = GroupMembership.objects.create(group=group, user=by, state=State.ACTIVE,
                                                    decided_at=timezone.now())
        _log(by, "workinggroup.member.joined", group, membership)
        return membership
    membership = GroupMembership(group=group, user=by, state=State.REQUESTED, message=message)
    membership.full_clean(exclude=["group", "user"])
    membership.save()
    _log(by, "workinggroup.member.requested", group, membership, message=message)
    for lead in _leads(group).select_related("user"):
        _notify(lead.user, "request", {"group": group, "requester": by, "message": message},
                key=f"membership-request:{membership.pk}",
                url=partial(reverse, "workinggroups:manage", kwargs={"slug": group.slug}))
    return membership


@transaction.atomic
def membership_decide(*, membership: GroupMembership, by, approve: bool,
                      message: str = "") -> GroupMembership | None:
    """A lead approves or declines a request; the person learns the decision and its message."""
    group = _locked_group(membership.group)
    _require_manager(by, group)
    membership = _current(membership)
    if membership.state != State.REQUESTED:
        raise Conflict(_("This request has already been decided."), code="decided")
    message = message.strip()
    if len(message) > 2000:
        raise ValidationError({"message": _("The message is too long.")}, code="max_length")
    context = {"group": group, "approved": approve, "message": message}
    key = f"membership-decision:{membership.pk}"  # the row is gone after a decline
    if approve:
        membership.state = State.ACTIVE
        membership.message = message
        membership.decided_at = timezone.now()
        membership.save(update_fields=["state", "message", "decided_at"])
        _log(by, "workinggroup.request.approved", group, membership, message=message)
        result = membership
    else:
        _log(by, "workinggroup.request.declined", group, membership, message=message)
        membership.delete()
        result = None
    _notify(membership.user, "decision", context, key=key)
    return result


@transaction.atomic
def membership_invite(*, group: WorkingGroup, by, email: str) -> GroupMembership:
    """A lead invites a registered person by e-mail address; the person accepts or declines."""
    group = _locked_group(group)
    _require_manager(by, group)
    email = email.strip()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise ValidationError(
            {"email": _("No one is registered with this e-mail address. Ask the person to "
                        "create an account first.")}, code="unknown_person")
    existing = GroupMembership.objects.filter(group=group, user=user).first()
    if existing is not None and existing.is_active:
        raise ValidationError({"email": _("This person is already a member of the group.")},
                              code="already_member")
    if existing is not None and existing.state == State.INVITED:
        raise ValidationError({"email": _("This person has already been invited.")},
                              code="already_invited")
    if existing is not None:
        # A pending request followed by an invitation: the lead has decided, the person is in.
        existing.state, existing.decided_at = State.ACTIVE, timezone.now()
        existing.save(update_fields=["state", "decided_at"])
        _log(by, "workinggroup.request.approved", group, existing)
        _notify(user, "decision", {"group": group, "approved": True, "message": ""},
                key=f"membership-decision:{existing.pk}")
        return existing
    membership = GroupMembership.objects.create(group=group, user=user, state=State.INVITED)
    _log(by, "workinggroup.member.invited", group, membership)
    _notify(user, "invitation", {"group": group, "inviter": by},
            key=f"membership-invitation:{membership.pk}")
    return membership


@transaction.atomic
def membership_respond(*, membership: GroupMembership, by, accept: bool) -> GroupMembership | None:
    """The invited person accepts or declines an invitation."""
    group = _locked_group(membership.group)
    membership = _current(membership)
    if membership.user_id != by.pk:
        _deny(_("Only the invited person answers an invitation."))
    if membership.state != State.INVITED:
        raise Conflict(_("There is no open invitation."), code="not_invited")
    if not group.is_active:
        raise Conflict(_("This working group is archived and accepts no new members."),
                       code="archived")
    if not accept:
        _log(by, "workinggroup.invitation.declined", group, membership)
        membership.delete()
        return None
    membership.state, membership.decided_at = State.ACTIVE, timezone.now()
    membership.save(update_fields=["state", "decided_at"])
    _log(by, "workinggroup.invitation.accepted", group, membership)
    return membership


def _check_not_last_lead(group: WorkingGroup, membership: GroupMembership, message) -> None:
    if not membership.is_lead:
        return
    other_leads = _leads(group).exclude(pk=membership.pk).exists()
    others = GroupMembership.objects.active().filter(group=group).exclude(
        pk=membership.pk).exists()
    if not other_leads and others:
        raise Conflict(message, code="last_lead")


@transaction.atomic
def membership_leave(*, membership: GroupMembership, by) -> None:
    """A person leaves (or withdraws a request) at any time; a lead or the coordinator may
    also remove someone. The last lead cannot go while other members remain."""
    group = _locked_group(membership.group)
    membership = _current(membership)
    own = membership.user_id == by.pk
    if not own:
        _require_manager(by, group)
    _check_not_last_lead(group, membership, _(
        "The last lead cannot leave while other members remain. Make another member a lead "
        "first."))
    _log(by, "workinggroup.member.left" if own else "workinggroup.member.removed", group,
         membership)
    membership.delete()


@transaction.atomic
def membership_set_role(*, membership: GroupMembership, by, role: str) -> GroupMembership:
    group = _locked_group(membership.group)
    _require_manager(by, group)
    membership = _current(membership)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")}, code="invalid_role")
    if not membership.is_active:
        raise Conflict(_("Only active members can have a role."), code="not_active")
    if role == membership.role:
        return membership
    if membership.is_lead and not _leads(group).exclude(pk=membership.pk).exists():
        raise Conflict(_("The last lead cannot become a member. Make another member a "
                       "lead first."), code="last_lead")
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(actor=by, action="workinggroup.member.role_changed", target=group,
              before={"user": membership.user_id, "role": before},
              after={"user": membership.user_id, "role": role})
    return membership


# ---------------------------------------------------------------------------------------------
# Member organisations


@transaction.atomic
def organisation_add(*, group: WorkingGroup, by, organisation) -> GroupOrganisation:
    _require_manager(by, group)
    if not organisation.is_public:
        raise ValidationError({"organisation": _("Only alliance partners can be added.")},
                              code="not_partner")
    link, created = GroupOrganisation.objects.get_or_create(group=group,
                                                            organisation=organisation)
    if not created:
        raise ValidationError({"organisation": _("This organisation is already a member.")},
                              code="already_member")
    audit_log(actor=by, action="workinggroup.organisation.added", target=group,
              after={"organisation": organisation.pk, "name": organisation.name})
    return link


@transaction.atomic
def organisation_remove(*, group: WorkingGroup, by, organisation) -> None:
    _require_manager(by, group)
    deleted, _rows = GroupOrganisation.objects.filter(group=group,
                                                      organisation=organisation).delete()
    if deleted:
        audit_log(actor=by, action="workinggroup.organisation.removed", target=group,
                  before={"organisation": organisation.pk, "name": organisation.name})
