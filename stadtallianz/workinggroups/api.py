"""REST API of the working groups: the list, one group, and joining and leaving.

Joining and leaving go through `services.py`, so the API validates and audits exactly as the
web pages do; a refusal by the rules (archived, by invitation) is a 422 naming why.
"""

from datetime import datetime
from enum import StrEnum

from django.core.validators import slug_re
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from stadtallianz.core.api import (
    ErrorOut,
    FocusAreaRef,
    InputSchema,
    Pagination,
    ValidationErrorOut,
)
from stadtallianz.core.api_auth import write_auth
from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Organisation

from . import services
from .models import GroupMembership, WorkingGroup

router = Router(tags=["working groups"])

GroupState = StrEnum("GroupState", [(c.name, c.value) for c in WorkingGroup.State])
JoinPolicy = StrEnum("JoinPolicy", [(c.name, c.value) for c in WorkingGroup.JoinPolicy])
GroupRole = StrEnum("GroupRole", [(c.name, c.value) for c in GroupMembership.Role])
GroupMembershipState = StrEnum("GroupMembershipState",
                               [(c.name, c.value) for c in GroupMembership.State])

WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


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


class OrganisationRef(Schema):
    slug: str
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
    group.lead_list = list(group.memberships.filter(
        role=GroupMembership.Role.LEAD, state=GroupMembership.State.ACTIVE)
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
    membership = services.membership_join(group=group, by=request.auth, message=payload.message)
    return membership


@router.post("/{slug}/leave", auth=write_auth, response={204: None, **WRITE_ERRORS},
             summary="Leave a working group")
def group_leave(request, slug: str):
    """Leaves the group, withdraws a request or declines an invitation. The last lead cannot
    leave while other members remain (422)."""
    group = _group(slug)
    membership = GroupMembership.objects.filter(group=group, user=request.auth).first()
    if membership is None:
        raise HttpError(404, "You are not a member of this working group.")
    services.membership_leave(membership=membership, by=request.auth)
    return Status(204, None)
