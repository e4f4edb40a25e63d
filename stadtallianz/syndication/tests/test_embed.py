"""The widgets for other sites' iframes: framing allowed only on their routes, no cookies and no
personalisation, only public content, and the list of widgets with their snippets."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import PUBLIC_VALUE, RESTRICTED_VALUE, SHOWN_COUNT, WITHHELD_COUNT


def widget_paths(content, lab=None):
    paths = [f"/de/embed/partners/{content['partner'].slug}/badge/",
             f"/de/embed/projects/{content['project'].slug}/", "/de/embed/map/",
             "/de/embed/figures/"]
    if lab is not None:
        paths.append(f"/de/embed/living-labs/{lab.slug}/")
    return paths


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1).strip()


@pytest.fixture
def logged_in(client_for, partner_admin):
    """A logged-in partner admin whose browser holds session and CSRF cookies: a widget shows
    nothing of the person, sets no cookie and does not vary on it."""
    client = client_for(partner_admin)
    client.get("/de/")  # the session and CSRF cookies exist
    assert client.cookies.get("sessionid") and client.cookies.get("csrftoken")
    return client


@pytest.mark.parametrize("who", ["anonymous", "logged_in"])
def test_widgets_may_be_framed_and_set_no_cookie(client, logged_in, content, lab, streams, who,
                                                  settings):
    settings.MAP_TILE_URL = ""
    browser = client if who == "anonymous" else logged_in
    for path in widget_paths(content, lab):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert frame_ancestors(response) == "*"
        assert "X-Frame-Options" not in response
        assert not response.cookies, (path, response.cookies)
        assert "Set-Cookie" not in response
        assert "cookie" not in response.get("Vary", "").lower(), path
        assert response["Cache-Control"] == "public, max-age=300"
        body = response.content.decode()
        assert "csrfmiddlewaretoken" not in body
        assert "Anna Admin" not in body and "admin@example.org" not in body
        # No script, nothing from another origin (map tiles are off in these tests).
        assert "<script" not in body
        assert not re.search(r'(src|href)="https?://(?!testserver|127\.0\.0\.1)', body), path


def test_frame_ancestors_follow_the_setting(client, content, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://www.stadtwerke.example", "'self'"]
    response = client.get("/de/embed/map/")
    assert frame_ancestors(response) == "https://www.stadtwerke.example 'self'"


@pytest.mark.parametrize("path", ["/de/", "/de/embed/", "/de/feeds/", "/de/projects/"])
def test_every_other_page_refuses_to_be_framed(client, content, path):
    response = client.get(path)
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_badge_names_the_alliance_and_the_signature_date(client, content, settings):
    settings.SITE_NAME = "Allianz Smart City Münster"
    partner = content["partner"]
    body = client.get(f"/de/embed/partners/{partner.slug}/badge/").content.decode()
    assert "Partner der Allianz Smart City Münster" in body
    assert "Stadtwerke Öffentlich" in body
    assert f"{partner.partner_since.year}" in body
    assert '<html lang="de">' in body
    english = client.get(f"/en/embed/partners/{partner.slug}/badge/").content.decode()
    assert "Partner of the Allianz Smart City Münster" in english


@pytest.mark.parametrize("which", ["pending", "draft"])
def test_no_badge_for_organisations_that_are_not_public_partners(client, content, which):
    organisation = content[which]
    assert client.get(f"/de/embed/partners/{organisation.slug}/badge/").status_code == 404


def test_no_badge_after_withdrawal(client, content):
    from stadtallianz.partners.models import Organisation

    content["partner"].status = Organisation.Status.WITHDRAWN
    content["partner"].save()
    assert client.get(f"/de/embed/partners/{content['partner'].slug}/badge/").status_code == 404


def test_project_card_shows_public_consortium_only(client, content):
    body = client.get("/de/embed/projects/smarte-laternen/").content.decode()
    assert "Smarte Laternen" in body and "Licht nach Bedarf." in body
    assert "Stadtwerke Öffentlich" in body
    assert "Geheim GmbH" not in body
    assert 'target="_blank"' in body
    assert client.get("/de/embed/projects/gibt-es-nicht/").status_code == 404


def test_map_lists_every_project_with_a_place(client, content, settings):
    settings.MAP_TILE_URL = ""
    body = client.get("/de/embed/map/").content.decode()
    assert body.count('class="map-point"') == 1
    assert "/de/projects/smarte-laternen/" in body
    assert "<image" not in body


def test_map_draws_tiles_when_configured(client, content, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    body = client.get("/de/embed/map/").content.decode()
    assert re.search(r'<image href="https://tiles\.example\.org/\d+/\d+/\d+\.png"', body)
    assert "OpenStreetMap" in body  # the attribution


def test_lab_widget_shows_public_and_aggregated_values_only(client, lab, streams):
    body = client.get(f"/de/embed/living-labs/{lab.slug}/").content.decode()
    assert "21,5" in body  # PUBLIC_VALUE, German decimal comma
    assert str(PUBLIC_VALUE).replace(".", ",") in body
    assert str(RESTRICTED_VALUE).replace(".", ",") not in body
    assert "Geheimsensor" not in body
    assert f"<strong>{SHOWN_COUNT}" in body  # the newest closed window of at least k
    assert f"<strong>{WITHHELD_COUNT}" not in body


def test_lab_widget_is_the_same_for_an_insider(client_for, partner_admin, lab, streams):
    """The operator's admin may read the restricted stream on the lab page; the widget, made
    for the public, still shows it to nobody."""
    body = client_for(partner_admin).get(f"/de/embed/living-labs/{lab.slug}/").content.decode()
    assert "Geheimsensor" not in body


def test_lab_widget_reads_in_constant_queries(client, lab, streams, make_datastream,
                                               django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as few:
        client.get(f"/de/embed/living-labs/{lab.slug}/")
    for number in range(3):
        make_datastream(lab, name=f"Pegel {number}", privacy_level=PrivacyLevel.PUBLIC)
    with django_assert_max_num_queries(len(few)):
        client.get(f"/de/embed/living-labs/{lab.slug}/")


def test_map_reads_in_constant_queries(client, content, django_assert_max_num_queries):
    from stadtallianz.projects.models import Project, ProjectPlace

    with django_assert_max_num_queries(100) as few:
        client.get("/de/embed/map/")
    for number in range(10):
        project = Project.objects.create(title_de=f"Projekt {number}", slug=f"p-{number}")
        ProjectPlace.objects.create(project=project, name="Ort", geometry={
            "type": "Point", "coordinates": [7.6 + number / 100, 51.95]})
    with django_assert_max_num_queries(len(few)):
        body = client.get("/de/embed/map/").content.decode()
    assert body.count('class="map-point"') == 11


def test_widget_list_shows_each_widget_with_its_snippet(client, content, lab):
    body = client.get("/de/embed/").content.decode()
    badge = re.search(r'src="(/de/embed/partners/[^/]+/badge/)"', body).group(1)
    for path in [badge, *widget_paths(content, lab)[1:]]:
        assert f'src="{path}"' in body  # the preview
        assert f"http://127.0.0.1:8000{path}" in body  # the snippet, on the public address
    assert "&lt;iframe" in body and 'loading=&quot;lazy&quot;' in body
    assert 'title=&quot;' in body


def test_feed_list_links_every_feed(client, db):
    body = client.get("/en/feeds/").content.decode()
    for kind in ("news", "partners", "projects", "ideas", "events", "funding-calls", "datasets"):
        assert f'href="/en/feeds/{kind}.rss"' in body
        assert f'href="/en/feeds/{kind}.atom"' in body


def test_snippet_sections_on_project_partner_and_lab_pages(rf, content, lab):
    from stadtallianz.core import sections

    request = rf.get("/de/")
    request.user = AnonymousUser()
    project = str(sections.render("projects.project", request, content["project"]))
    assert "/de/embed/projects/smarte-laternen/" in project
    assert "/de/embed/living-labs/aasee/" in str(sections.render("livinglabs.lab", request, lab))
    badge = str(sections.render("partners.organisation", request, content["partner"]))
    assert f"/de/embed/partners/{content['partner'].slug}/badge/" in badge
    assert str(sections.render("partners.organisation", request, content["pending"])) == ""


def test_project_page_shows_the_snippet(client, content):
    """The project page renders the registered sections: its snippet is there."""
    body = client.get("/de/projects/smarte-laternen/").content.decode()
    assert "/de/embed/projects/smarte-laternen/" in body


def test_figures_widget_shows_public_key_figures(client, content, settings):
    """The partners' figure counts public partners only (impact.figures' rule) and links to
    the directory; the widget links the whole dashboard."""
    from stadtallianz.impact.figures import key_figures

    partners = next(figure for figure in key_figures() if figure.key == "partners")
    body = client.get("/de/embed/figures/").content.decode()
    assert f'<strong class="figure-value">{partners.value}</strong>' in body
    assert 'href="/de/partners/"' in body and 'href="/de/impact/"' in body
    assert "Kennzahlen" in body or "in Zahlen" in body
