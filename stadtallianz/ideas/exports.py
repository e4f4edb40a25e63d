"""Ideas as CSV and JSON, streamed in chunks so that 20,000 ideas (or more) never sit in memory
at once. Author names are left out: the export is public like the list."""

import json

from django.conf import settings
from django.db.models import F
from django.http import StreamingHttpResponse
from django.utils import timezone

from stadtallianz.core import exports

CHUNK = 1000
COLUMNS = ["id", "title", "state", "state_reason", "description", "focus_areas", "principles",
           "sdgs", "working_group", "place_name", "latitude", "longitude", "support_count",
           "comment_count", "merged_into", "created_at", "url"]
def _rows(ideas, show_hidden):
    """`show_hidden`: the export lists hidden ideas (the coordination office's); otherwise a
    merge target hidden since is left out like the hidden ideas themselves."""
    site = settings.SITE_URL.rstrip("/")
    queryset = (ideas.defer(None).select_related("working_group")
                .annotate(merged_into_hidden_at=F("merged_into__hidden_at"))
                .prefetch_related("focus_areas", "principles", "sdgs"))
    for idea in queryset.iterator(chunk_size=CHUNK):
        yield {
            "id": idea.pk, "title": idea.title, "state": idea.state,
            "state_reason": idea.state_reason, "description": idea.description,
            "focus_areas": [area.slug for area in idea.focus_areas.all()],
            "principles": [p.number for p in idea.principles.all()],
            "sdgs": [goal.number for goal in idea.sdgs.all()],
            "working_group": idea.working_group.slug if idea.working_group_id else None,
            "place_name": idea.place_name,
            "latitude": float(idea.latitude) if idea.latitude is not None else None,
            "longitude": float(idea.longitude) if idea.longitude is not None else None,
            "support_count": idea.support_count, "comment_count": idea.comment_count,
            "merged_into": idea.merged_into_id
            if show_hidden or idea.merged_into_hidden_at is None else None,
            "created_at": idea.created_at.isoformat(),
            "url": site + idea.get_absolute_url(),
        }


def _csv_rows(ideas, show_hidden):
    for row in _rows(ideas, show_hidden):
        yield [" ".join(map(str, value)) if isinstance(value, list) else value
               for value in (row[column] for column in COLUMNS)]


def _json_chunks(ideas, show_hidden):
    yield "["
    first = True
    for row in _rows(ideas, show_hidden):
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"


def _filename(extension: str) -> str:
    return f"ideas-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(ideas, *, show_hidden: bool = False) -> StreamingHttpResponse:
    return exports.csv_response(_filename("csv"), COLUMNS, _csv_rows(ideas, show_hidden))


def json_response(ideas, *, show_hidden: bool = False) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_json_chunks(ideas, show_hidden),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response
