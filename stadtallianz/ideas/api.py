"""REST API of ideas: list (the page's filters and sorting), detail, submission, edits (with the
version they start from: 409 with the current version and the differing fields when someone
else saved in between), versions and their diff, co-authors, state changes and exports.

Visibility is the pages' rule: a hidden idea is a 404 except for its authors and the
coordination office, and listed for the coordination office only. Writes go through
`services.py`, whose refusals the API's global handlers answer (core/api_errors.py: refusal
403, bad input 422 naming the field, a state conflict 409).
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from stadtallianz.accounts.names import shown_name
from stadtallianz.core.api import (
    CHANGE_ERRORS,
    CSV_CONTENT,
    JSON_ROWS_CONTENT,
    ErrorOut,
    FocusAreaRef,
    InputSchema,
    Pagination,
    PrincipleRef,
    SdgRef,
    ValidationErrorOut,
    absolute_url,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_all, referenced_one
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.workinggroups.models import WorkingGroup

from . import exports, permissions, services
from .diff import diff_html
from .listing import SORTS, LateRowLookup, filter_ideas, listed_ideas, sort_ideas
from .models import CoAuthor, Idea

router = Router(tags=["ideas"])

IdeaState = StrEnum("IdeaState", [(c.name, c.value) for c in Idea.State])
IdeaSort = StrEnum("IdeaSort", [(key.upper(), key) for key in SORTS])
READ_ERRORS = {404: ErrorOut}


class IdeaPlaceOut(Schema):
    name: str
    latitude: float | None
    longitude: float | None


class IdeaSummaryOut(Schema):
    id: int
    title: str
    state: IdeaState
    working_group: str | None = Field(None, description="Slug of the working group.")
    focus_areas: list[FocusAreaRef]
    place: IdeaPlaceOut | None
    support_count: int
    comment_count: int
    version: int
    hidden: bool = Field(..., description="Only the coordination office and the authors see "
                                          "hidden ideas.")
    created_at: datetime
    web_url: str

    @staticmethod
    def resolve_working_group(obj: Idea):
        return obj.working_group.slug if obj.working_group_id else None

    @staticmethod
    def resolve_focus_areas(obj: Idea):
        return obj.focus_areas.all()

    @staticmethod
    def resolve_place(obj: Idea):
        if not obj.place_name and not obj.has_place:
            return None
        return {"name": obj.place_name,
                "latitude": float(obj.latitude) if obj.latitude is not None else None,
                "longitude": float(obj.longitude) if obj.longitude is not None else None}

    @staticmethod
    def resolve_hidden(obj: Idea):
        return obj.is_hidden

    @staticmethod
    def resolve_web_url(obj: Idea):
        return absolute_url(obj.get_absolute_url())


class CoAuthorOut(Schema):
    id: int
    name: str | None = Field(None, description="Accepted co-authors: the name for logged-in "
                                               "callers, the public display name for others.")
    email: str | None = Field(None, description="The address invited, while the invitation "
                                                "is open, for who manages co-authors.")
    state: str


class ImageOut(Schema):
    url: str
    alt_text: str


class IdeaDetailOut(IdeaSummaryOut):
    description: str = Field(..., description="Markdown.")
    description_html: str = Field(..., description="The Markdown rendered and sanitised.")
    state_reason: str
    merged_into: int | None
    merged_ideas: list[int]
    project_url: str | None
    author: str | None = Field(None, description=(
        "Name for logged-in callers; for others the public display name (a pseudonym, or "
        "\"participant\" with a number); null once the account is deleted."))
    coauthors: list[CoAuthorOut] = Field(..., description="Accepted co-authors (invitations "
                                                          "too, for the authors).")
    principles: list[PrincipleRef]
    sdgs: list[SdgRef]
    images: list[ImageOut]

    @staticmethod
    def resolve_description_html(obj: Idea):
        return str(render_markdown(obj.description, top_level=2))

    @staticmethod
    def resolve_merged_into(obj: Idea, context):
        """Only if the caller may see the target (it may have been hidden since)."""
        if obj.merged_into_id is None:
            return None
        visible = permissions.visible_among(api_user(context["request"]), [obj.merged_into])
        return visible[0].pk if visible else None

    @staticmethod
    def resolve_merged_ideas(obj: Idea, context):
        return [idea.pk for idea in permissions.visible_among(api_user(context["request"]),
                                                              obj.merged_ideas.all())]

    @staticmethod
    def resolve_project_url(obj: Idea):
        project = getattr(obj, "project", None)
        return absolute_url(project.get_absolute_url()) if project else None

    @staticmethod
    def resolve_author(obj: Idea, context):
        return shown_name(obj.author, api_user(context["request"]))

    @staticmethod
    def resolve_coauthors(obj: Idea, context):
        user = api_user(context["request"])
        show_invited = permissions.can_manage_coauthors(user, obj)
        accepted = CoAuthor.State.ACCEPTED
        return [{"id": c.pk, "state": c.state,
                 "name": shown_name(c.user, user) if c.state == accepted and c.user else None,
                 "email": c.email if c.state != accepted else None}
                for c in obj.coauthors.all()
                if show_invited or c.state == accepted]

    @staticmethod
    def resolve_principles(obj: Idea):
        return obj.principles.all()

    @staticmethod
    def resolve_sdgs(obj: Idea):
        return obj.sdgs.all()

    @staticmethod
    def resolve_images(obj: Idea):
        return [{"url": absolute_url(image.image.url), "alt_text": image.alt_text}
                for image in obj.images.all()]


class IdeaFilters(InputSchema):
    state: IdeaState | None = None
    focus_area: str | None = Field(None, max_length=50, description="Slug of a focus area.")
    principle: int | None = Field(None, ge=1, le=99, description="Number of a principle.")
    sdg: int | None = Field(None, ge=1, le=17, description="Number of an SDG.")
    group: str | None = Field(None, max_length=220, description="Slug of a working group.")
    sort: IdeaSort = Field(IdeaSort.NEWEST, description="newest, supported or discussed.")


def _filtered(request, filters: IdeaFilters):
    values = {k: (str(v) if isinstance(v, StrEnum) else v)
              for k, v in filters.dict().items() if v not in (None, "")}
    ideas = filter_ideas(listed_ideas(api_user(request)), **values)
    return sort_ideas(ideas, values.get("sort", ""))


@router.get("", response=list[IdeaSummaryOut], summary="Ideas")
@paginate(Pagination)
def idea_list(request, filters: Query[IdeaFilters]):
    """Ideas, newest first unless `sort` says otherwise. Hidden ideas only for the
    coordination office."""
    return LateRowLookup(_filtered(request, filters))


@router.get("/export.csv", summary="Ideas as CSV", response={200: None},
             openapi_extra=CSV_CONTENT)
def idea_export_csv(request, filters: Query[IdeaFilters]):
    """All ideas matching the filters, streamed (cells starting with = + - @ get a leading
    quote, so spreadsheets do not run them)."""
    return exports.csv_response(_filtered(request, filters),
                                show_hidden=permissions.can_moderate_ideas(api_user(request)))


@router.get("/export.json", summary="Ideas as JSON", response={200: None},
             openapi_extra=JSON_ROWS_CONTENT)
def idea_export_json(request, filters: Query[IdeaFilters]):
    """All ideas matching the filters as one JSON array, streamed."""
    return exports.json_response(_filtered(request, filters),
                                 show_hidden=permissions.can_moderate_ideas(api_user(request)))


def _detail_queryset():
    return (Idea.objects.select_related("author", "working_group", "project", "merged_into")
            .prefetch_related("focus_areas", "principles", "sdgs", "images",
                              Prefetch("coauthors",
                                       queryset=CoAuthor.objects.select_related("user")
                                       .order_by("created_at", "pk")),
                              Prefetch("merged_ideas",
                                       queryset=Idea.objects.only("pk", "hidden_at",
                                                                  "author_id",
                                                                  "merged_into_id"))))


def _idea(request, idea_id: int) -> Idea:
    idea = get_object_or_404(_detail_queryset(), pk=idea_id)
    if not permissions.can_see(api_user(request), idea):
        raise Http404
    return idea


@router.get("/{int:idea_id}", response={200: IdeaDetailOut, **READ_ERRORS}, summary="One idea")
def idea_detail(request, idea_id: int):
    return _idea(request, idea_id)


class _IdeaFields(InputSchema):
    focus_areas: list[str] | None = Field(None, max_length=50,
                                          description="Slugs of focus areas.")
    principles: list[int] | None = Field(None, max_length=20,
                                         description="Numbers of guiding principles.")
    sdgs: list[int] | None = Field(None, max_length=17, description="Numbers of SDGs.")
    working_group: str | None = Field(None, max_length=220,
                                      description="Slug of a working group; empty for none.")
    place_name: str | None = Field(None, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class IdeaIn(_IdeaFields):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=20000, description="Markdown.")


class IdeaPatchIn(_IdeaFields):
    """Only the fields sent change. `version` is the version the edit starts from."""

    version: int = Field(..., ge=1)
    title: str = Field(None, min_length=1, max_length=200)
    description: str = Field(None, min_length=1, max_length=20000)


def _lookup(model, field: str, values, name: str) -> list | None:
    return referenced_all(model.objects.all(), values, name, lookup=field)


def _data(payload, *, partial: bool) -> dict:
    sent = payload.dict(exclude_unset=partial)
    data = {}
    for name in ("title", "description", "place_name"):
        if name in sent:
            data[name] = sent[name] or ""
    for name in ("latitude", "longitude"):
        if name in sent:
            data[name] = sent[name]
    relations = {
        "focus_areas": _lookup(FocusArea, "slug", sent.get("focus_areas"), "focus_areas"),
        "principles": _lookup(Principle, "number", sent.get("principles"), "principles"),
        "sdgs": _lookup(SustainableDevelopmentGoal, "number", sent.get("sdgs"), "sdgs"),
    }
    data.update({k: v for k, v in relations.items() if v is not None})
    if "working_group" in sent:
        slug = sent["working_group"]
        group = None
        if slug:
            group = WorkingGroup.objects.filter(slug=slug).first()
            if group is None:
                raise DjangoValidationError(
                    {"working_group": gettext("No working group has this slug.")}, code="unknown")
        data["working_group"] = group
    return data


@router.post("", auth=write_auth, response={201: IdeaDetailOut, **CHANGE_ERRORS},
             summary="Submit an idea")
def idea_create(request, payload: IdeaIn):
    """Any registered person with a confirmed e-mail address; the caller is the author and
    follows the idea."""
    data = _data(payload, partial=False)
    idea = services.idea_create(by=request.auth, data=data)
    return Status(201, _idea(request, idea.pk))


class IdeaConflictOut(Schema):
    detail: str
    current_version: int
    fields: dict = Field(..., description="Per differing field: `yours` and `current`.")


@router.patch("/{int:idea_id}", auth=write_auth,
              response={200: IdeaDetailOut, **CHANGE_ERRORS, 409: IdeaConflictOut},
              summary="Change an idea")
def idea_update(request, idea_id: int, payload: IdeaPatchIn):
    """The authors of an open idea and the coordination office. Every saved change is a new
    version. 409 when the idea is no longer at `version`."""
    idea = _idea(request, idea_id)
    data = _data(payload, partial=True)
    try:
        services.idea_update(idea=idea, by=request.auth, data=data,
                             base_version=payload.version)
    except services.EditConflict as conflict:
        return JsonResponse({"detail": str(conflict), "current_version": conflict.idea.version,
                             "fields": conflict.fields}, status=409)
    return _idea(request, idea.pk)


class VersionOut(Schema):
    number: int
    title: str
    description: str
    details: dict
    author: str | None = Field(None, description=(
        "Name for logged-in callers; for others the public display name (a pseudonym, or "
        "\"participant\" with a number); null once the account is deleted."))
    created_at: datetime

    @staticmethod
    def resolve_author(obj, context):
        return shown_name(obj.author, api_user(context["request"]))


@router.get("/{int:idea_id}/versions", response={200: list[VersionOut], **READ_ERRORS},
            summary="Versions of an idea")
def idea_version_list(request, idea_id: int):
    """Newest first; number 1 is the submission."""
    idea = _idea(request, idea_id)
    return idea.versions.select_related("author").order_by("-number")


class DiffOut(Schema):
    from_version: int
    to_version: int
    title_html: str = Field(..., description="Escaped HTML with <ins>/<del>.")
    description_html: str = Field(..., description="Escaped HTML with <ins>/<del>.")
    details: dict = Field(..., description="Per detail: `from` and `to`, where they differ.")


@router.get("/{int:idea_id}/versions/diff",
            response={200: DiffOut, **READ_ERRORS, 422: ValidationErrorOut},
            summary="Difference between two versions")
def idea_version_diff(request, idea_id: int, from_version: int = Query(..., alias="from", ge=1),
                      to_version: int = Query(..., alias="to", ge=1)):
    idea = _idea(request, idea_id)
    versions = {v.number: v for v in idea.versions.filter(number__in=[from_version, to_version])}
    if from_version not in versions or to_version not in versions:
        raise Http404
    old, new = versions[from_version], versions[to_version]
    return {
        "from_version": old.number, "to_version": new.number,
        "title_html": str(diff_html(old.title, new.title)),
        "description_html": str(diff_html(old.description, new.description)),
        "details": {key: {"from": old.details.get(key), "to": new.details.get(key)}
                    for key in sorted(set(old.details) | set(new.details))
                    if old.details.get(key) != new.details.get(key)},
    }


class CoAuthorIn(InputSchema):
    email: str = Field(..., min_length=3, max_length=254)


@router.post("/{int:idea_id}/coauthors", auth=write_auth,
             response={201: CoAuthorOut, **CHANGE_ERRORS}, summary="Invite a co-author")
def idea_coauthor_invite(request, idea_id: int, payload: CoAuthorIn):
    """The author (while the idea is open) and the coordination office invite a registered
    person by the e-mail address of their account; the person is notified. The answer is the
    same whether or not the address has an account (no name until the invitation is
    accepted); at most 10 open invitations per idea and 20 invitations per person a day."""
    idea = _idea(request, idea_id)
    coauthor = services.coauthor_invite(idea=idea, by=request.auth, email=payload.email)
    return Status(201, {"id": coauthor.pk, "name": None, "email": coauthor.email,
                        "state": coauthor.state})


def _coauthor(request, idea_id: int, coauthor_id: int) -> CoAuthor:
    coauthor = get_object_or_404(CoAuthor.objects.select_related("idea", "user"),
                                 pk=coauthor_id, idea_id=idea_id)
    user = request.auth
    # The invited person may answer even before they can see a hidden idea.
    if coauthor.user_id != user.pk and not permissions.can_see(user, coauthor.idea):
        raise Http404
    return coauthor


class AnswerIn(InputSchema):
    accept: bool


@router.post("/{int:idea_id}/coauthors/{int:coauthor_id}/answer", auth=write_auth,
             response={200: CoAuthorOut, 204: None, **CHANGE_ERRORS},
             summary="Accept or decline an invitation")
def idea_coauthor_answer(request, idea_id: int, coauthor_id: int, payload: AnswerIn):
    """The invited person only. Accepting answers the co-authorship; declining 204."""
    coauthor = _coauthor(request, idea_id, coauthor_id)
    result = services.coauthor_respond(coauthor=coauthor, by=request.auth,
                                       accept=payload.accept)
    if result is None:
        return Status(204, None)
    return {"id": result.pk, "name": coauthor.user.full_name, "state": result.state}


@router.delete("/{int:idea_id}/coauthors/{int:coauthor_id}", auth=write_auth,
               response={204: None, **CHANGE_ERRORS}, summary="Remove a co-author")
def idea_coauthor_remove(request, idea_id: int, coauthor_id: int):
    """The author and the coordination office; a co-author may remove themselves."""
    coauthor = _coauthor(request, idea_id, coauthor_id)
    services.coauthor_remove(coauthor=coauthor, by=request.auth)
    return Status(204, None)


class StateIn(InputSchema):
    state: IdeaState
    reason: str = Field("", max_length=5000, description="Public; required for declined.")
    merged_into: int | None = Field(None, ge=1, description="Required for merged.")


@router.post("/{int:idea_id}/state", auth=write_auth,
             response={200: IdeaDetailOut, **CHANGE_ERRORS}, summary="Change the state")
def idea_state_change(request, idea_id: int, payload: StateIn):
    """The coordination office and the leads of the idea's working group. submitted →
    discussion → accepted | declined | merged; other changes are refused with 409. Accepting
    makes the idea a project (`project_url`)."""
    idea = _idea(request, idea_id)
    target = None
    if payload.merged_into is not None:
        target = referenced_one(Idea.objects.all(), payload.merged_into, "merged_into",
                                lookup="pk", message=gettext("No idea has this number."))
        if not permissions.can_see(request.auth, target):
            raise DjangoValidationError({"merged_into": gettext("No idea has this number.")},
                                        code="unknown")
    services.change_state(idea=idea, by=request.auth, state=str(payload.state),
                          reason=payload.reason, merged_into=target)
    return _idea(request, idea.pk)


# Comments, supports, follows, reports and moderation.
from .participation.api import router as participation_router  # noqa: E402

router.add_router("", participation_router)
