"""REST API of the working groups: the list, one group, its people, and every change a member,
a lead or the coordinator makes on the web pages.

Every change goes through `services.py`, so the API validates, decides and audits exactly as the
web pages do. Joining and leaving (the first endpoints) answer a refusal by the rules (archived,
by invitation, the last lead) with 422. The endpoints added later answer as the API's handlers
do (core/api_errors.py): a refusal is 403, input naming a field 422, and a request the current
state forbids (already decided, the last lead, already cancelled: a Conflict) 409.
"""

from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from stadtallianz.core.api import (
    CHANGE_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    FocusAreaRef,
    InputSchema,
    OrganisationRef,
    Pagination,
    refuse_nulls,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_one
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.models import FocusArea
from stadtallianz.core.office import with_office
from stadtallianz.partners.models import Organisation

from . import permissions, services
from .models import GroupMembership, WorkingGroup

router = Router(tags=["working groups"])

GroupState = StrEnum("GroupState", [(c.name, c.value) for c in WorkingGroup.State])
JoinPolicy = StrEnum("JoinPolicy", [(c.name, c.value) for c in WorkingGroup.JoinPolicy])
GroupRole = StrEnum("GroupRole", [(c.name, c.value) for c in GroupMembership.Role])
GroupMembershipState = StrEnum("GroupMembershipState",
                               [(c.name, c.value) for c in GroupMembership.State])


class GroupSummaryOut(Schema):
    slug: str
    name: str
    name_de: str
    name_en: str
    description: str
    state: GroupState
    join_policy: JoinPolicy
    focus_areas: list[FocusAreaRef]
    member_count: int
    organisation_count: int
    created_at: datetime
    web_url: str = Field(..., alias="get_absolute_url")

    @staticmethod
    def resolve_focus_areas(obj: WorkingGroup):
        return obj.focus_areas.all()


class LeadOut(Schema):
    name: str


class GroupDetailOut(GroupSummaryOut):
    description_de: str
    description_en: str
    leads: list[LeadOut]
    organisations: list[OrganisationRef]

    @staticmethod
    def resolve_leads(obj: WorkingGroup):
        # Leads are the group's public contacts; their names, never their e-mail addresses.
        return [{"name": m.user.full_name or m.user.get_short_name()} for m in obj.lead_list]

    @staticmethod
    def resolve_organisations(obj: WorkingGroup):
        return obj.organisation_list


class MembershipOut(Schema):
    group: str
    role: GroupRole
    state: GroupMembershipState

    @staticmethod
    def resolve_group(obj: GroupMembership):
        return obj.group.slug


class GroupFilters(InputSchema):
    focus_area: str | None = Field(None, description="Slug of a focus area.")
    state: GroupState | None = None


class JoinIn(InputSchema):
    message: str = Field("", max_length=2000,
                         description="For groups joined on request: why the person asks.")

    @field_validator("message")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


def _queryset():
    return WorkingGroup.objects.with_counts().prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position", "slug")))


def _group(slug: str, queryset=None) -> WorkingGroup:
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(queryset if queryset is not None else WorkingGroup.objects,
                             slug=slug)


def _detail(slug: str) -> WorkingGroup:
    group = _group(slug, _queryset())
    group.lead_list = list(group.memberships.active().leads()
        .select_related("user").order_by("user__full_name", "pk"))
    group.organisation_list = list(Organisation.objects.filter(
        group_organisations__group=group).order_by("name").only("slug", "name"))
    return group


@router.get("", response=list[GroupSummaryOut], summary="Working groups")
@paginate(Pagination)
def group_list(request, filters: Query[GroupFilters]):
    """Active groups first, then archived ones, each by name."""
    groups = _queryset().listed()
    if filters.focus_area:
        through = WorkingGroup.focus_areas.through
        groups = groups.filter(pk__in=through.objects.filter(
            focusarea__slug=filters.focus_area).values("workinggroup_id"))
    if filters.state:
        groups = groups.filter(state=filters.state)
    return groups


@router.get("/{slug}", response={200: GroupDetailOut, 404: ErrorOut}, summary="One working group")
def group_detail(request, slug: str):
    """A group with its leads (names only), member organisations and member count."""
    return _detail(slug)


@router.post("/{slug}/join", auth=write_auth, response={200: MembershipOut, **WRITE_ERRORS},
             summary="Join a working group")
def group_join(request, slug: str, payload: JoinIn):
    """Open groups: the caller is a member at once. Groups on request: a request with the
    message goes to the leads (`state` is `requested`). An open invitation is accepted."""
    group = _group(slug)
    try:
        return services.membership_join(group=group, by=request.auth, message=payload.message)
    except Conflict as refusal:
        # An invitation declined meanwhile: documented as 422, like the refusals of /leave.
        raise DjangoValidationError(refusal.error_list) from refusal


@router.post("/{slug}/leave", auth=write_auth, response={204: None, **WRITE_ERRORS},
             summary="Leave a working group")
def group_leave(request, slug: str):
    """Leaves the group, withdraws a request or declines an invitation. The last lead cannot
    leave while other members remain (422)."""
    group = _group(slug)
    membership = GroupMembership.objects.filter(group=group, user=request.auth).first()
    if membership is None:
        raise HttpError(404, gettext("You are not a member of this working group."))
    try:
        services.membership_leave(membership=membership, by=request.auth)
    except Conflict as refusal:
        # This endpoint came before the 409 answer and documents the last lead's refusal as
        # 422; version 1 keeps its answers (docs/api.md).
        raise DjangoValidationError(refusal.error_list) from refusal
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# People, requests and invitations; the coordinator's group changes


class MemberOut(Schema):
    id: int = Field(..., description="The membership's id, used by the endpoints that change it.")
    name: str
    role: GroupRole
    state: GroupMembershipState
    message: str | None = Field(None, description="A pending request's message; only the "
                                                  "group's leads and the coordinator see it.")
    since: datetime


def _member_out(membership: GroupMembership, *, managing: bool) -> dict:
    user = membership.user
    return {"id": membership.pk, "name": user.full_name or user.get_short_name(),
            "role": membership.role, "state": membership.state,
            "message": membership.message if managing and membership.message else None,
            "since": membership.decided_at or membership.created_at}


class _MemberPage:
    """The memberships of one page, turned into their output once sliced."""

    def __init__(self, queryset, managing: bool):
        self.queryset, self.managing = queryset, managing

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [_member_out(m, managing=self.managing) for m in self.queryset[item]]


class DecisionIn(InputSchema):
    message: str = Field("", max_length=2000, description="Sent to the person with the decision.")


class GroupInviteIn(InputSchema):
    email: str = Field(..., min_length=3, max_length=254,
                       description="The e-mail address of a registered person.")


class RoleIn(InputSchema):
    role: GroupRole


class OrganisationIn(InputSchema):
    organisation: str = Field(..., max_length=200, description="Slug of a partner organisation.")


class GroupIn(InputSchema):
    name_de: str = Field(..., min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    description_de: str = Field("", max_length=20000)
    description_en: str = Field("", max_length=20000)
    join_policy: JoinPolicy = JoinPolicy.OPEN
    focus_areas: list[str] = Field(..., min_length=1, description="Slugs of focus areas.")
    leads: list[str] = Field([], max_length=20,
                             description="E-mail addresses of registered people who become the "
                                         "group's first leads.")


class GroupPatchIn(InputSchema):
    """Only the fields sent are changed."""

    name_de: str = Field(None, min_length=1, max_length=200)
    name_en: str = Field(None, max_length=200)
    description_de: str = Field(None, max_length=20000)
    description_en: str = Field(None, max_length=20000)
    join_policy: JoinPolicy = None
    focus_areas: list[str] = Field(None, min_length=1, description="Slugs of focus areas.")


def _focus_areas(slugs: list[str]) -> list[FocusArea]:
    areas = list(FocusArea.objects.active().filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {area.slug for area in areas})
    if unknown:
        raise DjangoValidationError({"focus_areas": gettext("Unknown focus area: %(slugs)s")
                                                    % {"slugs": ", ".join(unknown)}},
                                    code="unknown")
    return areas


def _leads(emails: list[str]) -> list:
    from stadtallianz.accounts.models import User

    people = []
    for email in dict.fromkeys(e.strip() for e in emails):
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise DjangoValidationError(
                {"leads": gettext("No one is registered with the e-mail address %(email)s.")
                 % {"email": email}},
                code="unknown_person")
        people.append(person)
    return people


def _managed(request, slug: str) -> WorkingGroup:
    """The group, if the caller manages it (its leads and the coordinator, while active)."""
    group = _group(slug)
    if not permissions.can_manage(request.auth, group):
        raise HttpError(403, with_office(gettext(
            "Only the group's leads and the %(office)s manage its members, and only "
            "while it is active.")))
    return group


def _membership(group: WorkingGroup, membership_id: int, **filters) -> GroupMembership:
    return get_object_or_404(GroupMembership.objects.select_related("user", "group"),
                             pk=membership_id, group=group, **filters)


@router.get("/{slug}/members", response={200: list[MemberOut], 401: ErrorOut, 404: ErrorOut},
            summary="People of a working group")
@paginate(Pagination)
def group_members(request, slug: str):
    """Names are for logged-in people only, as on the group page (401 otherwise). Leads first.
    The group's leads and the coordinator also see pending requests (with their message) and
    open invitations."""
    caller = api_user(request)
    if not permissions.can_see_people(caller):
        raise AuthenticationError()
    group = _group(slug)
    managing = permissions.can_manage(caller, group)
    states = ([GroupMembership.State.ACTIVE, GroupMembership.State.REQUESTED,
               GroupMembership.State.INVITED] if managing else [GroupMembership.State.ACTIVE])
    # "active" < "invited" < "requested" and "lead" < "member": active leads come first.
    memberships = (group.memberships.filter(state__in=states).select_related("user")
                   .order_by("state", "role", "user__full_name", "pk"))
    return _MemberPage(memberships, managing)


@router.post("/{slug}/requests/{membership_id}/approve", auth=write_auth,
             response={200: MemberOut, **CHANGE_ERRORS}, summary="Approve a join request")
def request_approve(request, slug: str, membership_id: int, payload: DecisionIn):
    """A lead or the coordinator lets the person in; the message goes to them by e-mail.
    409 when the request was already decided."""
    group = _managed(request, slug)
    membership = _membership(group, membership_id)
    membership = services.membership_decide(membership=membership, by=request.auth,
                                            approve=True, message=payload.message)
    return _member_out(membership, managing=True)


@router.post("/{slug}/requests/{membership_id}/decline", auth=write_auth,
             response={204: None, **CHANGE_ERRORS}, summary="Decline a join request")
def request_decline(request, slug: str, membership_id: int, payload: DecisionIn):
    """The request is removed; the person learns the decision and the message."""
    group = _managed(request, slug)
    membership = _membership(group, membership_id)
    services.membership_decide(membership=membership, by=request.auth, approve=False,
                               message=payload.message)
    return Status(204, None)


@router.post("/{slug}/invitations", auth=write_auth,
             response={201: MemberOut, **CHANGE_ERRORS}, summary="Invite a person")
def member_invite(request, slug: str, payload: GroupInviteIn):
    """Invites a registered person by e-mail address (422 `email` for an unknown address, a
    member or someone already invited). A person who had asked to join is let in at once."""
    group = _managed(request, slug)
    membership = services.membership_invite(group=group, by=request.auth,
                                            email=payload.email)
    return Status(201, _member_out(membership, managing=True))


def _respond(request, slug: str, accept: bool):
    group = _group(slug)
    membership = GroupMembership.objects.filter(group=group, user=request.auth).first()
    if membership is None:
        raise HttpError(404, gettext("You have no invitation to this working group."))
    return services.membership_respond(membership=membership, by=request.auth,
                                       accept=accept)


@router.post("/{slug}/invitation/accept", auth=write_auth,
             response={200: MembershipOut, **CHANGE_ERRORS}, summary="Accept an invitation")
def invitation_accept(request, slug: str):
    """The invited caller joins. 404 without a membership, 409 if it is not an open
    invitation or the group has been archived."""
    return _respond(request, slug, accept=True)


@router.post("/{slug}/invitation/decline", auth=write_auth,
             response={204: None, **CHANGE_ERRORS}, summary="Decline an invitation")
def invitation_decline(request, slug: str):
    _respond(request, slug, accept=False)
    return Status(204, None)


@router.patch("/{slug}/members/{membership_id}", auth=write_auth,
              response={200: MemberOut, **CHANGE_ERRORS}, summary="Change a member's role")
def member_set_role(request, slug: str, membership_id: int, payload: RoleIn):
    """`lead` or `member`, for active members. The last lead cannot become a member (409)."""
    group = _managed(request, slug)
    membership = _membership(group, membership_id)
    membership = services.membership_set_role(membership=membership, by=request.auth,
                                              role=payload.role.value)
    return _member_out(membership, managing=True)


@router.delete("/{slug}/members/{membership_id}", auth=write_auth,
               response={204: None, **CHANGE_ERRORS}, summary="Remove a member")
def member_remove(request, slug: str, membership_id: int):
    """Removes a member (or withdraws an invitation). The last lead cannot be removed while
    others remain (409). People leave on their own with `POST …/leave`."""
    group = _managed(request, slug)
    membership = _membership(group, membership_id)
    services.membership_leave(membership=membership, by=request.auth)
    return Status(204, None)


@router.post("/{slug}/organisations", auth=write_auth,
             response={201: OrganisationRef, **CHANGE_ERRORS},
             summary="Add a member organisation")
def organisation_add(request, slug: str, payload: OrganisationIn):
    """A confirmed alliance partner; 422 `organisation` for anything else or a second time."""
    group = _managed(request, slug)
    organisation = referenced_one(Organisation.objects.public(), payload.organisation,
                                  "organisation", required=True,
                                  message=gettext("No alliance partner has this slug."))
    services.organisation_add(group=group, by=request.auth, organisation=organisation)
    return Status(201, organisation)


@router.delete("/{slug}/organisations/{organisation_slug}", auth=write_auth,
               response={204: None, **CHANGE_ERRORS}, summary="Remove a member organisation")
def organisation_remove(request, slug: str, organisation_slug: str):
    group = _managed(request, slug)
    organisation = get_object_or_404(Organisation, slug=organisation_slug,
                                     group_organisations__group=group)
    services.organisation_remove(group=group, by=request.auth, organisation=organisation)
    return Status(204, None)


@router.post("", auth=write_auth, response={201: GroupDetailOut, **CHANGE_ERRORS},
             summary="Create a working group")
def group_create(request, payload: GroupIn):
    """The coordination office founds a group; `leads` become its first leads."""
    if not permissions.can_create(request.auth):
        raise HttpError(403, with_office(gettext("Only the %(office)s creates working groups.")))
    data = payload.model_dump(exclude={"focus_areas", "leads"})
    data["join_policy"] = payload.join_policy.value
    group = services.group_create(by=request.auth, data=data,
                                  focus_areas=_focus_areas(payload.focus_areas),
                                  leads=_leads(payload.leads))
    return Status(201, _detail(group.slug))


@router.patch("/{slug}", auth=write_auth, response={200: GroupDetailOut, **CHANGE_ERRORS},
              summary="Change a working group")
def group_update(request, slug: str, payload: GroupPatchIn):
    """Leads and the coordinator; an archived group only the coordinator."""
    group = _group(slug)
    if not permissions.can_edit(request.auth, group):
        raise HttpError(403, with_office(gettext(
            "Only the group's leads and the %(office)s change it.")))
    data = payload.model_dump(exclude_unset=True)
    focus_slugs = data.pop("focus_areas", None)
    refuse_nulls(data)
    if "join_policy" in data:
        data["join_policy"] = JoinPolicy(data["join_policy"]).value
    services.group_update(group=group, by=request.auth, data=data,
                          focus_areas=(_focus_areas(focus_slugs)
                                       if focus_slugs is not None else None))
    return _detail(group.slug)


@router.post("/{slug}/archive", auth=write_auth, response={200: GroupDetailOut, **CHANGE_ERRORS},
             summary="Archive a working group")
def group_archive(request, slug: str):
    """The coordination office only. An archived group stays visible, read-only."""
    group = _group(slug)
    services.group_archive(group=group, by=request.auth)
    return _detail(slug)


@router.post("/{slug}/reactivate", auth=write_auth,
             response={200: GroupDetailOut, **CHANGE_ERRORS},
             summary="Reactivate a working group")
def group_reactivate(request, slug: str):
    group = _group(slug)
    services.group_reactivate(group=group, by=request.auth)
    return _detail(slug)
