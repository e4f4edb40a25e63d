"""The assessment pages in a real browser: axe-core finds no serious problem and the strict
Content Security Policy blocks nothing, in German and English; the form works by keyboard."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.assessments import services
from stadtallianz.assessments.models import Assessment
from tests.browser.conftest import _reference_data, axe_violations, browser, login, page  # noqa: F401

from .conftest import save_current, scores_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessed(settings, make_project, make_assessment, team_member, coordinator):
    """A project with two published assessments (one harming a principle), an open one under
    review, and a second project (portfolio rows)."""
    _reference_data()
    project = make_project("Klimaquartier", slug="klimaquartier")
    make_assessment(project, [1, 1, 0, 0, 1, 0, 0, 1], evidence_url="https://example.org/a")
    make_assessment(project, [2, 1, 0, -1, 2, 1, 0, 1], evidence_url="https://example.org/b")
    make_assessment(make_project("Solardach", slug="solardach"), [0, 0, 1, 2, 1, 0, 0, 0])
    draft = services.start(project=project, by=team_member)
    save_current(assessment=draft, by=team_member, scores=scores_data())
    services.submit(assessment=draft, by=team_member)
    return project, draft


@pytest.mark.parametrize("language", ["de", "en"])
def test_public_pages_are_accessible(page, live_server, assessed, language):  # noqa: F811
    project, _draft = assessed
    published = project.assessments.get(is_current=True)
    for path in (f"/projects/{project.slug}/", f"/assessments/projects/{project.slug}/",
                 f"/assessments/{published.pk}/", "/assessments/portfolio/",
                 "/assessments/portfolio/?harms=on"):
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response.status == 200, path
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == [], path
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_review_pages_are_accessible(page, live_server, assessed, coordinator,  # noqa: F811
                                     language):
    _project, draft = assessed
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    for path in ("/assessments/reviews/", f"/assessments/{draft.pk}/",
                 "/assessments/portfolio/"):
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response.status == 200, path
        assert axe_violations(page) == [], path
    # Asking for changes without a comment: the error is announced next to the field.
    page.goto(f"{live_server.url}/{language}/assessments/{draft.pk}/")
    with page.expect_navigation():
        page.click("#review-heading ~ form button.button-secondary")
    assert page.locator("#id_comment_error").count() == 1
    assert axe_violations(page) == []
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_form_is_accessible_and_works_by_keyboard(page, live_server, assessed,  # noqa: F811
                                                      coordinator, team_member, language):
    _project, draft = assessed
    services.request_changes(assessment=draft, by=coordinator, comment="Belege fehlen.")
    login(page, live_server, team_member.email, DEMO_PASSWORD, language)
    page.goto(f"{live_server.url}/{language}/assessments/{draft.pk}/edit/")
    assert axe_violations(page) == []
    # Keyboard only: focus the first score, choose +1, tab to the justification, type, save.
    page.focus("#id_score_1")
    page.select_option("#id_score_1", "1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_justification_1"
    page.keyboard.press("Control+A")
    page.keyboard.type("Mit Belegen aus der Zählung.")
    page.focus("form.assessment-form button[type=submit]:not([name])")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    draft.refresh_from_db()
    score = draft.scores.get(principle__number=1)
    assert (score.score, score.justification) == (1, "Mit Belegen aus der Zählung.")
    assert draft.state == Assessment.State.CHANGES_REQUESTED
    # An error on the form page passes axe too.
    page.goto(f"{live_server.url}/{language}/assessments/{draft.pk}/edit/")
    page.fill("#id_justification_2", "")
    with page.expect_navigation():
        page.click("form.assessment-form button[type=submit]:not([name])")
    assert page.locator("#id_justification_2_error").count() == 1
    assert axe_violations(page) == []
    # Someone saves while the form is open: the conflict page with the difference passes too.
    page.goto(f"{live_server.url}/{language}/assessments/{draft.pk}/edit/")
    draft.refresh_from_db()
    services.save_scores(assessment=draft, by=coordinator, scores=scores_data([0] * 8),
                         version=draft.version)
    page.fill("#id_justification_1", "Meine neue Begründung.")
    with page.expect_navigation():
        page.click("form.assessment-form button[type=submit]:not([name])")
    assert page.locator("#conflict-heading").count() == 1
    assert axe_violations(page) == []
    assert page.csp_violations == []
