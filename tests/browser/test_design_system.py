"""The design system in a real browser (issue 14): the header takes at most 15 % of a phone's
screen and its menu works by keyboard; the desktop keeps the whole navigation; the styleguide and
the home page have no axe finding of any impact in either language; a refused form puts the focus
on its error summary, whose links lead to the fields; maps speak the page's language and stand
on a plain ground without tiles."""

from decimal import Decimal

import pytest

from tests.browser.conftest import _reference_data, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def at(browser, settings):
    """A page at a viewport size: at(PHONE) or at(DESKTOP)."""
    settings.MAP_TILE_URL = ""
    contexts = []

    def open_page(viewport):
        context = browser.new_context(viewport=viewport, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda message: "Content Security Policy" in message.text
                and page.csp_violations.append(message.text))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def reference_data(transactional_db):
    _reference_data()


def _box(page, selector):
    return page.locator(selector).bounding_box()


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_the_header_is_small_and_its_menu_opens_and_closes_by_keyboard(
        at, live_server, reference_data, language):
    page = at(PHONE)
    page.goto(f"{live_server.url}/{language}/")
    header = _box(page, ".site-header")
    assert header["height"] <= 0.15 * PHONE["height"], header
    button = page.locator(".menu-button")
    panel = page.locator("#site-menu")
    assert button.is_visible() and not panel.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "site-menu"

    # Tab from the top: the skip link, the brand, then the menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.locator(".main-nav").is_visible()
    assert page.locator("#header-search-q").is_visible()
    assert page.locator(".account-nav").is_visible()
    # The next Tab goes into the menu, not past it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('site-menu').contains(document.activeElement)")
    assert axe_violations(page, EVERY_IMPACT) == []

    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not panel.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "true" and panel.is_visible()
    page.keyboard.press("Space")
    assert not panel.is_visible()
    assert page.csp_violations == []


def test_without_javascript_the_phone_menu_is_simply_open(browser, live_server, reference_data):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/")
    assert not page.locator(".menu-button").is_visible()
    assert page.locator(".main-nav").is_visible() and page.locator(".account-nav").is_visible()
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_desktop_the_whole_navigation_shows_without_a_menu_button(
        at, live_server, reference_data, language):
    page = at(DESKTOP)
    page.goto(f"{live_server.url}/{language}/")
    assert not page.locator(".menu-button").is_visible()
    links = page.locator(".main-nav a")
    assert links.count() >= 9
    assert all(links.nth(index).is_visible() for index in range(links.count()))
    assert page.locator("#header-search-q").is_visible()
    assert _box(page, ".site-header")["height"] <= 0.2 * DESKTOP["height"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ["/", "/styleguide/"])
def test_the_home_page_and_the_styleguide_have_no_axe_finding_of_any_impact(
        at, live_server, reference_data, language, path, viewport):
    page = at(viewport)
    response = page.goto(f"{live_server.url}/{language}{path}")
    page.wait_for_load_state("load")
    assert response.status == 200
    assert axe_violations(page, EVERY_IMPACT) == []
    assert page.csp_violations == []
    assert page.locator("h1").count() == 1
    # Nothing is wider than the screen (no sideways scrolling of the page itself).
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_styleguides_tabs_and_dialog_work_by_keyboard(at, live_server, reference_data):
    page = at(DESKTOP)
    page.goto(f"{live_server.url}/en/styleguide/")
    page.locator("#sg-tab-day").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "sg-tab-week"
    assert page.get_attribute("#sg-tab-week", "aria-selected") == "true"
    assert page.locator("#sg-panel-week").is_visible()
    assert not page.locator("#sg-panel-day").is_visible()
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "sg-tab-month"

    opener = page.locator("[data-dialog-open=sg-dialog]")
    opener.focus()
    page.keyboard.press("Enter")
    assert page.locator("#sg-dialog").is_visible()
    assert axe_violations(page, EVERY_IMPACT) == []
    page.keyboard.press("Escape")
    assert not page.locator("#sg-dialog").is_visible()
    assert page.evaluate("document.activeElement.dataset.dialogOpen") == "sg-dialog"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_stacked_table_stacks_on_a_phone_and_the_wide_one_scrolls(
        at, live_server, reference_data, viewport):
    page = at(viewport)
    page.goto(f"{live_server.url}/de/styleguide/")
    display = page.evaluate(
        "getComputedStyle(document.querySelector('table.table-stack td')).display")
    assert display == ("block" if viewport is PHONE else "table-cell")
    region = page.locator(".table-scroll[role=region][tabindex='0']")
    assert region.get_attribute("aria-label")
    # No word of a cell is broken inside: cells wrap at spaces and hyphenate.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('table.table-stack td')).overflowWrap"
    ) != "anywhere"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_form_focuses_its_error_summary_whose_links_lead_to_the_fields(
        at, live_server, reference_data, language):
    page = at(PHONE)
    page.goto(f"{live_server.url}/{language}/register/")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.locator("a")
    assert links.count() >= 3
    first = links.first
    target = first.get_attribute("href")
    label = page.locator(f"label[for='{target[1:]}']").inner_text().replace("*", "").strip()
    assert first.inner_text().startswith(label)
    first.click()
    assert page.evaluate("document.activeElement.id") == target[1:]
    assert axe_violations(page, EVERY_IMPACT) == []


@pytest.mark.parametrize(("language", "zoom_in"), [("de", "Vergrößern"), ("en", "Zoom in")])
def test_a_map_without_tiles_speaks_the_pages_language_on_a_plain_ground(
        at, live_server, make_organisation, language, zoom_in):
    organisation = make_organisation("Stadtwerke Kartenstadt", latitude=Decimal("51.96"),
                                     longitude=Decimal("7.62"))
    page = at(DESKTOP)
    page.goto(f"{live_server.url}/{language}/partners/{organisation.slug}/")
    page.wait_for_selector(".leaflet-marker-icon", timeout=10000)
    container = page.locator(".leaflet-container").first
    assert "map-plain" in container.get_attribute("class")
    ground = page.evaluate("getComputedStyle(document.querySelector('.leaflet-container'))"
                           ".backgroundColor")
    assert ground not in ("rgb(221, 221, 221)", "rgba(0, 0, 0, 0)")  # not Leaflet's grey
    assert page.get_attribute(".leaflet-control-zoom-in", "title") == zoom_in
    assert page.locator(".leaflet-control-attribution a").first.evaluate(
        "link => getComputedStyle(link).textDecorationLine") == "underline"
    assert axe_violations(page, EVERY_IMPACT) == []
