"""Pages of the knowledge exchange: articles and documents. Anything a person may not see is a
404, exactly like something that does not exist; what they see but may not do is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.text import attachment_header
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions, services
from .forms import ArticleFilterForm, ArticleForm, DocumentForm, VersionForm
from .models import Article, Document
from .queries import filter_articles

PAGE_SIZE = 20


def _articles(user):
    return Article.objects.visible_to(user).select_related("group")


def _article(request, slug) -> Article:
    return get_object_or_404(_articles(request.user), slug=slug)


def article_list(request):
    groups = list(WorkingGroup.objects.only("slug", "name_de", "name_en"))
    form = ArticleFilterForm(request.GET or None, groups=groups)
    articles = _articles(request.user).prefetch_related("focus_areas").listed()
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        articles = filter_articles(articles, **filters)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "knowledge/list.html", {
        "form": form, "page": page, "filtered": bool(filters), "query": query.urlencode(),
        "can_create": permissions.can_write_in(request.user, None),
    })


def documents_of(user, **parent):
    """Visible documents of one parent (group=, event= or article=), newest first."""
    return (Document.objects.visible_to(user).filter(**parent).with_latest_version()
            .order_by("-updated_at", "-pk"))


def article_detail(request, slug):
    article = get_object_or_404(
        _articles(request.user).prefetch_related("authors__memberships", "organisations",
                                                  "focus_areas", "principles", "sdgs"),
        slug=slug)
    credited = {organisation.pk: organisation for organisation in article.organisations.all()}
    # Each author with the credited organisations they belong to.
    authors = [(author, [credited[m.organisation_id] for m in author.memberships.all()
                         if m.organisation_id in credited])
               for author in article.authors.all()]
    return render(request, "knowledge/article.html", {
        "article": article, "authors": authors,
        "body_html": render_markdown(article.body, top_level=2),
        "can_edit": permissions.can_edit_article(request.user, article),
        "can_moderate": permissions.can_moderate_article(request.user, article),
    })


def _article_errors(form, error: ValidationError) -> None:
    """The service speaks of `authors`; the form's field for them is `co_authors`."""
    if hasattr(error, "error_dict") and "authors" in error.error_dict:
        error.error_dict["co_authors"] = error.error_dict.pop("authors")
    add_service_errors(form, error)


def _group_for_new(request):
    slug = request.GET.get("group") or request.POST.get("group") or ""
    if not slug:
        return None
    if not slug_re.match(slug):
        # Not a slug (a NUL character, say, which PostgreSQL cannot even compare): no group.
        raise Http404
    return get_object_or_404(WorkingGroup, slug=slug)


@login_required
def article_create(request):
    group = _group_for_new(request)
    if not permissions.can_write_in(request.user, group):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, user=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(by=request.user, group=group,
                                              data=form.article_data(),
                                              publish="publish" in request.POST)
        except ValidationError as error:
            _article_errors(form, error)
        else:
            messages.success(request, _("The article has been published.")
                             if article.is_published else _("The draft has been saved."))
            return redirect(article)
    return render(request, "knowledge/article_form.html",
                  {"form": form, "group": group, "article": None},
                  status=400 if form.errors else 200)


@login_required
def article_edit(request, slug):
    article = _article(request, slug)
    if not permissions.can_edit_article(request.user, article):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, user=request.user, group=article.group,
                       instance=Article.objects.get(pk=article.pk))
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction, as in the API: a refused publication leaves the fields unsaved.
            with transaction.atomic():
                services.article_update(article=article, by=request.user,
                                        data=form.article_data())
                if "publish" in request.POST and not article.is_published:
                    services.article_publish(article=article, by=request.user)
        except ValidationError as error:
            _article_errors(form, error)
        else:
            messages.success(request, _("The article has been saved."))
            return redirect(article)
    return render(request, "knowledge/article_form.html",
                  {"form": form, "group": article.group, "article": article},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def article_state(request, slug):
    article = _article(request, slug)
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.article_publish(article=article, by=request.user)
            messages.success(request, _("The article has been published."))
        elif action == "unpublish":
            services.article_unpublish(article=article, by=request.user)
            messages.success(request, _("The article is a draft again."))
        else:
            return render(request, "400.html", status=400)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(article)


@login_required
def article_delete(request, slug):
    article = _article(request, slug)
    if not permissions.can_moderate_article(request.user, article):
        raise PermissionDenied
    if request.method == "POST":
        group = article.group
        services.article_delete(article=article, by=request.user)
        messages.success(request, _("The article has been deleted."))
        return redirect(group or "knowledge:list")
    return render(request, "knowledge/confirm_delete.html",
                  {"object": article, "cancel_url": article.get_absolute_url()})


# ---------------------------------------------------------------------------------------------
# Documents


def _document(request, pk) -> Document:
    return get_object_or_404(
        Document.objects.visible_to(request.user).select_related(
            "group", "event", "event__group", "article", "article__group"), pk=pk)


def _parent_for_new(request) -> dict:
    """The one parent named in the query (or form): ?group=, ?event= (slugs) or ?article=."""
    given = {name: request.POST.get(name) or request.GET.get(name)
             for name in ("group", "event", "article")}
    given = {name: value for name, value in given.items() if value}
    if len(given) != 1:
        raise Http404
    (name, value), = given.items()
    if not slug_re.match(value):
        raise Http404
    user = request.user
    if name == "group":
        return {"group": get_object_or_404(WorkingGroup, slug=value)}
    if name == "event":
        return {"event": get_object_or_404(
            Event.objects.visible_to(user).select_related("group"), slug=value)}
    return {"article": get_object_or_404(_articles(user), slug=value)}


@login_required
def document_create(request):
    parent = _parent_for_new(request)
    if not permissions.can_upload_to(request.user, **parent):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None,
                        parent=parent)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.DOCUMENT_FIELDS}
        try:
            document = services.document_create(by=request.user, data=data,
                                                upload=form.cleaned_data["file"], **parent)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been uploaded."))
            return redirect(document)
    name, parent_object = next(iter(parent.items()))
    return render(request, "knowledge/document_form.html", {
        "form": form, "parent": parent_object, "parent_field": name,
    }, status=400 if form.errors else 200)


def document_detail(request, pk):
    document = _document(request, pk)
    versions = list(document.versions.select_related("uploaded_by"))
    can_add = permissions.can_add_version(request.user, document)
    return render(request, "knowledge/document.html", {
        "document": document, "versions": versions,
        "latest": versions[0] if versions else None,
        "version_form": VersionForm() if can_add else None,
        "can_delete": permissions.can_delete_document(request.user, document),
    })


@login_required
def version_create(request, pk):
    document = _document(request, pk)
    if not permissions.can_add_version(request.user, document):
        raise PermissionDenied
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_add(document=document, by=request.user,
                                           upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Version %(number)s has been uploaded.")
                             % {"number": version.number})
            return redirect(document)
    return render(request, "knowledge/version_form.html", {"form": form, "document": document},
                  status=400 if form.errors else 200)


def download(request, pk, number=None):
    """The file, after the same check as the document's page, as an attachment that browsers
    never display inline or second-guess (nosniff)."""
    document = _document(request, pk)
    versions = document.versions.all()
    version = (versions.filter(number=number) if number is not None else versions).first()
    if version is None:
        raise Http404
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    services.count_download(document)
    response = FileResponse(handle, content_type=version.content_type)
    # The uploaded name, on one line and quoted: a line break in it cannot break the header.
    response["Content-Disposition"] = attachment_header(version.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def document_delete(request, pk):
    document = _document(request, pk)
    if not permissions.can_delete_document(request.user, document):
        raise PermissionDenied
    parent = document.parent
    if request.method == "POST":
        services.document_delete(document=document, by=request.user)
        messages.success(request, _("The document has been deleted."))
        # A private document has no parent: back to the knowledge exchange.
        return redirect(parent or "knowledge:list")
    return render(request, "knowledge/confirm_delete.html",
                  {"object": document, "cancel_url": document.get_absolute_url(),
                   "is_document": True})
