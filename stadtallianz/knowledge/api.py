"""REST API of the knowledge exchange: articles and documents, read and written.

Visibility is the pages' rule (`Article.objects.visible_to`, `Document.objects.visible_to`):
what the caller may not see is absent from lists and a 404. Writes go through `services.py`
(refusal 403, bad input 422 naming the field, a state conflict 409). Files are uploaded as
multipart/form-data and downloaded through the web download URL, which checks again.
"""

from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.accounts.models import User
from stadtallianz.accounts.names import shown_name
from stadtallianz.core.api import (
    CHANGE_ERRORS,
    NOT_FOUND,
    FocusAreaRef,
    InputSchema,
    OrganisationRef,
    Pagination,
    PrincipleRef,
    SdgRef,
    absolute_url,
    refuse_nulls,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_all, referenced_one
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.core.office import with_office
from stadtallianz.events.models import Event
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions, services
from .models import Article, Document
from .queries import filter_articles

router = Router(tags=["knowledge"])

ArticleKind = StrEnum("ArticleKind", [(c.name, c.value) for c in Article.Kind])
ArticleLanguage = StrEnum("ArticleLanguage", [(c.name, c.value) for c in Article.Language])
ArticleVisibility = StrEnum("ArticleVisibility", [(c.name, c.value) for c in Article.Visibility])
ArticleState = StrEnum("ArticleState", [(c.name, c.value) for c in Article.State])
DocumentVisibility = StrEnum("DocumentVisibility",
                             [(c.name, c.value) for c in Document.Visibility])
READ_ERRORS = {404: CHANGE_ERRORS[404]}


# ---------------------------------------------------------------------------------------------
# Articles


class ArticleSummaryOut(Schema):
    slug: str
    title: str
    summary: str
    kind: ArticleKind
    language: ArticleLanguage = Field(..., description="The language the article is written in.")
    visibility: ArticleVisibility
    state: ArticleState
    group: str | None = Field(None, description="Slug of the working group; null for an "
                                                "article of the whole alliance.")
    focus_areas: list[FocusAreaRef]
    published_at: datetime | None
    updated_at: datetime
    web_url: str

    @staticmethod
    def resolve_group(obj: Article):
        return obj.group.slug if obj.group_id else None

    @staticmethod
    def resolve_focus_areas(obj: Article):
        return obj.focus_areas.all()

    @staticmethod
    def resolve_web_url(obj: Article):
        return absolute_url(obj.get_absolute_url())


class DocumentSummaryOut(Schema):
    id: int
    title: str
    description: str
    visibility: DocumentVisibility
    group: str | None = Field(None, description="Slug of the working group it belongs to.")
    event: str | None = Field(None, description="Slug of the event it belongs to.")
    article: str | None = Field(None, description="Slug of the article it belongs to.")
    download_count: int
    latest_version: int | None
    created_at: datetime
    updated_at: datetime
    web_url: str
    download_url: str = Field(..., description="The latest version (the web download, which "
                                               "checks the caller's access again).")

    @staticmethod
    def resolve_group(obj: Document):
        return obj.group.slug if obj.group_id else None

    @staticmethod
    def resolve_event(obj: Document):
        return obj.event.slug if obj.event_id else None

    @staticmethod
    def resolve_article(obj: Document):
        return obj.article.slug if obj.article_id else None

    @staticmethod
    def resolve_latest_version(obj: Document):
        return getattr(obj, "latest_number", None)

    @staticmethod
    def resolve_web_url(obj: Document):
        return absolute_url(obj.get_absolute_url())

    @staticmethod
    def resolve_download_url(obj: Document):
        return absolute_url(reverse("knowledge:download", kwargs={"pk": obj.pk}))


class ArticleDetailOut(ArticleSummaryOut):
    body: str = Field(..., description="Markdown.")
    body_html: str = Field(..., description="The Markdown rendered and sanitised.")
    authors: list[str] = Field(..., description="Names; only for callers who are logged in.")
    organisations: list[OrganisationRef]
    principles: list[PrincipleRef]
    sdgs: list[SdgRef]
    documents: list[DocumentSummaryOut]

    @staticmethod
    def resolve_body_html(obj: Article):
        return str(render_markdown(obj.body, top_level=2))

    @staticmethod
    def resolve_authors(obj: Article, context):
        if not api_user(context["request"]).is_authenticated:
            return []
        return [author.full_name or author.email for author in obj.authors.all()]

    @staticmethod
    def resolve_organisations(obj: Article):
        return obj.organisations.all()

    @staticmethod
    def resolve_principles(obj: Article):
        return obj.principles.all()

    @staticmethod
    def resolve_sdgs(obj: Article):
        return obj.sdgs.all()

    @staticmethod
    def resolve_documents(obj: Article, context):
        return (Document.objects.visible_to(api_user(context["request"])).filter(article=obj)
                .with_latest_version().select_related("article").order_by("-updated_at", "-pk"))


class ArticleFilters(InputSchema):
    kind: ArticleKind | None = None
    focus_area: str | None = Field(None, max_length=50, description="Slug of a focus area.")
    principle: str | None = Field(None, max_length=50, description="Slug of a principle.")
    sdg: int | None = Field(None, ge=1, le=17, description="Number of an SDG.")
    group: str | None = Field(None, max_length=220,
                              description="Slug of a working group, or `alliance`.")


def _visible_articles(request):
    return Article.objects.visible_to(api_user(request)).select_related("group")


@router.get("/articles", response=list[ArticleSummaryOut], summary="Articles")
@paginate(Pagination)
def article_list(request, filters: Query[ArticleFilters]):
    """Articles the caller may see, newest first: published ones, and drafts for their authors,
    the group's leads and the coordination office."""
    articles = _visible_articles(request).prefetch_related("focus_areas").listed()
    values = {k: (str(v) if k == "sdg" else v)
              for k, v in filters.dict().items() if v is not None and v != ""}
    return filter_articles(articles, **values)


def _article(request, slug: str) -> Article:
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(_visible_articles(request), slug=slug)


def _article_out(article: Article) -> Article:
    return (Article.objects.select_related("group")
            .prefetch_related("focus_areas", "authors", "organisations", "principles", "sdgs")
            .get(pk=article.pk))


@router.get("/articles/{slug}", response={200: ArticleDetailOut, **READ_ERRORS},
            summary="One article")
def article_detail(request, slug: str):
    return _article_out(_article(request, slug))


class _ArticleFields(InputSchema):
    focus_areas: list[str] | None = Field(None, max_length=50,
                                          description="Slugs of focus areas.")
    principles: list[int] | None = Field(None, max_length=8,
                                         description="Numbers of guiding principles.")
    sdgs: list[int] | None = Field(None, max_length=17, description="Numbers of SDGs.")
    organisations: list[str] | None = Field(
        None, max_length=50, description="Slugs of the authors' organisations to credit.")
    co_authors: list[str] | None = Field(
        None, max_length=20, description="E-mail addresses of further authors (registered "
                                         "people who may write there).")


class ArticleIn(_ArticleFields):
    group: str | None = Field(None, max_length=220, description="Slug of the working group; "
                                                                "null for the whole alliance.")
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = Field(..., min_length=1, max_length=500)
    body: str = Field(..., min_length=1, max_length=100000, description="Markdown.")
    kind: ArticleKind = ArticleKind.LESSON
    language: ArticleLanguage = ArticleLanguage.DE
    visibility: ArticleVisibility = ArticleVisibility.PUBLIC
    publish: bool = Field(False, description="Publish at once; otherwise a draft.")


class ArticlePatchIn(_ArticleFields):
    """Only the fields sent change. `state` publishes (`published`) or unpublishes (`draft`:
    the group's leads and the coordination office)."""

    title: str = Field(None, min_length=1, max_length=200)
    summary: str = Field(None, min_length=1, max_length=500)
    body: str = Field(None, min_length=1, max_length=100000)
    kind: ArticleKind = None
    language: ArticleLanguage = None
    visibility: ArticleVisibility = None
    state: ArticleState = None


def _lookup(model, field: str, values, name: str, **extra) -> list:
    return referenced_all(model.objects.filter(**extra), values, name, lookup=field)


@contextmanager
def _article_errors():
    """The service's `authors` named as the input field `co_authors` (its 422 answer)."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict") and "authors" in error.error_dict:
            error.error_dict["co_authors"] = error.error_dict.pop("authors")
        raise


def _relations(payload, by, *, article: Article | None = None) -> dict:
    data = {
        "focus_areas": _lookup(FocusArea, "slug", payload.focus_areas, "focus_areas"),
        "principles": _lookup(Principle, "number", payload.principles, "principles"),
        "sdgs": _lookup(SustainableDevelopmentGoal, "number", payload.sdgs, "sdgs"),
        "organisations": _lookup(Organisation, "slug", payload.organisations, "organisations"),
    }
    if payload.co_authors is not None:
        people = _lookup(User, "email", payload.co_authors, "co_authors", is_active=True)
        keep = article is None or article.authors.filter(pk=by.pk).exists()
        data["authors"] = [*([by] if keep else []), *(p for p in people if p.pk != by.pk)]
    return {k: v for k, v in data.items() if v is not None}


@router.post("/articles", auth=write_auth, response={201: ArticleDetailOut, **CHANGE_ERRORS},
             summary="Write an article")
def article_create(request, payload: ArticleIn):
    """Members write their group's articles; people of partner organisations and the
    coordination office articles of the whole alliance. The caller is an author."""
    group = None
    if payload.group:
        group = referenced_one(WorkingGroup.objects.all(), payload.group, "group",
                               message=gettext("No working group has this slug."))
    data = payload.dict(include={"title", "summary", "body", "kind", "language", "visibility"})
    data = {k: str(v) if isinstance(v, StrEnum) else v for k, v in data.items()}
    data.update(_relations(payload, request.auth))
    with _article_errors():
        article = services.article_create(by=request.auth, group=group, data=data,
                                          publish=payload.publish)
    return Status(201, _article_out(article))


@router.patch("/articles/{slug}", auth=write_auth,
              response={200: ArticleDetailOut, **CHANGE_ERRORS}, summary="Change an article")
def article_update(request, slug: str, payload: ArticlePatchIn):
    """Authors, the group's leads and the coordination office."""
    article = _article(request, slug)
    if not permissions.can_edit_article(request.auth, article):
        raise HttpError(403, with_office(gettext(
            "Only the authors, the group's leads and the %(office)s change an "
            "article.")))
    data = payload.dict(include={"title", "summary", "body", "kind", "language", "visibility"},
                        exclude_unset=True)
    refuse_nulls(data)
    data = {k: str(v) if isinstance(v, StrEnum) else v for k, v in data.items()}
    data.update(_relations(payload, request.auth, article=article))
    # One transaction: a refused state change (403, 409) leaves the fields unchanged too.
    with _article_errors(), transaction.atomic():
        if data:
            services.article_update(article=article, by=request.auth, data=data)
        if payload.state == ArticleState.PUBLISHED and not article.is_published:
            services.article_publish(article=article, by=request.auth)
        elif payload.state == ArticleState.DRAFT and article.is_published:
            services.article_unpublish(article=article, by=request.auth)
    return _article_out(article)


# ---------------------------------------------------------------------------------------------
# Documents


class DocumentVersionOut(Schema):
    number: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None = Field(None, description="Name; only for callers who are logged "
                                                      "in.")
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj, context):
        return shown_name(obj.uploaded_by, api_user(context["request"]))

    @staticmethod
    def resolve_download_url(obj):
        return absolute_url(obj.get_download_url())


class DocumentDetailOut(DocumentSummaryOut):
    versions: list[DocumentVersionOut] = Field(..., description="Newest first.")

    @staticmethod
    def resolve_versions(obj: Document):
        return obj.versions.select_related("uploaded_by").order_by("-number")


class DocumentFilters(InputSchema):
    group: str | None = Field(None, max_length=220, description="Slug of a working group.")
    event: str | None = Field(None, max_length=220, description="Slug of an event.")
    article: str | None = Field(None, max_length=220, description="Slug of an article.")


def _visible_documents(request):
    return (Document.objects.visible_to(api_user(request))
            .select_related("group", "event", "article").with_latest_version())


@router.get("/documents", response=list[DocumentSummaryOut], summary="Documents")
@paginate(Pagination)
def document_list(request, filters: Query[DocumentFilters]):
    """Documents the caller may see, most recently changed first."""
    documents = _visible_documents(request)
    for name in ("group", "event", "article"):
        value = getattr(filters, name)
        if value:
            documents = documents.filter(**{f"{name}__slug": value})
    return documents.order_by("-updated_at", "-pk")


def _document(request, document_id: int) -> Document:
    return get_object_or_404(_visible_documents(request), pk=document_id)


@router.get("/documents/{document_id}", response={200: DocumentDetailOut, **READ_ERRORS},
            summary="One document")
def document_detail(request, document_id: int):
    """With every version (newest first) and each version's download URL."""
    return _document(request, document_id)


class DocumentIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    visibility: DocumentVisibility = DocumentVisibility.PUBLIC
    group: str | None = Field(None, max_length=220, description="Slug of a working group.")
    event: str | None = Field(None, max_length=220, description="Slug of an event.")
    article: str | None = Field(None, max_length=220, description="Slug of an article.")


def _parent(request, payload: DocumentIn) -> dict:
    """Exactly one parent; one the caller cannot see is unknown (422), as if it did not exist."""
    given = {name: getattr(payload, name) for name in ("group", "event", "article")
             if getattr(payload, name)}
    if len(given) != 1:
        raise DjangoValidationError(
            {"group": gettext("Give exactly one of group, event or article.")}, code="one_parent")
    (name, slug), = given.items()
    user = request.auth
    if name == "group":
        found = WorkingGroup.objects.filter(slug=slug).first()
    elif name == "event":
        found = Event.objects.visible_to(user).select_related("group").filter(
            slug=slug).first()
    else:
        found = Article.objects.visible_to(user).select_related("group").filter(
            slug=slug).first()
    if found is None:
        raise DjangoValidationError({name: str(NOT_FOUND)}, code="unknown")
    return {name: found}


@router.post("/documents", auth=write_auth, response={201: DocumentDetailOut, **CHANGE_ERRORS},
             summary="Upload a document")
def document_create(request, payload: Form[DocumentIn], file: File[UploadedFile]):
    """multipart/form-data with the fields and `file`. Type and size are checked by the content
    (PDF, PNG, JPEG, WebP, ODF, OOXML without macros, CSV, plain text; DOCUMENT_MAX_BYTES)."""
    parent = _parent(request, payload)
    data = {"title": payload.title, "description": payload.description,
            "visibility": str(payload.visibility)}
    document = services.document_create(by=request.auth, data=data, upload=file, **parent)
    return Status(201, _document(request, document.pk))


@router.post("/documents/{document_id}/versions", auth=write_auth,
             response={201: DocumentDetailOut, **CHANGE_ERRORS}, summary="Upload a new version")
def version_create(request, document_id: int, file: File[UploadedFile]):
    """Earlier versions stay and can still be downloaded."""
    document = _document(request, document_id)
    services.version_add(document=document, by=request.auth, upload=file)
    return Status(201, _document(request, document.pk))
