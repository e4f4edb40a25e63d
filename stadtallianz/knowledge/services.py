"""Changes to articles and documents. Each is one transaction with an audit entry
(`knowledge.*`); each checks the permission itself, so pages and API cannot differ.

Files are written before their row and removed again if the transaction fails, so a failed
upload leaves neither a row nor a file; a deleted version's file goes once the deletion has
committed (apps.py, also when a group, event or article takes its documents with it).
"""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.office import with_office
from stadtallianz.core.slugs import unique_slug as core_unique_slug
from stadtallianz.partners.models import Membership

from . import filetypes, permissions
from .models import Article, Document, DocumentVersion
from .storage import private_storage

ARTICLE_FIELDS = ["title", "summary", "body", "kind", "language", "visibility"]
ARTICLE_RELATIONS = ["authors", "organisations", "focus_areas", "principles", "sdgs"]
DOCUMENT_FIELDS = ["title", "description", "visibility"]
# Path segments under knowledge/ that are routes of their own, never an article's slug.
RESERVED_SLUGS = frozenset({"new", "documents"})


def _deny(message) -> None:
    raise PermissionDenied(message)


def _split(data: dict, fields: list[str], relations: list[str]) -> tuple[dict, dict]:
    unknown = set(data) - set(fields) - set(relations)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} are not fields")
    return ({k: v for k, v in data.items() if k in fields},
            {k: list(v) for k, v in data.items() if k in relations and v is not None})


def _relation_snapshot(article: Article) -> dict:
    return {name: sorted(getattr(article, name).values_list("pk", flat=True))
            for name in ARTICLE_RELATIONS}


def _check_relations(article: Article, relations: dict, *, by) -> None:
    """Every author may write there; only the authors' own organisations are credited."""
    authors = relations.get("authors")
    if authors is None:
        authors = list(article.authors.all()) if article.pk else [by]
    if not authors:
        raise ValidationError({"authors": _("An article needs at least one author.")},
                              code="authors_required")
    existing = set(article.authors.values_list("pk", flat=True)) if article.pk else set()
    for author in authors:
        if author.pk not in existing | {by.pk} and not permissions.can_write_in(author,
                                                                                 article.group):
            raise ValidationError(
                {"authors": _("%(name)s cannot write articles here.")},
                code="author_not_allowed", params={"name": author.full_name or author.email})
    organisations = relations.get("organisations")
    if organisations:
        own = set(Membership.objects.filter(user__in=authors)
                  .values_list("organisation_id", flat=True))
        if any(organisation.pk not in own for organisation in organisations):
            raise ValidationError(
                {"organisations": _("Only organisations the authors belong to can be "
                                    "credited.")}, code="organisation_not_of_authors")
    relations.setdefault("authors", authors)


def _locked(article: Article) -> Article:
    # Only the article's row: PostgreSQL cannot lock the nullable side of the group's join.
    return (Article.objects.select_for_update(of=("self",)).select_related("group")
            .get(pk=article.pk))


def _slug(title: str) -> str:
    return core_unique_slug(Article.objects.all(), title, fallback="article",
                            reserved=RESERVED_SLUGS)


@transaction.atomic
def article_create(*, by, group=None, data: dict, publish: bool = False) -> Article:
    """Members write their group's articles; partners' people and the coordination office
    alliance-wide ones. The author is `by` unless `data["authors"]` names others too."""
    if not permissions.can_write_in(by, group):
        _deny(_("Only the group's members write its articles; articles of the whole alliance "
                "are written by people of partner organisations."))
    fields, relations = _split(data, ARTICLE_FIELDS, ARTICLE_RELATIONS)
    article = Article(group=group, **fields)
    article.slug = _slug(article.title)
    if publish:
        article.state, article.published_at = Article.State.PUBLISHED, timezone.now()
    article.full_clean(exclude=["slug"])
    _check_relations(article, relations, by=by)
    for attempt in range(3):
        try:
            with transaction.atomic():
                article.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
            article.slug = _slug(article.title)
    for name, values in relations.items():
        getattr(article, name).set(values)
    audit_log(actor=by, action="knowledge.article.created", target=article,
              after={**snapshot(article, ["slug", "group", "state", *ARTICLE_FIELDS]),
                     **_relation_snapshot(article)})
    if publish:
        audit_log(actor=by, action="knowledge.article.published", target=article,
                  after={"state": article.state})
    return article


@transaction.atomic
def article_update(*, article: Article, by, data: dict) -> Article:
    article = _locked(article)
    if not permissions.can_edit_article(by, article):
        _deny(with_office(_("Only the authors, the group's leads and the %(office)s edit an "
                            "article.")))
    fields, relations = _split(data, ARTICLE_FIELDS, ARTICLE_RELATIONS)
    before = {**snapshot(article, ARTICLE_FIELDS), **_relation_snapshot(article)}
    for name, value in fields.items():
        setattr(article, name, value)
    article.full_clean(exclude=["slug"])
    _check_relations(article, relations, by=by)
    article.save()
    for name, values in relations.items():
        getattr(article, name).set(values)
    after = {**snapshot(article, ARTICLE_FIELDS), **_relation_snapshot(article)}
    changed = [key for key in after if before[key] != after[key]]
    if changed:
        audit_log(actor=by, action="knowledge.article.changed", target=article,
                  before={key: before[key] for key in changed},
                  after={key: after[key] for key in changed})
    return article


@transaction.atomic
def article_publish(*, article: Article, by) -> Article:
    article = _locked(article)
    if not permissions.can_edit_article(by, article):
        _deny(with_office(_("Only the authors, the group's leads and the %(office)s publish an "
                            "article.")))
    if article.is_published:
        raise Conflict(_("The article is already published."), code="published")
    article.state = Article.State.PUBLISHED
    article.published_at = article.published_at or timezone.now()
    article.save(update_fields=["state", "published_at", "updated_at"])
    audit_log(actor=by, action="knowledge.article.published", target=article,
              before={"state": Article.State.DRAFT}, after={"state": article.state})
    return article


@transaction.atomic
def article_unpublish(*, article: Article, by) -> Article:
    article = _locked(article)
    if not permissions.can_moderate_article(by, article):
        _deny(with_office(_("Only the group's leads and the %(office)s unpublish an article.")))
    if not article.is_published:
        raise Conflict(_("The article is not published."), code="draft")
    article.state = Article.State.DRAFT
    article.save(update_fields=["state", "updated_at"])
    audit_log(actor=by, action="knowledge.article.unpublished", target=article,
              before={"state": Article.State.PUBLISHED}, after={"state": article.state})
    return article


@transaction.atomic
def article_delete(*, article: Article, by) -> None:
    article = _locked(article)
    if not permissions.can_moderate_article(by, article):
        _deny(with_office(_("Only the group's leads and the %(office)s delete an article.")))
    audit_log(actor=by, action="knowledge.article.deleted", target=article,
              before=snapshot(article, ["slug", "group", "state", "title"]))
    # The documents go with it; their files after the commit (apps.py).
    article.delete()


# ---------------------------------------------------------------------------------------------
# Documents


def _store(document: Document, upload, *, by, number: int, written: list[str]) -> DocumentVersion:
    """Checks the upload by its content, writes the file (noting its name in `written`, for
    removal if the transaction fails) and saves the version's row."""
    try:
        content_type = filetypes.check_upload(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from error
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    version = DocumentVersion(document=document, number=number, original_name=upload.name[:255],
                              content_type=content_type, size=upload.size,
                              sha256=digest.hexdigest(), uploaded_by=by)
    version.file.save(upload.name, upload, save=False)
    written.append(version.file.name)
    version.full_clean(exclude=["file"])
    version.save()
    return version


class _RemoveOnRollback:
    """Deletes files written inside a block when the block raises."""

    def __init__(self):
        self.names: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for name in self.names:
                private_storage().delete(name)
        return False


def document_create(*, by, data: dict, upload, group=None, event=None,
                    article=None) -> Document:
    """A document with its first version, attached to exactly one group, event or article."""
    if not permissions.can_upload_to(by, group=group, event=event, article=article):
        _deny(_("You may not add documents here."))
    fields, _relations = _split(data, DOCUMENT_FIELDS, [])
    with _RemoveOnRollback() as written, transaction.atomic():
        document = Document(group=group, event=event, article=article, created_by=by, **fields)
        document.full_clean()
        document.save()
        version = _store(document, upload, by=by, number=1, written=written.names)
        audit_log(actor=by, action="knowledge.document.created", target=document,
                  after={**snapshot(document, ["group", "event", "article", *DOCUMENT_FIELDS]),
                         "version": 1, "file": version.original_name,
                         "sha256": version.sha256})
    return document


def private_document_create(*, by, data: dict, upload) -> Document:
    """A private document (no parent) with its first version, for a higher app that has
    checked its own permission and shares the document through `knowledge.access` (in the same
    transaction, so that it is never left readable by nobody). Anyone logged in may store one:
    without a registration only they and the office read it."""
    if not by.is_authenticated:
        _deny(_("You may not add documents here."))
    fields, _relations = _split(data, ["title", "description"], [])
    with _RemoveOnRollback() as written, transaction.atomic():
        document = Document(created_by=by, visibility=Document.Visibility.PRIVATE, **fields)
        document.full_clean()
        document.save()
        version = _store(document, upload, by=by, number=1, written=written.names)
        audit_log(actor=by, action="knowledge.document.created", target=document,
                  after={**snapshot(document, DOCUMENT_FIELDS), "version": 1,
                         "file": version.original_name, "sha256": version.sha256})
    return document


def version_add(*, document: Document, by, upload) -> DocumentVersion:
    """A new version; earlier ones stay and can still be downloaded."""
    with _RemoveOnRollback() as written, transaction.atomic():
        document = (Document.objects.select_for_update(of=("self",))
                    .select_related("group", "event", "event__group", "article",
                                    "article__group").get(pk=document.pk))
        if not permissions.can_add_version(by, document):
            _deny(_("You may not add versions to this document."))
        last = document.versions.aggregate(m=Max("number"))["m"] or 0
        version = _store(document, upload, by=by, number=last + 1, written=written.names)
        document.save(update_fields=["updated_at"])
        audit_log(actor=by, action="knowledge.document.version_added", target=document,
                  after={"version": version.number, "file": version.original_name,
                         "sha256": version.sha256})
    return version


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    document = (Document.objects.select_for_update(of=("self",))
                .select_related("group", "event", "event__group", "article", "article__group")
                .get(pk=document.pk))
    if not permissions.can_delete_document(by, document):
        _deny(with_office(_("Only the uploader, the group's leads and the %(office)s delete a "
                            "document.")))
    audit_log(actor=by, action="knowledge.document.deleted", target=document,
              before={**snapshot(document, ["group", "event", "article", *DOCUMENT_FIELDS]),
                      "versions": document.versions.count()})
    # Its files go after the commit (apps.py).
    document.delete()


def count_download(document: Document) -> None:
    """One more download, counted in the database so that parallel downloads all count."""
    Document.objects.filter(pk=document.pk).update(download_count=F("download_count") + 1)
