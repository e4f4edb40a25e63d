"""oEmbed (https://oembed.com/): a content management system given the address of a project or a
living lab asks /oembed?url=… and embeds the answer's iframe (the project card or the lab's
current values). Any other address, or one of another site, is 404; a format other than json or
xml is 501, as the specification says.
"""

from urllib.parse import urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.views.decorators.http import require_GET

from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.projects.models import Project

from .embedding import WIDGETS, iframe, lab_title, project_title

CACHE_AGE = 3600
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _own_hosts(request) -> set[str]:
    return {urlsplit(settings.SITE_URL).netloc, request.get_host()}


def _target(request, url: str):
    """(widget key, slug, title) of the page at `url`, in that page's language; Http404 when it
    is no page of ours that has a widget."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1", "http://[x]/": brackets that hold no IPv6 address
        raise Http404 from None
    if parts.scheme not in ("http", "https") or parts.netloc not in _own_hosts(request):
        raise Http404
    language = parts.path.strip("/").split("/", 1)[0]
    if language not in LANGUAGES:
        raise Http404
    try:
        # The language prefix resolves only in its own language (i18n_patterns).
        with translation.override(language):
            match = resolve(parts.path)
    except Resolver404:
        raise Http404 from None
    slug = match.kwargs.get("slug")
    if match.view_name == "projects:detail":
        project = Project.objects.filter(slug=slug).only("slug", "title_de", "title_en").first()
        if project is None:
            raise Http404
        return language, "project", slug, project
    if match.view_name == "livinglabs:detail":
        lab = LivingLab.objects.filter(slug=slug).only("slug", "name_de", "name_en").first()
        if lab is None:
            raise Http404
        return language, "lab", slug, lab
    raise Http404


def _size(request, name: str, default: int) -> int:
    try:
        limit = int(request.GET.get(f"max{name}", ""))
    except ValueError:
        return default
    return max(1, min(default, limit))


@require_GET
def oembed(request):
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "xml"):
        return HttpResponse(status=501)
    language, key, slug, obj = _target(request, request.GET.get("url", ""))
    widget = WIDGETS[key]
    width, height = _size(request, "width", widget.width), _size(request, "height", widget.height)
    with translation.override(language):
        title = project_title(obj) if key == "project" else lab_title(obj)
        html = iframe(key, title, width=width, height=height, slug=slug)
    data = {
        "version": "1.0", "type": "rich", "title": title, "html": str(html),
        "width": width, "height": height,
        "provider_name": settings.SITE_NAME, "provider_url": settings.SITE_URL,
        "cache_age": CACHE_AGE,
    }
    if fmt == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    else:
        root = ElementTree.Element("oembed")
        for name, value in data.items():
            ElementTree.SubElement(root, name).text = str(value)
        body = ElementTree.tostring(root, encoding="unicode")
        response = HttpResponse('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
                                + body, content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={CACHE_AGE}"
    return response
