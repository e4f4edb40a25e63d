"""What syndication adds to other apps' pages through core.sections, so that no lower app imports
syndication:

- "base.head" (rendered once in base.html's <head>): the `<link rel="alternate">` of the feeds
  that belong to the page, the oEmbed discovery links of project and lab pages, and the
  snippets' stylesheet where a page shows a snippet. Chosen by the page's URL name, without a
  query.
- "projects.project", "livinglabs.lab", "partners.organisation": the copy-paste snippet of the
  project card, the lab's values, or the partner badge (public confirmed partners only).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from stadtallianz.core.i18n import shown_language

from .embedding import absolute, badge_title, iframe, lab_title, project_title
from .feeds import FEEDS

# The feeds each page offers (by URL name).
PAGE_FEEDS = {
    "portal:home": ("news", "projects", "partners", "events"),
    "projects:list": ("projects", "news"),
    "projects:map": ("projects",),
    "projects:detail": ("news",),
    "partners:directory": ("partners",),
    "ideas:list": ("ideas",),
    "ideas:map": ("ideas",),
    "events:list": ("events",),
    "funding:call_list": ("funding-calls",),
    "funding:calendar": ("funding-calls",),
    "opendata:catalogue": ("datasets",),
    "syndication:feeds": tuple(FEEDS),
}
# Pages that can be embedded by their address (oEmbed).
OEMBED_PAGES = {"projects:detail", "livinglabs:detail"}
# Pages that show a snippet (their stylesheet goes into the head).
SNIPPET_PAGES = {"projects:detail", "livinglabs:detail", "partners:detail"}


def feeds_of(view_name: str) -> list[dict]:
    return [{"title": FEEDS[kind]().title(),
             "rss": reverse("syndication:feed_rss", kwargs={"kind": kind}),
             "atom": reverse("syndication:feed_atom", kwargs={"kind": kind})}
            for kind in PAGE_FEEDS.get(view_name, ())]


def oembed_links(request) -> dict:
    page = absolute(request.path)
    endpoint = absolute(reverse("oembed"))
    return {"title": settings.SITE_NAME,
            "json": f"{endpoint}?{urlencode({'url': page, 'format': 'json'})}",
            "xml": f"{endpoint}?{urlencode({'url': page, 'format': 'xml'})}"}


def head_links(request, obj=None) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    # Chosen by the URL name alone, without a query: an error page at such an address (a
    # project that does not exist) offers links the oEmbed endpoint then answers with 404.
    name = match.view_name
    if name not in PAGE_FEEDS and name not in OEMBED_PAGES and name not in SNIPPET_PAGES:
        return ""
    html = render_to_string("syndication/includes/head_links.html", {
        "feeds": feeds_of(name),
        "oembed": oembed_links(request) if name in OEMBED_PAGES else None,
    })
    if name in SNIPPET_PAGES:
        html += format_html('<link rel="stylesheet" href="{}">\n',
                            static("syndication/syndication.css"))
    return html


def _snippet(key: str, title: str, slug: str, lang: str = "") -> str:
    """`lang`: the language of the object's name in the snippet when it is not the page's (a
    German-only project title on an English page), so that it is read out as German."""
    return render_to_string("syndication/includes/snippet.html", {
        "snippet": iframe(key, title, slug=slug), "snippet_id": f"embed-snippet-{key}",
        "snippet_lang": lang})


def project_snippet(request, project) -> str:
    return _snippet("project", project_title(project), project.slug,
                    shown_language(project, "title"))


def lab_snippet(request, lab) -> str:
    return _snippet("lab", lab_title(lab), lab.slug, shown_language(lab, "name"))


def badge_snippet(request, organisation) -> str:
    if not organisation.is_public or organisation.partner_since is None:
        return ""
    return _snippet("badge", badge_title(organisation), organisation.slug)
