"""The widgets in a real browser: each loads under 30 KB in all (HTML, CSS, scripts, fonts; map
tiles aside), asks nothing of another origin, sets no cookie, is accessible inside the frame in
both languages, and another site can frame it while it cannot frame any other page."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import axe_violations, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 30 * 1024


@pytest.fixture
def widgets(content, lab, streams):
    from stadtallianz.livinglabs.tests.conftest import add_raw, hour_ago

    add_raw(streams["public"], 19.25, hour_ago(0.5))
    return [f"/embed/partners/{content['partner'].slug}/badge/",
            f"/embed/projects/{content['project'].slug}/", "/embed/map/",
            f"/embed/living-labs/{lab.slug}/", "/embed/figures/"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_widgets_are_small_private_and_accessible(page, live_server, widgets,  # noqa: F811
                                                  language):
    for path in widgets:
        loaded = []

        def record(request, loaded=loaded):
            loaded.append(request)

        page.on("requestfinished", record)
        response = page.goto(f"{live_server.url}/{language}{path}")
        page.wait_for_load_state("networkidle")
        page.remove_listener("requestfinished", record)
        assert response.status == 200, path
        assert [r.url for r in loaded if not r.url.startswith(live_server.url)] == [], path
        total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
                    for r in loaded)
        assert 0 < total < BUDGET, (path, total, [r.url for r in loaded])
        assert page.context.cookies() == [], path
        assert page.locator("html").get_attribute("lang") == language
        assert page.title() and page.locator("h1").count() == 1
        assert axe_violations(page) == [], path
    assert page.csp_violations == []


@pytest.fixture
def partner_site(tmp_path):
    """serve(html) -> the address of a page with that HTML on a web server of its own (another
    origin on this machine, so that Chromium's local-network checks treat both alike)."""
    servers = []

    def serve(html: str) -> str:
        (tmp_path / "index.html").write_text(html, encoding="utf-8")
        handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_another_site_may_frame_widgets_but_no_other_page(page, live_server, widgets,  # noqa: F811
                                                          partner_site):
    """A partner's page (another origin) frames a widget; the same page framing the project's
    own page is refused by frame-ancestors 'none' (and X-Frame-Options: DENY)."""
    widget = f"{live_server.url}/de{widgets[1]}"
    normal = f"{live_server.url}/de/projects/smarte-laternen/"
    page.goto(partner_site(
        '<!DOCTYPE html><html lang="de"><title>Partner</title>'
        f'<iframe name="widget" src="{widget}" title="Widget"></iframe>'
        f'<iframe name="normal" src="{normal}" title="Seite"></iframe></html>'))
    page.wait_for_load_state("networkidle")
    frames = {frame.name: frame for frame in page.frames}
    assert frames["widget"].url == widget
    assert "Smarte Laternen" in frames["widget"].locator("h1").inner_text()
    assert frames["normal"].url != normal  # Chromium's error page instead
    assert "Smarte Laternen" not in frames["normal"].content()


@pytest.mark.parametrize("language", ["de", "en"])
def test_widget_and_feed_lists_are_accessible(page, live_server, widgets,  # noqa: F811
                                              language):
    for path in ("/embed/", "/feeds/"):
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response.status == 200
        assert axe_violations(page) == [], path
    assert page.csp_violations == []
