"""Issue 14's browser journey "fill, refuse, fix and submit an assessment", at desktop and phone
size, asserting what the person sees at each step; and a real conflict shown as the side-by-
side table."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.assessments import services
from stadtallianz.assessments.models import Assessment
from tests.browser.conftest import _reference_data, axe_violations, browser, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def draft(settings, make_project, team_member):
    _reference_data()
    project = make_project("Klimaquartier", slug="klimaquartier")
    return services.start(project=project, by=team_member)


def _submit(page):  # noqa: F811
    with page.expect_navigation():
        page.click("form.assessment-form button[name=submit]")


@pytest.mark.parametrize("size", SIZES)
def test_fill_refuse_fix_and_submit(page, live_server, draft, team_member, size):  # noqa: F811
    page.set_viewport_size(SIZES[size])
    login(page, live_server, team_member.email, DEMO_PASSWORD, "en")
    edit = f"{live_server.url}/en/assessments/{draft.pk}/edit/"
    page.goto(edit)
    # Fill: one principle with two pieces of evidence (the second row added in place by script).
    page.select_option("#id_score_1", "2")
    page.fill("#id_justification_1", "More green in the quarter.")
    page.fill("#id_evidence_1-0-label", "Evaluation report")
    page.fill("#id_evidence_1-0-url", "https://example.org/report.pdf")
    page.click("button[data-add-evidence='1']")
    assert page.url == edit  # added in place, nothing sent
    assert page.evaluate("document.activeElement.id") == "id_evidence_1-1-label"
    page.fill("#id_evidence_1-1-label", "Counting data")
    page.fill("#id_evidence_1-1-url", "https://example.org/counts.csv")
    # Refused: principles missing.
    _submit(page)
    summary = page.locator(".form-error-summary")
    assert summary.is_visible()
    assert "cannot be submitted yet" in summary.inner_text()
    assert "missing: 2, 3, 4, 5, 6, 7, 8" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('form-error-summary')")
    assert page.locator("#id_score_2_error").is_visible()
    # What was typed is still there, evidence rows included.
    assert page.input_value("#id_score_1") == "2"
    assert page.input_value("#id_justification_1") == "More green in the quarter."
    assert page.input_value("#id_evidence_1-0-label") == "Evaluation report"
    assert page.input_value("#id_evidence_1-1-url") == "https://example.org/counts.csv"
    draft.refresh_from_db()
    assert draft.state == Assessment.State.DRAFT and draft.version == 2
    assert page.input_value("input[name=version]") == "2"
    # Nothing runs off the phone's screen.
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    # Fix: score the rest and submit again; no conflict.
    for n in range(2, 9):
        page.select_option(f"#id_score_{n}", "0")
        page.fill(f"#id_justification_{n}", f"Neutral for principle {n}.")
    _submit(page)
    assert "Someone else saved" not in page.content()
    assert page.url.endswith(f"/en/assessments/{draft.pk}/")
    assert "submitted to the coordination office" in page.locator("body").inner_text()
    draft.refresh_from_db()
    assert draft.state == Assessment.State.SUBMITTED
    assert [e.label for e in draft.scores.get(principle__number=1).evidence.all()] == [
        "Evaluation report", "Counting data"]
    assert page.csp_violations == []


@pytest.mark.parametrize("size", SIZES)
def test_a_real_conflict_shows_the_side_by_side_table(page, live_server, draft, team_member,  # noqa: F811
                                                     coordinator, size):
    page.set_viewport_size(SIZES[size])
    login(page, live_server, team_member.email, DEMO_PASSWORD, "de")
    page.goto(f"{live_server.url}/de/assessments/{draft.pk}/edit/")
    page.select_option("#id_score_1", "2")
    page.fill("#id_justification_1", "Meine Begründung.")
    # Meanwhile someone else saves.
    services.save_scores(assessment=draft, by=coordinator, version=1, scores=[
        {"principle": 1, "score": 1, "justification": "Ihre Begründung.", "evidence": []}])
    with page.expect_navigation():
        page.click("form.assessment-form button[type=submit]:not([name])")
    table = page.locator("table.conflict-table")
    assert table.is_visible()
    text = table.inner_text()
    assert "Gespeicherte Fassung" in text and "Ihre Eingabe" in text
    assert "Ihre Begründung." in text and "Meine Begründung." in text
    assert page.locator("tr.conflict-changed").count() == 2  # score and justification
    assert "@@" not in page.content()
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    # Take their justification; keep my score; save.
    with page.expect_navigation():
        page.click("button[name=take][value='1:justification']")
    assert page.input_value("#id_justification_1") == "Ihre Begründung."
    assert page.input_value("#id_score_1") == "2"
    with page.expect_navigation():
        page.click("form.assessment-form button[type=submit]:not([name])")
    score = draft.scores.get(principle__number=1)
    assert (score.score, score.justification) == (2, "Ihre Begründung.")
    assert page.csp_violations == []
