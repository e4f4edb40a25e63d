"""Everything works with the keyboard alone: the skip link, the directory filters, the
language switch; every element reached with Tab shows a focus outline one can see; and with
JavaScript on, changing a filter updates only the results and pushes the new address."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE = "document.activeElement"


def tab_to(page, selector: str, *, limit: int = 60) -> None:
    """Presses Tab until the element matching selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"{ACTIVE}.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_the_first_tab_focuses_the_skip_link_which_moves_focus_to_main(page, live_server,
                                                                        alliance):
    """The first Tab on a page reaches the skip link, visible once focused; Enter on it moves
    the focus to the main region, so the next Tab starts in the content."""
    page.goto(f"{live_server.url}/de/")
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.className") == "skip-link"
    expect(skip).to_be_in_viewport()
    assert skip.inner_text() == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate(f"{ACTIVE}.id") == "main"
    assert page.url.endswith("/de/#main")
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.getElementById('main').contains({ACTIVE})")


def test_the_directory_filters_work_with_the_keyboard_alone(page, live_server, alliance):
    """Tab to the search field, type, choose the type with the arrow keys, Tab to the button,
    press Enter: the results show the one matching partner and the address has the filters."""
    page.goto(f"{live_server.url}/de/partners/")
    expect(page.locator("#result-count")).to_have_text("31 Partner gefunden")
    tab_to(page, "#id_q")
    page.keyboard.type("Partner 07")
    tab_to(page, "#id_type")
    wanted = alliance.partners[6].type
    options = page.eval_on_selector_all("#id_type option", "(all) => all.map((o) => o.value)")
    for _ in range(options.index(wanted)):
        page.keyboard.press("ArrowDown")
    assert page.input_value("#id_type") == wanted
    tab_to(page, ".filters button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_have_text("1 Partner gefunden")
    expect(page.locator(".partner-card h2")).to_have_text(["Partner 07 Münster"])
    expect(page).to_have_url(re.compile(rf"/de/partners/\?q=Partner(\+|%20)07&type={wanted}"))


def test_the_language_switch_works_with_the_keyboard_and_keeps_the_page(page, live_server,
                                                                        alliance):
    """From the German directory with a search, Enter on "English" opens the English directory
    with the same search."""
    page.goto(f"{live_server.url}/de/partners/?q=Partner+07")
    tab_to(page, ".language-switch button")
    assert page.evaluate(f"{ACTIVE}.textContent.trim()") == "English"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/en/partners/"))
    assert page.url == f"{live_server.url}/en/partners/?q=Partner+07"
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#result-count")).to_have_text("1 partner found")
    tab_to(page, ".language-switch button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/de/partners/?q=Partner+07")
    assert page.locator("h1").inner_text() == "Partnerverzeichnis"


def test_the_next_page_link_works_with_the_keyboard_and_keeps_the_focus_in_the_results(
        page, live_server, alliance):
    """Enter on "Next page" shows the second page in place; the focus moves to the new result
    count instead of falling back to the top of the page, so the next Tab reaches a partner."""
    page.goto(f"{live_server.url}/de/partners/")
    tab_to(page, "a[rel=next]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/de/partners/\?page=2$"))
    expect(page.locator(".partner-card")).to_have_count(31 - 24)
    assert page.evaluate(f"{ACTIVE}.id") == "result-count"
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.closest('.partner-card') !== null")
    assert page.evaluate(f"{ACTIVE}.textContent") == "Partner 25 Münster"


# The outline is drawn just outside the element (outline-offset), so its contrast counts
# against whatever is painted there: the first element under that point with a background.
FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const rect = element.getBoundingClientRect();
  const distance = parseFloat(style.outlineOffset || 0) + parseFloat(style.outlineWidth || 0) / 2;
  let x = rect.left - distance;
  if (x < 1) x = rect.right + distance;
  const y = rect.top + rect.height / 2;
  let background = "rgb(255, 255, 255)";
  for (const below of document.elementsFromPoint(x, y)) {
    if (below === element || element.contains(below)) continue;
    const colour = getComputedStyle(below).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
  }
  return {
    element: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
             + " " + (element.textContent || "").trim().slice(0, 30),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    colour: style.outlineColor, background,
    visible: rect.width > 0 && rect.height > 0 && style.visibility !== "hidden",
  };
}"""


def _luminance(rgb: str) -> float:
    channels = [int(value) / 255 for value in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _weak_focus_rings(page, url: str, *, presses: int = 120) -> list[dict]:
    """Tabs through the whole page; returns the focused elements one cannot see or whose
    outline is too thin or too faint, and notes a keyboard trap (Tab never leaves the page)."""
    page.goto(url)
    weak = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["element"].startswith("body"):
            break
        if ring["element"].startswith("main#main"):
            continue  # the skip link's target: focused by script, never reached by Tab
        ring["contrast"] = round(_contrast(ring["colour"], ring["background"]), 2)
        # WCAG 2.1 SC 1.4.11: the focus indicator needs 3:1 against what is next to it.
        if (ring["style"] == "none" or ring["width"] < 2 or ring["contrast"] < 3
                or not ring["visible"]):
            weak.append(ring)
    else:
        weak.append({"trap": f"Tab did not leave the page in {presses} presses"})
    return weak


@pytest.mark.parametrize("path", ["/de/", "/de/partners/"])
def test_every_element_reached_with_tab_shows_a_visible_outline(page, live_server, alliance,
                                                                path):
    """Links and buttons in the header, the content and the footer, focused with Tab, show
    an outline at least 2px wide with 3:1 contrast against the background around them."""
    assert _weak_focus_rings(page, f"{live_server.url}{path}") == []


def test_the_back_office_and_forms_show_a_visible_outline(page, live_server, alliance):
    """The same for a coordinator's back office, where tables and forms hold the focus."""
    login(page, live_server, alliance.coordinator.email, PASSWORD)
    weak = {path: found for path in ("/de/backoffice/", f"/de/backoffice/applications/"
                                     f"{alliance.pending.pk}/", "/de/account/edit/")
            if (found := _weak_focus_rings(page, f"{live_server.url}{path}"))}
    assert weak == {}


def test_a_changed_filter_updates_only_the_results_and_pushes_the_address(page, live_server,
                                                                         alliance):
    """With JavaScript, choosing a focus area fetches the results (no page load), replaces
    the results region, announces the new count (role=status) and puts the filter in the
    address, so the back button and a shared link show the same list."""
    page.goto(f"{live_server.url}/de/partners/")
    page.evaluate("window.stillTheSamePage = true")
    heading = page.locator("h1").element_handle()
    requests = []
    page.on("request", lambda request: requests.append(request.resource_type))
    area = alliance.focus_area
    page.select_option("#id_focus", area.slug)
    expect(page).to_have_url(re.compile(rf"focus={area.slug}"))
    expected = area.organisations.filter(status__in=["partner", "resign_required"]).count()
    assert 0 < expected < 31
    expect(page.locator("#result-count")).to_have_text(f"{expected} Partner gefunden")
    assert page.locator("#result-count").get_attribute("role") == "status"
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.evaluate("(h1) => h1.isConnected", heading)
    assert "document" not in requests and "xhr" in requests
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/de/partners/")
    expect(page.locator("#result-count")).to_have_text("31 Partner gefunden")
