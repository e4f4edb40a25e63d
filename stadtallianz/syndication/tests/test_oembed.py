"""oEmbed: project and lab pages embed by their address; anything else is 404, an unsupported
format 501; the size limits of the consumer are kept; the pages announce the endpoint."""

from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import resolve

SITE = "http://127.0.0.1:8000"


def ask(client, url, **params):
    return client.get("/oembed?" + urlencode({"url": url, **params}))


def test_project_page_embeds_its_card(client, content):
    response = ask(client, f"{SITE}/de/projects/smarte-laternen/", format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == "Projekt: Smarte Laternen"
    assert data["width"] == 400 and data["height"] == 300
    assert f'src="{SITE}/de/embed/projects/smarte-laternen/"' in data["html"]
    assert 'title="Projekt: Smarte Laternen"' in data["html"]
    assert data["provider_url"] == SITE and data["provider_name"]
    assert data["cache_age"] == 3600


def test_english_page_embeds_the_english_card(client, content):
    data = ask(client, f"{SITE}/en/projects/smarte-laternen/").json()
    assert data["title"] == "Project: Smart street lights"
    assert "/en/embed/projects/smarte-laternen/" in data["html"]


def test_lab_page_embeds_its_values(client, lab):
    data = ask(client, f"{SITE}/de/living-labs/{lab.slug}/", format="json").json()
    assert data["title"] == "Reallabor Aasee: aktuelle Werte"
    assert f"/de/embed/living-labs/{lab.slug}/" in data["html"]


def test_xml_format(client, content):
    response = ask(client, f"{SITE}/de/projects/smarte-laternen/", format="xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer
    assert root.tag == "oembed"
    assert root.findtext("type") == "rich"
    assert "/de/embed/projects/smarte-laternen/" in root.findtext("html")


def test_maxwidth_and_maxheight_are_honoured(client, content):
    data = ask(client, f"{SITE}/de/projects/smarte-laternen/", maxwidth=320,
               maxheight=200).json()
    assert data["width"] == 320 and data["height"] == 200
    assert 'width="320" height="200"' in data["html"]
    # Larger limits than the widget's size leave it as it is.
    data = ask(client, f"{SITE}/de/projects/smarte-laternen/", maxwidth=2000).json()
    assert data["width"] == 400


def test_unsupported_format_is_501(client, content):
    assert ask(client, f"{SITE}/de/projects/smarte-laternen/", format="yaml").status_code == 501


@pytest.mark.parametrize("url", [
    f"{SITE}/de/projects/gibt-es-nicht/",  # no such project
    f"{SITE}/de/ideas/1/",  # a page without a widget
    f"{SITE}/de/partners/",
    f"{SITE}/de/mein-bereich/",
    "https://elsewhere.example/de/projects/smarte-laternen/",  # another site
    "javascript:alert(1)",
    f"{SITE}/xx/projects/smarte-laternen/",
    "",
])
def test_other_addresses_are_404(client, content, url):
    assert ask(client, url).status_code == 404


@pytest.mark.parametrize("url", [
    # Brackets that hold no IPv6 address: urlsplit refuses them (found by the fuzzing pass,
    # fuzz/open_data_grammar.py, as a 500).
    "http://[::1/de/projects/smarte-laternen/",
    "http://[/de/projects/smarte-laternen/",
    "https://[x]/de/projects/smarte-laternen/",
    "http://]/de/projects/smarte-laternen/",
    "http://a]b/de/projects/smarte-laternen/",
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_addresses_that_are_no_urls_are_404(client, content, url, fmt):
    assert ask(client, url, format=fmt).status_code == 404


def test_the_endpoint_sets_no_cookie(client, content):
    response = ask(client, f"{SITE}/de/projects/smarte-laternen/")
    assert not response.cookies


def head(path: str) -> str:
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.resolver_match = resolve(path)
    template = Template('{% load design %}{% page_sections "base.head" None %}')
    return template.render(Context({"request": request}))


def test_project_and_lab_pages_announce_oembed(content, lab):
    links = head("/de/projects/smarte-laternen/")
    query = urlencode({"url": f"{SITE}/de/projects/smarte-laternen/", "format": "json"})
    assert (f'<link rel="alternate" type="application/json+oembed" '
            f'href="{SITE}/oembed?{query.replace("&", "&amp;")}"') in links
    assert 'type="text/xml+oembed"' in links
    assert "application/json+oembed" in head(f"/de/living-labs/{lab.slug}/")
    assert "oembed" not in head("/de/ideas/")


@pytest.mark.parametrize(("path", "kinds"), [
    ("/de/ideas/", ["ideas"]),
    ("/de/events/", ["events"]),
    ("/de/partners/", ["partners"]),
    ("/de/funding/", ["funding-calls"]),
    ("/de/data/", ["datasets"]),
    ("/de/projects/", ["projects", "news"]),
])
def test_list_pages_announce_their_feeds(db, path, kinds):
    links = head(path)
    for kind in kinds:
        assert ('<link rel="alternate" type="application/rss+xml" '
                'title="') in links
        assert f'href="/de/feeds/{kind}.rss"' in links
        assert f'href="/de/feeds/{kind}.atom"' in links
    assert links.count('type="application/rss+xml"') == len(kinds)


def test_pages_without_feeds_get_nothing(db):
    assert head("/de/mein-bereich/").strip() == ""
