"""REST API of the search: the same search as the search page, with the caller's permissions."""

from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from stadtallianz.core.api import MAX_OFFSET, InputSchema, ValidationErrorOut
from stadtallianz.core.api_auth import api_user
from stadtallianz.core.models import FocusArea

from . import services
from .models import SearchEntry

router = Router(tags=["search"])

SearchType = StrEnum("SearchType", [(c.name, c.value) for c in SearchEntry.Type])


class SearchFilters(InputSchema):
    q: str = Field(..., max_length=services.MAX_QUERY_LENGTH,
                   description='Words (German stemming; compounds are found by their parts and '
                               "the parts by the compound, loanword plurals in -s by their "
                               'singular); "a phrase", `or` (or `oder`) between two terms, '
                               "`-word` to exclude one.")
    type: SearchType | None = Field(None, description="Only results of this type.")
    focus_area: str | None = Field(None, max_length=100,
                                   description="Only results of this focus area (its slug).")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("q", mode="after")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(gettext("Give at least one word to search for."))
        return value.strip()


class SearchItemOut(Schema):
    type: SearchType
    title: str
    url: str = Field(..., description="The page of the result, in the answer's language.")
    snippet: str = Field(..., description="HTML: an excerpt of the text, escaped, with the "
                                          "matching words in `<mark>`.")
    rank: float = Field(..., description="Relevance, higher first; comparable only within one "
                                         "search.")


class SearchOut(Schema):
    items: list[SearchItemOut]
    count: int = Field(..., description="Number of results, at most 500 (the best 500 can be "
                                        "paged through).")
    more: bool = Field(..., description="True when there are more than `count` results: more "
                                        "words, a type or a focus area narrow the search.")


@router.get("", response={200: SearchOut, 422: ValidationErrorOut}, summary="Search")
def search(request, filters: Query[SearchFilters]):
    """Partners, working groups, discussions, events, articles, documents, ideas, projects,
    living labs, funding calls and open partner searches matching `q`, best first, that the
    caller may open (members-only results for the group's members only). Snippets are in the
    answer's language where the content has a translation."""
    if filters.focus_area and not FocusArea.objects.filter(slug=filters.focus_area).exists():
        return Status(422, {"detail": [{"loc": ["query", "focus_area"], "type": "value_error",
                                        "msg": gettext("Unknown focus area.")}]})
    results = services.search(user=api_user(request), q=filters.q,
                              type=filters.type.value if filters.type else "",
                              focus_area=filters.focus_area or "")
    site = settings.SITE_URL.rstrip("/")
    items = [{"type": entry.type, "title": entry.title, "url": site + entry.link,
              "snippet": str(entry.snippet), "rank": entry.rank}
             for entry in results[filters.offset:filters.offset + filters.limit]]
    return {"items": items, "count": results.count(), "more": results.more}
