"""What the journey tests (test_journeys.py) share: the two sizes, the page's own words in
German from the catalogues (so that a reworded English source does not break a test, and a
missing translation does), header navigation that opens the phone's menu first, and the
check at each journey's end."""

import re

from django.core import mail
from django.utils import translation
from django.utils.text import capfirst

from tests.browser.conftest import PASSWORD, axe_violations

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def de(msgid: str, **values) -> str:
    """The German the page shows for msgid (with %(name)s values filled in)."""
    with translation.override("de"):
        text = str(translation.gettext(msgid))
    return text % values if values else text


def ngettext_de(singular: str, plural: str, count: int, name: str = "counter") -> str:
    with translation.override("de"):
        return translation.ngettext(singular, plural, count) % {name: count}


def pgettext_de(context: str, msgid: str) -> str:
    with translation.override("de"):
        return str(translation.pgettext(context, msgid))


def label(msgid: str) -> str:
    """A form field's German label as Django writes it (first letter capitalised)."""
    return capfirst(de(msgid))


def field(page, msgid: str, *, within=None):
    """The form field labelled with msgid's German (Django's capitalised label, with or
    without the required field's star)."""
    name = re.compile(rf"^\s*{re.escape(label(msgid))}\s*\*?\s*$")
    return (within or page.locator("main")).get_by_label(name)


def nav(msgid: str) -> str:
    """A header link's German: its "navigation" context's translation where the catalogue has
    one (the navigation may say it differently from the rest of the site), else the plain."""
    in_context = pgettext_de("navigation", msgid)
    return in_context if in_context != msgid else de(msgid)


def via_header(page, msgid: str) -> None:
    """Follows the header link `msgid` (in German), as a person would: on a phone the
    navigation sits behind the menu button, which is opened first (and must then show it)."""
    name = nav(msgid)
    button = page.locator("header").get_by_role("button", name=de("Menu"))
    if button.is_visible():
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
    link = page.locator("header").get_by_role("link", name=name, exact=True)
    assert link.is_visible(), name
    navigate(page, link.click)


def htmx_settled(page) -> None:
    """Waits until no htmx request is in flight (htmx marks its requesting element with
    .htmx-request): a filter's late response pushes its URL into the history, which Playwright
    counts as a navigation, and would otherwise be taken for the next click's page."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def navigate(page, action) -> None:
    """Runs action (a click) and waits for the page it leads to, with no htmx request in
    flight before or after."""
    htmx_settled(page)
    with page.expect_navigation():
        action()
    page.wait_for_load_state()
    htmx_settled(page)


def click(page, role: str, name: str, *, within=None) -> None:
    """Clicks a link or button by its accessible name and waits for the next page."""
    target = (within or page.locator("main")).get_by_role(role, name=name, exact=True)
    navigate(page, target.click)


def text(page) -> str:
    return page.locator("main").inner_text()


def status_message(page) -> str:
    """The messages shown after a write (Django's messages framework, role=status/alert)."""
    return " ".join(page.get_by_role("status").all_inner_texts()
                    + page.get_by_role("alert").all_inner_texts())


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def mailed_path(address: str, pattern: str) -> str:
    """The path of the link matching pattern in the last e-mail to address."""
    for message in reversed(mail.outbox):
        if address in message.to:
            found = re.search(r"https?://[^/\s]+(" + pattern + r"\S*)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no e-mail to {address} with a link matching {pattern}: "
                         f"{[(m.to, m.subject) for m in mail.outbox]}")


def finish(page) -> None:
    """A journey's last page: axe finds nothing of any impact and CSP blocked nothing."""
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    assert page.csp_violations == []
    if page.viewport_size["width"] < 500:
        assert page.evaluate("document.documentElement.scrollWidth") <= \
            page.viewport_size["width"]


def log_out(page):
    """Logs out with the header's button (behind the menu on a phone)."""
    button = page.locator("header").get_by_role("button", name=de("Log out"), exact=True)
    if not button.is_visible():
        page.locator("header").get_by_role("button", name=de("Menu")).click()
    navigate(page, button.click)


def log_in(page, email):
    """Logs in as a person would: the header's link, the form, the button."""
    via_header(page, "Log in")
    field(page, "E-mail address").fill(email)
    field(page, "Password").fill(PASSWORD)
    navigate(page, page.locator("main").get_by_role("button", name=de("Log in"), exact=True).click)
