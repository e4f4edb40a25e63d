"""The assessment pages per role: the project page's chart and table, the history, the form, the
review, the queue, the portfolio and its CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from stadtallianz.assessments import services
from stadtallianz.assessments.models import Assessment
from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.knowledge.models import Document
from stadtallianz.projects.models import Project, Result

from .conftest import VALUES, save_current, scores_data

pytestmark = pytest.mark.django_db
State = Assessment.State
ROLES = [None, "citizen", "outsider", "team_member", "coordinator"]
SEES_OPEN = {"team_member", "coordinator"}


def _stored_version(assessment) -> str:
    return str(Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk))


def rows(number: int, *items: dict, initial: int = 0) -> dict:
    """Form data of principle `number`'s evidence rows (label, url, document, datastream)."""
    data = {f"evidence_{number}-TOTAL_FORMS": str(len(items)),
            f"evidence_{number}-INITIAL_FORMS": str(initial)}
    for i, item in enumerate(items):
        for name, value in item.items():
            data[f"evidence_{number}-{i}-{name}"] = str(value)
    return data


def _render_tag(project, user):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load assessments %}{% project_assessment project %}").render(
        Context({"project": project, "request": request}))


def _chart_values(html: str) -> dict[int, str]:
    """{principle number: the score text next to its bar} from the SVG."""
    svg = html[html.index("<svg"):html.index("</svg>")]
    bars = re.findall(r'<g class="chart-bar[^"]*">\s*<text[^>]*>(\d) [^<]*</text>.*?'
                      r'font-weight="bold"[^>]*>([^<]+)</text>', svg, re.S)
    return {int(number): text for number, text in bars}


def _table_values(html: str) -> dict[int, int]:
    return {int(n): int(s) for n, s in re.findall(
        r'data-principle="(\d)" data-score="(-?\d)"', html)}


def test_project_part_shows_chart_and_table_with_the_same_values(project, make_assessment,
                                                                 citizen):
    make_assessment(project, evidence_url="https://example.org/bericht.pdf")
    html = _render_tag(project, citizen)
    chart, table = _chart_values(html), _table_values(html)
    assert table == dict(enumerate(VALUES, start=1))
    signs = {value: (f"+{value}" if value > 0 else str(value).replace("-", "\u2212"))
             for value in VALUES}
    assert chart == {n: signs[value] for n, value in table.items()}
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    # The desc and the table say the scores in words, not only in colour or position.
    assert "harms" in html and "serves strongly" in html
    assert 'href="https://example.org/bericht.pdf"' in html
    assert reverse("assessments:history", kwargs={"slug": project.slug}) in html


def test_project_part_without_assessment(project, citizen, team_member):
    assert "No assessment of this project has been published yet." in _render_tag(project,
                                                                                  citizen)
    assert reverse("assessments:start", kwargs={"slug": project.slug}) in _render_tag(
        project, team_member)


@pytest.mark.parametrize("role", ROLES)
def test_project_part_links_the_open_assessment_for_team_and_coordinator(
        request, project, make_assessment, role):
    from django.contrib.auth.models import AnonymousUser

    make_assessment(project)
    draft = make_assessment(project, [1], state=State.DRAFT)
    user = AnonymousUser() if role is None else request.getfixturevalue(role)
    html = _render_tag(project, user)
    assert (draft.get_absolute_url() in html) == (role in SEES_OPEN)


def test_project_part_query_count_is_constant(project, make_assessment, team_member,
                                              make_group):
    make_assessment(project, evidence_url="https://example.org/a")
    few = query_count(_render_tag, project, team_member)
    make_assessment(project, [2, 2, 2, 2, 2, 2, 2, 2], evidence_url="https://example.org/b")
    document = Document.objects.create(title="Bericht", group=make_group())
    score = project.assessments.get(is_current=True).scores.first()
    score.evidence.create(label="Dok", document=document)
    score.evidence.create(label="Erg", result=Result.objects.create(project=project, title="R"))
    assert query_count(_render_tag, project, team_member) == few


@pytest.mark.parametrize("role", ROLES)
def test_open_assessments_are_404_outside_team_and_coordinator(as_role, project,
                                                               make_assessment, role):
    published = make_assessment(project)
    draft = make_assessment(project, [1], state=State.SUBMITTED)
    client = as_role(role)
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == (200 if role in SEES_OPEN
                                                                 else 404)
    history = client.get(reverse("assessments:history", kwargs={"slug": project.slug}))
    assert history.status_code == 200
    assert (draft.get_absolute_url() in history.content.decode()) == (role in SEES_OPEN)


def test_history_lists_published_assessments_and_compares_scores(client, project,
                                                                 make_assessment):
    make_assessment(project, [1] * 8, published_at=timezone.now() - timedelta(days=400))
    make_assessment(project, [2, 1, 0, -1, 2, 1, 0, 1])
    html = client.get(reverse("assessments:history", kwargs={"slug": project.slug})
                      ).content.decode()
    assert html.count("Assessment published on") == 2
    assert "up by 1" in html and "down by 2" in html and "unchanged" in html


def test_team_writes_saves_and_submits_through_the_form(client_for, project, team_member,
                                                       make_group, settings):
    client = client_for(team_member)
    response = client.post(reverse("assessments:start", kwargs={"slug": project.slug}))
    assessment = project.assessments.get()
    assert response.url == reverse("assessments:edit", kwargs={"pk": assessment.pk})
    edit = reverse("assessments:edit", kwargs={"pk": assessment.pk})
    assert client.get(edit).status_code == 200
    result = Result.objects.create(project=project, title="Sensoren", progress=40)
    document = Document.objects.create(title="Evaluation", created_by=team_member,
                                       group=make_group(members=[team_member]))
    form = {"score_1": "2", "justification_1": "Mehr Grün.",
            **rows(1, {"label": "Bericht", "url": "https://example.org/b.pdf"},
                   {"label": "Evaluation", "document": document.pk}),
            "results_1": [str(result.pk)]}
    assert client.post(edit, {**form, "version": "1"}).status_code == 302  # one principle
    score = assessment.scores.get()
    assert [(e.label, e.url, e.document_id, e.result_id) for e in score.evidence.all()] == [
        ("Bericht", "https://example.org/b.pdf", None, None),
        ("Evaluation", "", document.pk, None), ("Sensoren", "", None, result.pk)]
    # Submitting with principles missing keeps the draft and says what is missing.
    response = client.post(edit, {**form, "submit": "1", "version": _stored_version(assessment)})
    assert response.status_code == 400
    assert "missing: 2, 3, 4, 5, 6, 7, 8" in response.content.decode()
    full = {**form}
    for n in range(2, 9):
        full[f"score_{n}"], full[f"justification_{n}"] = "0", f"Neutral {n}."
    full["version"] = _stored_version(assessment)
    assert client.post(edit, {**full, "submit": "1"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED
    # Once submitted the form is closed.
    assert client.get(edit).status_code == 302


def test_form_errors_appear_next_to_the_field_and_nothing_is_saved(client_for, project,
                                                                    team_member):
    client = client_for(team_member)
    assessment = services.start(project=project, by=team_member)
    edit = reverse("assessments:edit", kwargs={"pk": assessment.pk})
    response = client.post(edit, {"version": "1", "score_1": "2", "justification_1": "",
                                  "score_2": "1", "justification_2": "Gut.",
                                  **rows(2, {"label": "Quelle", "url": "javascript:alert(1)"}),
                                  "justification_3": "Ohne Punktzahl"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_justification_1_error"' in html and "Explain the score." in html
    assert 'id="id_evidence_2-0-url_error"' in html
    assert 'value="javascript:alert(1)"' in html  # the row is kept to be corrected
    assert 'id="id_score_3_error"' in html and "Choose a score from -2 to +2." in html
    response = client.post(edit, {"version": "1", "score_4": "7", "justification_4": "x"})
    assert response.status_code == 400 and 'id="id_score_4_error"' in response.content.decode()
    assert not assessment.scores.exists()


@pytest.mark.parametrize("role", ["citizen", "outsider"])
def test_outsiders_cannot_start_or_edit(as_role, project, team_member, role):
    client = as_role(role)
    assert client.post(reverse("assessments:start", kwargs={"slug": project.slug})
                       ).status_code == 403
    assessment = services.start(project=project, by=team_member)
    # They may not even see the draft.
    assert client.get(reverse("assessments:edit", kwargs={"pk": assessment.pk})
                      ).status_code == 404


def test_visitor_is_sent_to_login(client, project):
    response = client.post(reverse("assessments:start", kwargs={"slug": project.slug}))
    assert response.status_code == 302 and "login" in response.url


def test_starting_twice_goes_to_the_open_one(client_for, project, team_member):
    client = client_for(team_member)
    start = reverse("assessments:start", kwargs={"slug": project.slug})
    client.post(start)
    response = client.post(start, follow=True)
    assert "already has an open assessment" in response.content.decode()
    assert project.assessments.count() == 1


def test_coordinator_reviews_from_the_queue(client_for, project, team_member, coordinator):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    services.submit(assessment=assessment, by=team_member)
    client = client_for(coordinator)
    queue = client.get(reverse("assessments:reviews")).content.decode()
    assert assessment.get_absolute_url() in queue
    action = "assessments:action"
    # Asking for changes without a comment: the error sits next to the field.
    response = client.post(reverse(action, kwargs={"pk": assessment.pk,
                                                   "action": "request-changes"}), {})
    assert response.status_code == 400 and 'id="id_comment_error"' in response.content.decode()
    client.post(reverse(action, kwargs={"pk": assessment.pk, "action": "request-changes"}),
                {"comment": "Belege fehlen."})
    assessment.refresh_from_db()
    assert assessment.state == State.CHANGES_REQUESTED
    page = client_for(team_member).get(assessment.get_absolute_url()).content.decode()
    assert "Belege fehlen." in page
    # Accepting now is illegal: a clear message, nothing changes.
    response = client.post(reverse(action, kwargs={"pk": assessment.pk, "action": "accept"}),
                           follow=True)
    assert "Only a submitted assessment can be reviewed" in response.content.decode()
    client_for(team_member).post(reverse(action, kwargs={"pk": assessment.pk,
                                                         "action": "submit"}))
    client.post(reverse(action, kwargs={"pk": assessment.pk, "action": "accept"}))
    assessment.refresh_from_db()
    assert assessment.state == State.ACCEPTED and assessment.is_current
    assert assessment.get_absolute_url() not in client.get(reverse("assessments:reviews")
                                                           ).content.decode()


@pytest.mark.parametrize("role", ["citizen", "outsider", "team_member"])
def test_only_the_coordinator_sees_the_queue_and_reviews(as_role, project, team_member, role):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    services.submit(assessment=assessment, by=team_member)
    client = as_role(role)
    assert client.get(reverse("assessments:reviews")).status_code == 403
    # The team sees the assessment but may not review it (403); others do not see it (404).
    response = client.post(reverse("assessments:action",
                                   kwargs={"pk": assessment.pk, "action": "accept"}))
    assert response.status_code == (403 if role == "team_member" else 404)
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED


def test_queue_query_count_is_constant(client_for, coordinator, make_project,
                                       make_assessment):
    client = client_for(coordinator)
    make_assessment(make_project("A"), state=State.SUBMITTED)
    few = query_count(client.get, reverse("assessments:reviews"))
    for title in "BCDE":
        make_assessment(make_project(title), state=State.SUBMITTED)
    assert query_count(client.get, reverse("assessments:reviews")) == few


# ---------------------------------------------------------------------------------------------
# Portfolio


@pytest.fixture
def portfolio_projects(make_project, make_assessment):
    """Three assessed projects (one harms principle 4, none serves principle 7) and one not
    assessed."""
    areas = list(FocusArea.objects.active()[:2])
    a = make_project("Radweg", area=areas[0], phase=Project.Phase.PILOT)
    b = make_project("Solardach", area=areas[1], phase=Project.Phase.ROLLOUT)
    c = make_project("Parkhaus", area=areas[0], phase=Project.Phase.CONCEPT)
    make_project("Unbewertet")
    make_assessment(a, [2, 1, 0, 1, 0, 1, 0, 1])
    make_assessment(b, [1, 0, 1, 2, 1, 0, 0, 0])
    make_assessment(c, [0, 0, 0, -2, 1, 0, -1, 0])
    return a, b, c, areas


def _summary(html):
    return {int(n): (int(s), int(h)) for n, s, h in re.findall(
        r'data-principle="(\d)"><th scope="row">[^<]*</th>\s*<td>(\d+).*?</td>\s*<td>\d+</td>'
        r'\s*<td>(\d+)', html, re.S)}


def test_portfolio_matrix_summary_and_highlights(client, portfolio_projects):
    a, b, c, _areas = portfolio_projects
    html = client.get(reverse("assessments:portfolio")).content.decode()
    assert "3 assessed projects" in html and "Unbewertet" not in html
    summary = _summary(html)
    assert summary[1] == (2, 0) and summary[4] == (2, 1) and summary[7] == (0, 1)
    assert "No project serves these principles:" in html
    unserved = html[html.index("No project serves"):html.index("</ul>",
                                                                html.index("No project serves"))]
    assert "7." in unserved and "1." not in unserved
    assert "harms 2 principles" in html  # Parkhaus harms 4 and 7, said in text


def test_portfolio_filters(client, portfolio_projects):
    a, b, c, areas = portfolio_projects
    url = reverse("assessments:portfolio")
    html = client.get(url, {"focus_area": areas[0].slug}).content.decode()
    assert "2 assessed projects" in html and "Solardach" not in html
    # The summary counts the filtered projects only.
    assert _summary(html)[1] == (1, 0)
    html = client.get(url, {"phase": "rollout"}).content.decode()
    assert "1 assessed project" in html and "Solardach" in html
    html = client.get(url, {"harms": "on"}).content.decode()
    assert "1 assessed project" in html and "Parkhaus" in html
    # An unknown value is ignored, not an error.
    assert client.get(url, {"phase": "nonsense"}).status_code == 200
    # htmx asks for the results part only.
    part = client.get(url, {"phase": "rollout"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Solardach" in part and "<form" not in part


def test_portfolio_coordinator_sees_pending_reviews(client_for, coordinator, citizen,
                                                    portfolio_projects, make_project,
                                                    make_assessment):
    make_assessment(make_project("Offen"), state=State.SUBMITTED)
    html = client_for(coordinator).get(reverse("assessments:portfolio")).content.decode()
    assert "1 assessment to review" in html and reverse("assessments:reviews") in html
    html = client_for(citizen).get(reverse("assessments:portfolio")).content.decode()
    assert reverse("assessments:reviews") not in html


def test_portfolio_csv_is_the_filtered_matrix_and_defused(client, portfolio_projects,
                                                           make_project, make_assessment):
    make_assessment(make_project("=HYPERLINK(\"http://evil\")"), [1] * 8)
    a, b, c, areas = portfolio_projects
    response = client.get(reverse("assessments:portfolio_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Project" and len(rows[0]) == 11
    titles = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in titles
    parkhaus = next(row for row in rows if row[0] == "Parkhaus")
    assert parkhaus[3:] == ["0", "0", "0", "-2", "1", "0", "-1", "0"]
    filtered = client.get(reverse("assessments:portfolio_csv"), {"phase": "rollout"})
    assert [row[0] for row in csv.reader(io.StringIO(filtered.content.decode()))][1:] == [
        "Solardach"]


def test_portfolio_query_count_is_constant(client, make_project, make_assessment):
    make_assessment(make_project("Eins"))
    url = reverse("assessments:portfolio")
    few = query_count(client.get, url)
    for n in range(6):
        make_assessment(make_project(f"Projekt {n}"), [n % 5 - 2] * 8)
    assert query_count(client.get, url) == few
    assert query_count(client.get, url, {"focus_area": "mobilitaet", "harms": "on"}) <= few


def test_portfolio_is_paginated(client, make_project, make_assessment, settings):
    from stadtallianz.assessments import views

    views.PROJECTS_PER_PAGE, old = 2, views.PROJECTS_PER_PAGE
    try:
        for n in range(5):
            make_assessment(make_project(f"Projekt {n}"), [1] * 8)
        html = client.get(reverse("assessments:portfolio"), {"page": 3}).content.decode()
    finally:
        views.PROJECTS_PER_PAGE = old
    assert "Projekt 4" in html and "Projekt 0" not in html
    # The summary counts all five, not the page.
    assert _summary(html)[1] == (5, 0)


def test_project_page_shows_the_assessment(client, project, make_assessment):
    make_assessment(project)
    html = client.get(project.get_absolute_url()).content.decode()
    assert 'role="img"' in html and _table_values(html) == dict(enumerate(VALUES, start=1))


def test_project_page_assessment_part_adds_constant_queries(client, project, make_assessment):
    without = query_count(client.get, project.get_absolute_url())
    make_assessment(project, evidence_url="https://example.org/a")
    with_one = query_count(client.get, project.get_absolute_url())
    make_assessment(project, [2] * 8, evidence_url="https://example.org/b")
    assert query_count(client.get, project.get_absolute_url()) == with_one
    assert with_one - without <= 3


def test_pages_and_messages_in_german(project, make_assessment, team_member, client_for):
    from django.utils import translation

    make_assessment(project, [-2, 1, 0, 1, 2, 1, 0, 1])
    with translation.override("de"):
        client = client_for(team_member)
        html = client.get(reverse("assessments:portfolio")).content.decode()
        assert "Portfolio nach den Leitprinzipien" in html and "schadet 1 Prinzip" in html
        html = client.get(reverse("assessments:history", kwargs={"slug": project.slug})
                          ).content.decode()
        assert "Bewertungen im Vergleich" in html and "schadet stark" in html
        response = client.post(reverse("assessments:start", kwargs={"slug": project.slug}),
                               follow=True)
        assert "Ein Entwurf ist angelegt" in response.content.decode()
        draft = project.assessments.exclude(state=Assessment.State.ACCEPTED).get()
        response = client.post(reverse("assessments:edit", kwargs={"pk": draft.pk}),
                               {"version": "1", "score_1": "1", "justification_1": ""})
        assert "Begründen Sie die Bewertung." in response.content.decode()


def test_history_query_count_is_constant(client, project, make_assessment):
    url = reverse("assessments:history", kwargs={"slug": project.slug})
    make_assessment(project, published_at=timezone.now() - timedelta(days=300))
    few = query_count(client.get, url)
    for days in (200, 100, 10):
        make_assessment(project, [1] * 8, published_at=timezone.now() - timedelta(days=days))
    assert query_count(client.get, url) == few


def test_the_form_tells_of_a_concurrent_save_and_shows_the_difference(client_for, project,
                                                                      team_member, coordinator):
    draft = services.start(project=project, by=team_member)
    edit = reverse("assessments:edit", kwargs={"pk": draft.pk})
    # Both open the form at version 1; the coordinator saves first.
    services.save_scores(assessment=draft, by=coordinator, version=1, scores=[
        {"principle": 1, "score": 1, "justification": "Erste Zeile.\nZweite Zeile.",
         "evidence": []}])
    response = client_for(team_member).post(edit, {
        "version": "1", "score_1": "2", "justification_1": "Erste Zeile.\nAndere Zeile."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this assessment" in html
    assert "+1 serves" in html and "+2 serves strongly" in html
    assert "Zweite Zeile." in html and "Andere Zeile." in html
    assert "@@" not in html and "-Zweite Zeile." not in html  # a table, never a diff
    assert 'name="version" value="2"' in html
    assert draft.scores.get().score == 1
    # Saving again from the stored version goes through.
    response = client_for(team_member).post(edit, {
        "version": "2", "score_1": "2", "justification_1": "Erste Zeile.\nAndere Zeile."})
    assert response.status_code == 302 and draft.scores.get().score == 2


@pytest.mark.parametrize("role, sees", [(None, False), ("citizen", False), ("outsider", False),
                                        ("coordinator", True), ("group_member", True)])
def test_members_only_document_evidence_is_shown_only_to_its_readers(
        as_role, client_for, citizen, project, make_assessment, make_group, role, sees):
    """A published assessment is public; a members-only document cited as evidence is not, so
    its title and address appear only to those who may read it: project page, assessment page
    and API alike."""
    group = make_group(members=[citizen] if role == "group_member" else [])
    document = Document.objects.create(title="Interne Radzaehlung", group=group,
                                       visibility=Document.Visibility.MEMBERS)
    assessment = make_assessment(project)
    assessment.scores.first().evidence.create(label=document.title, document=document)
    client = client_for(citizen) if role == "group_member" else as_role(role)
    pages = [client.get(project.get_absolute_url()), client.get(assessment.get_absolute_url()),
             client.get(f"/api/v1/assessments/{assessment.pk}")]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert ("Interne Radzaehlung" in body) == sees
        assert (f"/knowledge/documents/{document.pk}/" in body) == sees


def test_a_coordinator_who_wrote_it_is_not_offered_the_review_and_is_refused(
        client_for, project, coordinator, second_coordinator):
    assessment = services.start(project=project, by=coordinator)
    save_current(assessment=assessment, by=coordinator, scores=scores_data())
    services.submit(assessment=assessment, by=coordinator)
    own = client_for(coordinator)
    html = own.get(assessment.get_absolute_url()).content.decode()
    assert "Accept and publish" not in html
    assert "another person of the coordination office reviews it" in html
    for action in ("accept", "request-changes"):
        response = own.post(reverse("assessments:action",
                                    kwargs={"pk": assessment.pk, "action": action}),
                            {"comment": "Bitte Belege."})
        assert response.status_code == 403
        assert "another person of the coordination office has to review it" in (
            response.content.decode())
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED
    other = client_for(second_coordinator)
    assert "Accept and publish" in other.get(assessment.get_absolute_url()).content.decode()
    other.post(reverse("assessments:action", kwargs={"pk": assessment.pk, "action": "accept"}))
    assessment.refresh_from_db()
    assert assessment.state == State.ACCEPTED


def test_deleting_a_result_or_document_keeps_the_evidence_on_the_published_assessment(
        client, project, make_assessment, make_group, team_member):
    assessment = make_assessment(project)
    score = assessment.scores.get(principle__number=1)
    result = Result.objects.create(project=project, title="Sensoren", progress=40)
    document = Document.objects.create(title="Zaehlung", group=make_group())
    score.evidence.create(label="Sensornetz", result=result)
    score.evidence.create(label="Radzaehlung", document=document)
    result.delete()
    document.delete()
    for url in (project.get_absolute_url(), assessment.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Sensornetz <span class=\"evidence-kind\">(removed)</span>" in html
        assert "Radzaehlung <span class=\"evidence-kind\">(removed)</span>" in html
    evidence = client.get(f"/api/v1/assessments/{assessment.pk}").json()["scores"][0]["evidence"]
    assert [(e["label"], e["result"], e["document"], e["web_url"], e["source_removed"])
            for e in evidence] == [("Sensornetz", None, None, None, True),
                                   ("Radzaehlung", None, None, None, True)]
    # A new draft does not rest on what is gone.
    draft = services.start(project=project, by=team_member)
    assert not draft.scores.get(principle__number=1).evidence.exists()


def test_deleting_a_members_only_document_withholds_its_evidence_label_from_everyone(
        client, client_for, citizen, project, make_assessment, make_group, coordinator):
    """While the document existed only its readers saw the label; once it is gone nobody can
    tell who they were, so nobody sees the label (the public document's label above stays)."""
    assessment = make_assessment(project)
    document = Document.objects.create(title="Interne Radzaehlung", group=make_group(
        members=[citizen]), visibility=Document.Visibility.MEMBERS)
    assessment.scores.get(principle__number=1).evidence.create(label=document.title,
                                                               document=document)
    assert "Interne Radzaehlung" in client_for(citizen).get(project.get_absolute_url()
                                                            ).content.decode()
    document.delete()
    with translation.override("en"):
        urls = (project.get_absolute_url(), assessment.get_absolute_url(),
                f"/api/v1/assessments/{assessment.pk}?lang=en")
    for viewer in (client, client_for(citizen), client_for(coordinator)):
        for url in urls:
            body = viewer.get(url).content.decode()
            assert "Interne Radzaehlung" not in body
            assert "a document for members only" in body


def test_a_form_without_version_saves_nothing_and_says_why(client_for, project, team_member):
    draft = services.start(project=project, by=team_member)
    response = client_for(team_member).post(
        reverse("assessments:edit", kwargs={"pk": draft.pk}),
        {"score_1": "2", "justification_1": "Mehr Grün."})
    assert response.status_code == 400
    assert "lacks the version" in response.content.decode()
    assert not draft.scores.exists()


def test_the_conflict_shows_the_other_editors_evidence(client_for, project, team_member,
                                                       coordinator):
    draft = services.start(project=project, by=team_member)
    services.save_scores(assessment=draft, by=coordinator, version=1, scores=[
        {"principle": 1, "score": 1, "justification": "Gleich.",
         "evidence": [{"label": "Messbericht", "url": "https://example.org/m"}]}])
    response = client_for(team_member).post(
        reverse("assessments:edit", kwargs={"pk": draft.pk}),
        {"version": "1", "score_1": "1", "justification_1": "Gleich."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Messbericht" in html and "https://example.org/m" in html
    assert "-Messbericht" not in html


@pytest.mark.parametrize("role", ROLES)
def test_the_back_office_navigation_links_the_review_queue_with_its_count(
        as_role, project, make_project, make_assessment, role):
    make_assessment(project, state=State.SUBMITTED)
    make_assessment(make_project("Radweg"), state=State.SUBMITTED)
    client = as_role(role)
    dashboard = client.get(reverse("backoffice:dashboard"))
    if role != "coordinator":
        # Nobody else sees the back office, nor its navigation.
        assert dashboard.status_code == (302 if role is None else 403)
        assert reverse("assessments:reviews") not in dashboard.content.decode()
        return
    html = dashboard.content.decode()
    queue_url = re.escape(reverse("assessments:reviews"))
    link = re.search(queue_url + r'"[^>]*>([^<]*)<span class="nav-count">([^<]*)</span></a>',
                     html)
    assert link and link.groups() == ("Assessments to review ", "(2 waiting)")
    queue = client.get(reverse("assessments:reviews")).content.decode()
    assert f'href="{reverse("assessments:reviews")}" aria-current="page"' in queue
    with translation.override("de"):
        html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "Zu prüfende Bewertungen <span class=\"nav-count\">(2 warten)</span>" in html


def test_a_project_title_without_english_is_marked_german_on_english_pages(client, make_project):
    """WCAG 3.1.2: the German title shown on an English page carries lang="de" (issue 14)."""
    german_only = make_project("Klimaquartier Hafen", slug="hafen", title_en="")
    translated = make_project("Klimaquartier", slug="quartier", title_en="Climate district")
    html = client.get(reverse("assessments:history", kwargs={"slug": german_only.slug})
                      ).content.decode()
    assert '<h1>Assessments of <span lang="de">Klimaquartier Hafen</span></h1>' in html
    html = client.get(reverse("assessments:history", kwargs={"slug": translated.slug})
                      ).content.decode()
    assert "<h1>Assessments of Climate district</h1>" in html
    with translation.override("de"):
        html = client.get(reverse("assessments:history", kwargs={"slug": german_only.slug})
                          ).content.decode()
    assert 'lang="de">Klimaquartier' not in html
