"""Every page of the site, logged out and for every role, in German and English: axe-core finds
no WCAG 2.1 A/AA violation of any impact, the browser no Content Security Policy violation,
each page has one h1 (issue 14, "Done means") and no select starts with dashes instead of the
site's prompt (issue 14, "Forms").

The pages come from the URL conf (tests/browser/site_pages.py); a new page URL fails
test_every_page_url_is_swept until it is listed there. The data is the demo alliance. Which pages
a role reaches is asked of the server (Django's test client, status 200 without a redirect), so
the sweep follows the permission rules instead of a second copy of them; a page whose HTML is the
same for a role as for one already checked (names and per-request tokens aside) is not opened
again. One browser context per role, logged in once, visits the role's pages in both languages.
"""

import re
import time

import pytest
from django.core.management import call_command
from django.test import Client

from stadtallianz.core.tests.test_design_system import DASHES_ONLY
from tests.browser.conftest import _reference_data, page_problems
from tests.browser.site_pages import EXCLUDED, PAGES, demo_objects, page_paths, page_url_names

LANGUAGES = ["de", "en"]
ROLES = ["visitor", "citizen", "partner member", "partner admin", "unsigned partner admin",
         "working-group lead", "coordinator"]


def test_every_page_url_is_swept():
    """Each URL name under the language prefix is a swept page or excluded with a reason."""
    names = page_url_names()
    assert sorted(names - PAGES.keys() - EXCLUDED.keys()) == [], \
        "new page URLs: add them to PAGES (or EXCLUDED with a reason) in site_pages.py"
    assert sorted((PAGES.keys() | EXCLUDED.keys()) - names) == [], "listed but no longer a URL"
    assert not PAGES.keys() & EXCLUDED.keys()


def _skeleton(html: str, user) -> str:
    """The page's main content without what differs per request or per person. The header and
    footer around it are the same on every page of a role and language, and are checked on the
    first page each role opens in each language."""
    start, end = html.find("<main"), html.rfind("</main>")
    html = html[start:end] if start != -1 and end != -1 else html
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    if user is not None:
        for text in {user.email, user.full_name, getattr(user, "display_name", "")} - {""}:
            html = html.replace(text, "PERSON")
    return html


def _reachable(client: Client, objects, user, dashed: list) -> dict[str, list[tuple[str, str]]]:
    """For each language, the (URL name, path) the role gets with status 200. A page whose
    select starts with dashes instead of the site's prompt (issue 14, Forms) goes to `dashed`."""
    found = {}
    for language in LANGUAGES:
        found[language] = []
        for name, path in page_paths(objects, language):
            response = client.get(path)
            if response.status_code == 200:
                html = response.content.decode()
                if DASHES_ONLY.search(html):
                    dashed.append(path)
                found[language].append((name, path, _skeleton(html, user)))
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_for_every_role_has_no_accessibility_finding(browser, live_server, settings):
    settings.MAP_TILE_URL = ""  # no map tiles from the internet: markers on a plain ground
    # A transactional test before this one emptied the tables the migrations fill.
    _reference_data()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    objects = demo_objects()
    started = time.monotonic()
    problems, reached_names, seen, opened, dashed = {}, set(), set(), 0, []
    for role in ROLES:
        user = objects.roles[role]
        client = Client()
        if user is not None:
            client.force_login(user)
        pages = _reachable(client, objects, user, dashed)
        context = browser.new_context(locale="de-DE")
        if user is not None:
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda message, page=page: "Content Security Policy" in message.text
                and page.csp_violations.append(message.text))
        for language in LANGUAGES:
            for index, (name, path, skeleton) in enumerate(pages[language]):
                reached_names.add(name)
                if index and (path, skeleton) in seen:
                    continue
                seen.add((path, skeleton))
                opened += 1
                if found := page_problems(page, live_server.url + path):
                    problems.setdefault(role, {})[path] = found
                    print(f"\n{role} {path}: {found}", flush=True)  # noqa: T201
        context.close()
    elapsed = time.monotonic() - started
    print(f"\nswept {opened} distinct pages ({len(reached_names)} URL names) "
          f"in {elapsed:.0f} s")  # noqa: T201
    assert sorted(PAGES.keys() - reached_names) == [], "pages no role reached: fix their arguments"
    assert problems == {}, problems
    assert dashed == [], "selects that start with dashes instead of the prompt"
