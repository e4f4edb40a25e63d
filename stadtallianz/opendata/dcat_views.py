"""The catalogue as DCAT-AP.de RDF for harvesters (docs/standards.md, "Open data: the DCAT-AP.de
catalogue"): /dcat/catalog with content negotiation, /dcat/catalog.ttl|.rdf|.jsonld, paged as
a hydra:PagedCollection (?page=N, ?per_page=M up to dcat.MAX_PAGE_SIZE), and one dataset's
record at /dcat/datasets/<slug>(.ttl|.rdf|.jsonld). Published datasets only; outside the
language prefix, as both languages are in every answer.

Errors are short plain text for machines (400, 404, 405, and core.ratelimit's 429), never the
site's HTML pages: a harvester logs what it is told. The views are read-only (GET and HEAD), so
there is nothing to forge and no CSRF check: any other method is 405, not the CSRF page's 403."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import dcat
from .models import Dataset
from .versions import catalogue_version

CACHE_SECONDS = 600
MEDIA_TYPES = {media_type: extension for extension, (media_type, _f) in dcat.FORMATS.items()}


def negotiate(request) -> str:
    """The extension for the Accept header: the first of ours with the highest quality;
    Turtle when none of ours is asked for."""
    best, best_quality = "ttl", 0.0
    for part in request.headers.get("Accept", "").split(","):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _sep, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        extension = MEDIA_TYPES.get(media_type.lower())
        if extension and quality > best_quality:
            best, best_quality = extension, quality
    return best


def rdf_response(body: str, extension: str, *, negotiated: bool) -> HttpResponse:
    media_type = dcat.FORMATS[extension][0]
    response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
    if negotiated:
        patch_vary_headers(response, ["Accept"])
    # Open data: any website may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def plain_error(message: str, status: int) -> HttpResponse:
    """An error in plain text (also core.ratelimit's 429 for /dcat/)."""
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_safe
def catalog(request, ext=None):
    raw_page = request.GET.get("page", "1")
    try:
        page = int(raw_page)
    except ValueError:
        return plain_error("page must be a whole number.", 400)
    if page < 1:
        return plain_error("page starts at 1.", 400)
    per_page = dcat.page_size(request.GET.get("per_page"))
    extension = ext or negotiate(request)
    url = dcat.site_url() + request.path
    summary = dcat.catalogue_summary()
    if page > max(1, -(-summary["total"] // per_page)):
        return plain_error("No such page of the catalogue.", 404)
    # A page is made once per version of the catalogue (opendata.versions: any change to a
    # dataset, a distribution or a publisher; and the number of published datasets and the
    # newest change): harvesters walk the same pages, and RDF/XML and JSON-LD take rdflib most
    # of a second for 100 datasets.
    digest = hashlib.sha256(repr((
        url, page, per_page, extension, summary["total"], summary["modified"],
        catalogue_version(),
        settings.SITE_NAME, settings.OPEN_DATA_REGIONAL_KEY, settings.OPEN_DATA_GEOCODING_LEVEL,
        settings.DCAT_CONTRIBUTOR_ID)).encode()).hexdigest()
    # The same digest is the page's entity tag: a harvester that sends it back (If-None-Match)
    # gets 304 for an unchanged page without the page being read or built.
    etag = f'"{digest[:32]}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        if ext is None:
            patch_vary_headers(response, ["Accept"])
        return response
    key = "dcat:page:" + digest
    body = cache.get(key)
    if body is None:
        nodes, _info = dcat.catalogue_page(page=page, per_page=per_page, url=url,
                                           summary=summary)
        body = dcat.serialise(nodes, extension)
        cache.set(key, body, CACHE_SECONDS)
    response = rdf_response(body, extension, negotiated=ext is None)
    response["ETag"] = etag
    return response


@csrf_exempt
@require_safe
def dataset(request, slug, ext=None):
    record = Dataset.objects.published().filter(slug=slug).first()
    if record is None:
        return plain_error("No such dataset in the catalogue.", 404)
    extension = ext or negotiate(request)
    return rdf_response(dcat.serialise(dcat.dataset_record(record), extension), extension,
                        negotiated=ext is None)


@csrf_exempt
def not_found(request):
    """Any other address under /dcat/."""
    return plain_error("Not found. The catalogue is at /dcat/catalog.", 404)
