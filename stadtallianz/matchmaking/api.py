"""REST API of the matchmaking: the suggestions for a project, a call, a partner-search notice or
an organisation, each with its score and its reasons (codes with their evidence, and the text in
the request's language), and hiding a suggestion ("not relevant") and bringing it back.

For partners of the alliance and the coordination office (permissions.py): others get 403.
Reads and writes go through suggestions.py and services.py, as the pages do.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from stadtallianz.core.api import WRITE_ERRORS, InputSchema
from stadtallianz.core.api_auth import write_auth
from stadtallianz.core.office import with_office
from stadtallianz.partners.models import Organisation

from . import permissions, services, suggestions
from .models import Kind

router = Router(tags=["matchmaking"])

READ_ERRORS = {401: WRITE_ERRORS[401], 403: WRITE_ERRORS[403], 404: WRITE_ERRORS[404]}


class ReasonOut(Schema):
    code: str = Field(..., description="offer, need, profile, working_group, focus_area, "
                                       "eligible, wanted_type, joint_work or nearby")
    params: dict[str, Any] = Field(..., description="The evidence: the matched words and the "
                                                    "text they are from, the group, the type, "
                                                    "the partner worked with, the distance")
    text: str = Field(..., description="The reason in plain words, in the request's language")


class SuggestionOut(Schema):
    kind: str = Field(..., description="organisation, project, notice or call")
    id: int
    slug: str
    name: str
    web_url: str
    score: float = Field(..., description="0 to 1; only the order matters")
    reasons: list[ReasonOut]

    model_config = {"json_schema_extra": {"examples": [{
        "kind": "organisation", "id": 43, "slug": "amt-mobilitaet-tiefbau",
        "name": "Amt für Mobilität und Tiefbau", "web_url": "/de/partners/amt-mobilitaet-tiefbau/",
        "score": 0.61,
        "reasons": [
            {"code": "profile", "params": {"words": ["Verkehrsdaten"], "evidence": (
                "Bietet Verkehrsdaten, Verkehrssteuerung und Flächen für Mobilitätspiloten.")},
             "text": "befasst sich mit Verkehrsdaten (Profil: Bietet Verkehrsdaten, "
                     "Verkehrssteuerung und Flächen für Mobilitätspiloten.)"},
            {"code": "working_group", "params": {"group": "Radverkehr und Mikromobilität",
                                                 "group_en": "Cycling and micromobility"},
             "text": "Mitglied der Arbeitsgruppe Radverkehr und Mikromobilität"},
            {"code": "joint_work", "params": {"partner": "Stadtwerke Münsterland-Nord",
                                              "count": 2},
             "text": "hat mit Stadtwerke Münsterland-Nord an 2 Projekten gearbeitet"},
        ]}]}}


class DismissIn(InputSchema):
    subject_kind: Kind = Field(..., description="What the suggestions are for")
    subject_id: int = Field(..., ge=1, le=2**63 - 1)
    object_kind: Kind = Field(..., description="What was suggested")
    object_id: int = Field(..., ge=1, le=2**63 - 1)

    model_config = {"json_schema_extra": {"examples": [{
        "subject_kind": "call", "subject_id": 12, "object_kind": "organisation",
        "object_id": 43}]}}


def _out(shown) -> dict:
    obj = shown.object
    return {"kind": shown.kind, "id": shown.id, "slug": getattr(obj, "slug", "") or str(obj.pk),
            "name": str(obj), "web_url": obj.get_absolute_url(), "score": shown.score,
            "reasons": [{key: reason[key] for key in ("code", "params", "text")}
                        for reason in shown.reasons]}


def _require(request) -> None:
    if not permissions.can_see_suggestions(request.auth):
        raise PermissionDenied(services.DENIED)


def _partners(request, kind, key):
    subject = suggestions.get_subject(request.auth, kind, key)
    _require(request)
    return [_out(s) for s in suggestions.partners_for(request.auth, kind, subject)]


@router.get("/projects/{slug}", auth=write_auth,
            response={200: list[SuggestionOut], **READ_ERRORS},
            summary="Partners suggested for a project")
def for_project(request, slug: str):
    """Up to ten public partners that fit the project, best first, its consortium left out and
    the caller's hidden suggestions too."""
    return _partners(request, Kind.PROJECT, slug)


@router.get("/calls/{slug}", auth=write_auth,
            response={200: list[SuggestionOut], **READ_ERRORS},
            summary="Partners suggested for a funding call")
def for_call(request, slug: str):
    """Up to ten eligible public partners that fit the call; earlier joint work is counted with
    the caller's organisations."""
    return _partners(request, Kind.CALL, slug)


@router.get("/notices/{notice_id}", auth=write_auth,
            response={200: list[SuggestionOut], **READ_ERRORS},
            summary="Partners suggested for a partner-search notice")
def for_notice(request, notice_id: int):
    """Up to ten public partners that fit the notice, its owner left out."""
    return _partners(request, Kind.NOTICE, notice_id)


@router.get("/organisations/{slug}", auth=write_auth,
            response={200: list[SuggestionOut], **READ_ERRORS},
            summary="Calls, notices and projects suggested for an organisation")
def for_organisation(request, slug: str):
    """Open calls, open partner searches and running projects that fit the organisation: for
    its people and the coordination office (403 for others)."""
    organisation = get_object_or_404(Organisation.objects.public(), slug=slug)
    if not permissions.can_see_suggestions_for_organisation(request.auth, organisation):
        raise PermissionDenied(with_office(gettext(
            "Only the organisation's people and the %(office)s see its suggestions.")))
    return [_out(s) for s in suggestions.subjects_for(request.auth, organisation)]


@router.post("/dismissals", auth=write_auth, response={204: None, **WRITE_ERRORS},
             summary="Hide a suggestion (not relevant)")
def dismiss(request, payload: DismissIn):
    """Hides the suggestion for the caller only; hiding it again changes nothing."""
    services.dismiss(by=request.auth, **_plain(payload))
    return Status(204, None)


@router.post("/dismissals/undo", auth=write_auth, response={204: None, **WRITE_ERRORS},
             summary="Show a hidden suggestion again")
def undo(request, payload: DismissIn):
    """Undoes a dismissal; 404 when the suggestion was not hidden."""
    if not services.undo(by=request.auth, **_plain(payload)):
        from ninja.errors import HttpError

        raise HttpError(404, gettext("This suggestion was not hidden."))
    return Status(204, None)


def _plain(payload: DismissIn) -> dict:
    data = payload.dict()
    return {key: str(value.value if hasattr(value, "value") else value)
            if key.endswith("kind") else value for key, value in data.items()}
