"""REST API (read-only) of the letter of intent: the current wording and who has signed it."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from stadtallianz.core.api import ErrorOut, Pagination
from stadtallianz.core.markdown import render_markdown
from stadtallianz.partners.api import OrganisationType
from stadtallianz.partners.models import Organisation

from .models import Signature, Version

router = Router(tags=["letter of intent"])


class LetterVersionOut(Schema):
    number: int
    title: str
    title_de: str
    title_en: str
    text: str = Field(..., description="Markdown, in the active language.")
    text_de: str
    text_en: str
    text_html: str = Field(..., description="The active language's text as sanitised HTML.")
    published_at: datetime

    @staticmethod
    def resolve_text_html(obj: Version) -> str:
        return str(render_markdown(obj.text))


class SignatoryOrganisationOut(Schema):
    slug: str
    name: str
    type: OrganisationType
    type_label: str = Field(..., alias="get_type_display")
    web_url: str = Field(..., alias="get_absolute_url")


class SignatoryOut(Schema):
    """An alliance partner and the version of the letter its confirmed signature is of.

    The signing person is not published: the organisation signs, the person acts for it.
    """

    organisation: SignatoryOrganisationOut
    version: int = Field(..., alias="version.number")
    signed_at: datetime
    confirmed_at: datetime | None = Field(..., alias="reviewed_at")


@router.get("", response={200: LetterVersionOut, 404: ErrorOut}, summary="Current letter of intent")
def letter_current(request):
    """The newest published version: the one partners sign now."""
    version = Version.objects.current()
    if version is None:
        raise Http404
    return version


@router.get("/signatories", response=list[SignatoryOut], summary="Signatories")
@paginate(Pagination)
def signatory_list(request):
    """The alliance partners, each with its confirmed signature, by organisation name."""
    return (
        Signature.objects.confirmed()
        .filter(organisation__status__in=Organisation.PUBLIC_STATUSES)
        .select_related("organisation", "version")
        .order_by("organisation__name", "organisation_id", "-version__number")
    )
