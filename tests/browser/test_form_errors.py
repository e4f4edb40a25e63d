"""Forms sent with mistakes show each error next to its field, linked to the input so that a
screen reader announces it (aria-invalid, aria-describedby), and the page with the errors is
as accessible as the empty form, in German and in English."""

import pytest

from tests.browser.conftest import PASSWORD, login, problems_here, unlinked_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


def submit(page, form: str = "main form") -> None:
    page.locator(form).last.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_forms_link_their_errors(page, live_server, alliance, language):
    """Register sent empty and with mismatched passwords, log-in sent empty and with a wrong
    password, password reset and resend sent with a malformed address."""
    base = f"{live_server.url}/{language}"
    problems = {}

    page.goto(f"{base}/register/")
    submit(page)
    problems["register empty"] = {
        **unlinked_errors(page, ["full_name", "email", "password1", "password2"]),
        **problems_here(page)}

    page.fill("#id_full_name", "Rita Rad")
    page.fill("#id_email", "rita@example.org")
    page.fill("#id_password1", "Fahrradstadt-2030")
    page.fill("#id_password2", "Fahrradstadt-2031")
    submit(page)
    problems["register mismatch"] = {**unlinked_errors(page, ["password2"]),
                                     **problems_here(page)}
    # What was typed (but the passwords) is kept, and the correct fields are not marked.
    assert page.input_value("#id_email") == "rita@example.org"
    assert page.get_attribute("#id_email", "aria-invalid") is None

    page.goto(f"{base}/login/")
    submit(page)
    problems["login empty"] = {**unlinked_errors(page, ["username", "password"]),
                               **problems_here(page)}

    page.fill("#id_username", alliance.citizen.email)
    page.fill("#id_password", "not-the-password")
    submit(page)
    # A wrong password is the form's error, not a field's: the summary is announced at once.
    summary = page.locator("main .form-error-summary[role=alert]")
    assert summary.is_visible()
    assert summary.locator(".errorlist li").count() == 1
    problems["login wrong password"] = problems_here(page)

    for path, names in (("/password-reset/", ["email"]), ("/register/resend/", ["email"])):
        page.goto(f"{base}{path}")
        page.fill("main [name=email]", "no-address")
        submit(page)
        problems[path] = {**unlinked_errors(page, names), **problems_here(page)}

    problems = {form: found for form, found in problems.items() if found}
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_partner_admin_forms_link_their_errors(page, live_server, alliance, language):
    """The profile form with an invalid website and no name, the offer form sent empty, the
    invitation without an address, and the signature without the confirmation of authority."""
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    base = f"{live_server.url}/{language}"
    slug = alliance.home.slug
    problems = {}

    page.goto(f"{base}/partners/{slug}/edit/")
    page.fill("#id_name", "")
    page.fill("#id_website", "not a web address")
    submit(page)
    problems["edit"] = {**unlinked_errors(page, ["name", "website"]), **problems_here(page)}

    page.goto(f"{base}/partners/{slug}/offers/")
    submit(page, "main form:has([name=text])")
    problems["offer"] = {**unlinked_errors(page, ["text"]), **problems_here(page)}

    page.goto(f"{base}/partners/{slug}/members/")
    submit(page, "main form:has([name=email])")
    problems["invitation"] = {**unlinked_errors(page, ["email"]), **problems_here(page)}

    page.goto(f"{base}/letter-of-intent/sign/{slug}/")
    page.fill("#id_signatory_function", "Geschäftsführer")
    submit(page)
    problems["sign"] = {**unlinked_errors(page, ["authority_confirmed"]), **problems_here(page)}

    problems = {form: found for form, found in problems.items() if found}
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_forms_link_their_errors(page, live_server, alliance, language):
    """Rejecting without a reason, a new version and a new focus area sent empty."""
    login(page, live_server, alliance.coordinator.email, PASSWORD, language)
    base = f"{live_server.url}/{language}"
    problems = {}

    page.goto(f"{base}/backoffice/applications/{alliance.pending.pk}/")
    submit(page, "main form:has([name=reason])")
    problems["reject"] = {**unlinked_errors(page, ["reason"]), **problems_here(page)}

    page.goto(f"{base}/backoffice/versions/new/")
    for name in ("title_de", "title_en", "text_de", "text_en"):
        page.fill(f"main [name={name}]", "")
    submit(page)
    problems["version"] = {**unlinked_errors(page, ["title_de", "text_de"]),
                           **problems_here(page)}

    page.goto(f"{base}/backoffice/focus-areas/new/")
    submit(page)
    problems["focus area"] = {**unlinked_errors(page, ["name_de"]), **problems_here(page)}

    problems = {form: found for form, found in problems.items() if found}
    assert problems == {}, problems
