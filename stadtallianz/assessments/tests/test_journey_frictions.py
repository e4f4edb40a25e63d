"""Issue 14, the assessment journey without friction: a refused "save and submit" keeps what was
typed and the version just saved (no false conflict afterwards); a real conflict is a side-by-
side table of fields with "take theirs" per field; evidence is entered as rows (label and a web
address, a document or a datastream) with "add evidence" working without script; links to this
site's documents and datastreams stored as addresses become references (data migration)."""

import re

import pytest
from django.urls import reverse

from stadtallianz.assessments import services
from stadtallianz.assessments.models import Assessment, Evidence
from stadtallianz.core.testing import field_errors, migrate_to, migrate_to_latest
from stadtallianz.knowledge.models import Document
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401

from .test_views import rows

pytestmark = pytest.mark.django_db
State = Assessment.State


def _version_in(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _all_scored(first: dict | None = None) -> dict:
    data = {}
    for n in range(1, 9):
        data[f"score_{n}"], data[f"justification_{n}"] = "1", f"Begründung {n}."
        data.update(rows(n))
    return {**data, **(first or {})}


@pytest.fixture
def draft(project, team_member):
    return services.start(project=project, by=team_member)


@pytest.fixture
def edit(draft):
    return reverse("assessments:edit", kwargs={"pk": draft.pk})


# ---------------------------------------------------------------------------------------------
# A refused submit


def test_a_refused_submit_keeps_the_input_and_the_new_version_then_submits(
        client_for, draft, edit, team_member):
    client = client_for(team_member)
    typed = {"score_1": "2", "justification_1": "Mehr Grün im Quartier.",
             **rows(1, {"label": "Evaluationsbericht", "url": "https://example.org/e.pdf"},
                    {"label": "Zweiter Bericht", "url": "https://example.org/z.pdf"})}
    page = client.get(edit).content.decode()
    response = client.post(edit, {**typed, "version": _version_in(page), "submit": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    # Said at the top, and at each principle still missing.
    assert "The draft has been saved, but it cannot be submitted yet." in html
    assert "missing: 2, 3, 4, 5, 6, 7, 8" in html
    assert 'id="id_score_2_error"' in html and 'id="id_score_1_error"' not in html
    # Everything typed is still there, evidence rows included.
    assert "Mehr Grün im Quartier." in html
    assert 'value="Evaluationsbericht"' in html and 'value="https://example.org/z.pdf"' in html
    # The draft was saved, and the form carries the version just saved.
    draft.refresh_from_db()
    assert draft.version == 2 and draft.state == State.DRAFT
    assert _version_in(html) == "2"
    assert [e.label for e in draft.scores.get().evidence.all()] == ["Evaluationsbericht",
                                                                   "Zweiter Bericht"]
    # Fixed and sent again from what the page holds: no conflict, submitted.
    fixed = _all_scored(typed)
    response = client.post(edit, {**fixed, "version": _version_in(html), "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED and draft.scores.count() == 8


def test_a_second_refused_submit_is_no_conflict_either(client_for, draft, edit, team_member):
    client = client_for(team_member)
    data = {"score_1": "1", "justification_1": "Eins.", **rows(1)}
    html = client.post(edit, {**data, "version": "1", "submit": "1"}).content.decode()
    response = client.post(edit, {**data, "version": _version_in(html), "submit": "1"})
    assert response.status_code == 400
    assert "Someone else saved" not in response.content.decode()
    assert _version_in(response.content.decode()) == "3"


# ---------------------------------------------------------------------------------------------
# A real conflict


def _other_saves(draft, coordinator, **first):
    services.save_scores(assessment=draft, by=coordinator, version=draft.version, scores=[
        {"principle": 1, "score": 1, "justification": "Ihre Begründung.",
         "evidence": [{"label": "Ihr Bericht", "url": "https://example.org/ihr"}], **first},
        {"principle": 2, "score": 0, "justification": "Neutral.", "evidence": []}])


def test_a_real_conflict_is_a_side_by_side_table_of_fields(client_for, draft, edit,
                                                           team_member, coordinator):
    client = client_for(team_member)
    version = _version_in(client.get(edit).content.decode())
    _other_saves(draft, coordinator)
    response = client.post(edit, {
        "version": version, "score_1": "2", "justification_1": "Meine Begründung.",
        **rows(1, {"label": "Ihr Bericht", "url": "https://example.org/ihr"}),
        "score_2": "0", "justification_2": "Neutral."})
    assert response.status_code == 409
    html = response.content.decode()
    table = html[html.index('class="comparison-table conflict-table'):]
    table = table[:table.index("</table>")]
    # Principle 1 differs in score and justification, not in evidence; principle 2 is the same.
    assert "1. " in table and "2. " not in table
    cells = re.findall(r'<tr( class="conflict-changed")?>\s*<th scope="row">([^<]+)', table)
    assert [(bool(changed), label.strip()) for changed, label in cells] == [
        (True, "Score"), (True, "Justification"), (False, "Evidence")]
    assert "Ihre Begründung." in table and "Meine Begründung." in table
    assert "+1 serves" in table and "+2 serves strongly" in table
    assert 'name="take" value="1:score"' in table and 'name="take" value="1:evidence"' not in table
    assert "@@" not in html and "---" not in table
    # The form keeps mine and starts from their version: saving again keeps mine.
    assert _version_in(html) == str(Assessment.objects.get(pk=draft.pk).version)
    assert "Meine Begründung." in html[html.index('id="principle-1"'):]


def test_take_theirs_per_field_then_save(client_for, draft, edit, team_member, coordinator):
    client = client_for(team_member)
    _other_saves(draft, coordinator)
    mine = {"score_1": "2", "justification_1": "Meine Begründung.",
            **rows(1, {"label": "Mein Bericht", "url": "https://example.org/mein"}),
            "score_2": "0", "justification_2": "Neutral."}
    html = client.post(edit, {**mine, "version": "1"}).content.decode()
    # Take their justification, keep my score and evidence.
    response = client.post(edit, {**mine, "version": _version_in(html),
                                  "take": "1:justification"})
    assert response.status_code == 200
    html = response.content.decode()
    form = html[html.index('id="principle-1"'):]
    assert "Ihre Begründung." in form and "Meine Begründung." not in form
    assert 'value="Mein Bericht"' in form
    table = html[html.index("conflict-table"):html.index("</table>")]
    assert "Meine Begründung." not in table  # no longer differs
    assert 'name="take" value="1:evidence"' in table
    # Take their evidence too: their rows replace mine.
    data = {key: value for key, value in mine.items() if not key.startswith("evidence_1")}
    data.update(rows(1, {"label": "Mein Bericht", "url": "https://example.org/mein"}))
    data["justification_1"] = "Ihre Begründung."
    html = client.post(edit, {**data, "version": _version_in(html),
                              "take": "1:evidence"}).content.decode()
    assert 'value="Ihr Bericht"' in html and 'value="Mein Bericht"' not in html
    # Saving now is no conflict: their justification and evidence, my score.
    response = client.post(edit, {**data, **rows(1, {"label": "Ihr Bericht",
                                                     "url": "https://example.org/ihr"}),
                                  "version": _version_in(html)})
    assert response.status_code == 302
    score = draft.scores.get(principle__number=1)
    assert (score.score, score.justification) == (2, "Ihre Begründung.")
    assert [e.label for e in score.evidence.all()] == ["Ihr Bericht"]


def test_the_conflict_table_is_translated(client_for, draft, team_member, coordinator):
    client = client_for(team_member)
    _other_saves(draft, coordinator)
    url = f"/de/assessments/{draft.pk}/edit/"
    html = client.post(url, {"version": "1", "score_1": "2",
                             "justification_1": "Meine."}).content.decode()
    assert "Gespeicherte Fassung" in html and "Ihre Eingabe" in html
    assert "Gespeicherte übernehmen" in html and "weicht ab" in html


# ---------------------------------------------------------------------------------------------
# Evidence rows


def test_add_evidence_without_script_adds_a_row_and_saves_nothing(client_for, draft, edit,
                                                                 team_member):
    client = client_for(team_member)
    typed = {"version": "1", "score_1": "1", "justification_1": "Eins.",
             **rows(1, {"label": "Erster", "url": "https://example.org/1"})}
    response = client.post(edit, {**typed, "add_evidence": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="evidence_1-TOTAL_FORMS" value="2"' in html
    assert 'name="evidence_1-1-label"' in html and 'value="Erster"' in html
    assert "form-error-summary" not in html
    assert not draft.scores.exists()
    # The button is there for each principle, with the script that does it in place.
    page = client.get(edit).content.decode()
    assert page.count('name="add_evidence"') == 8 and "assessments/evidence.js" in page
    assert "<template data-evidence-template=\"1\">" in page


def test_evidence_rows_name_a_link_a_document_or_a_datastream(
        client_for, draft, edit, team_member, lab, make_datastream, make_group):  # noqa: F811
    public = make_datastream(lab, name="Wassertemperatur")
    restricted = make_datastream(lab, name="Intern", privacy_level=PrivacyLevel.RESTRICTED)
    document = Document.objects.create(title="Evaluation", created_by=team_member,
                                       group=make_group(members=[team_member]))
    client = client_for(team_member)
    page = client.get(edit).content.decode()
    assert "Wassertemperatur" in page and "Intern" not in page and "Evaluation" in page
    response = client.post(edit, {"version": "1", "score_1": "2", "justification_1": "Grün.",
                                  **rows(1, {"label": "Link", "url": "https://example.org/l"},
                                         {"label": "Dokument", "document": document.pk},
                                         {"label": "Messreihe", "datastream": public.pk},
                                         {"label": "", "url": ""},  # an empty row: ignored
                                         {"label": "Weg", "url": "https://example.org/x",
                                          "DELETE": "on"})})
    assert response.status_code == 302
    evidence = list(draft.scores.get().evidence.all())
    assert [(e.label, e.url, e.document_id, e.datastream_id) for e in evidence] == [
        ("Link", "https://example.org/l", None, None), ("Dokument", "", document.pk, None),
        ("Messreihe", "", None, public.pk)]
    # Two sources in one row, or a restricted datastream: refused next to the row.
    response = client.post(edit, {"version": "2", "score_1": "2", "justification_1": "Grün.",
                                  **rows(1, {"label": "OK", "url": "https://example.org/ok"},
                                         {"label": "Zwei", "url": "https://example.org/z",
                                          "document": document.pk})})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_evidence_1-1-url_error"' in html and "Give exactly one of" in html
    response = client.post(edit, {"version": "2", "score_1": "2", "justification_1": "Grün.",
                                  **rows(1, {"label": "Intern", "datastream": restricted.pk})})
    assert response.status_code == 400
    assert 'id="id_evidence_1-0-datastream_error"' in response.content.decode()
    assert draft.scores.get().evidence.count() == 3
    # The detail page links the datastream's lab.
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "Messreihe" in detail and lab.get_absolute_url() in detail


def test_the_api_takes_and_gives_datastream_evidence(call, token_for, draft, team_member,
                                                     lab, make_datastream):  # noqa: F811
    public = make_datastream(lab)
    restricted = make_datastream(lab, name="Intern", privacy_level=PrivacyLevel.RESTRICTED)
    key = token_for(team_member)
    url = f"/api/v1/assessments/{draft.pk}/scores"
    body = {"version": 1, "scores": [{"principle": 1, "score": 1, "justification": "Ja.",
                                      "evidence": [{"label": "Temperatur",
                                                    "datastream": restricted.pk}]}]}
    assert field_errors(call("PUT", url, body, key=key)) == {"datastream"}
    body["scores"][0]["evidence"][0]["datastream"] = public.pk
    response = call("PUT", url, body, key=key)
    assert response.status_code == 200, response.content
    item = response.json()["scores"][0]["evidence"][0]
    assert item["datastream"] == public.pk and item["url"] is None
    assert item["web_url"].endswith(lab.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# The data migration


BEFORE = [("assessments", "0006_evidence_datastream")]
AFTER = [("assessments", "0007_evidence_links_to_references")]


@pytest.fixture
def migrating(transactional_db):
    from tests.browser.conftest import _reference_data

    _reference_data()  # the principles (a transactional test starts from empty tables)
    yield
    migrate_to_latest()


def test_links_to_this_sites_documents_and_datastreams_become_references(
        migrating, project, team_member, lab, make_datastream, make_group, settings):  # noqa: F811
    site = settings.SITE_URL.rstrip("/")
    public = make_datastream(lab)
    restricted = make_datastream(lab, name="Intern", privacy_level=PrivacyLevel.RESTRICTED)
    document = Document.objects.create(title="Evaluation", created_by=team_member,
                                       group=make_group(members=[team_member]))
    draft = services.start(project=project, by=team_member)
    apps = migrate_to(BEFORE)
    Score = apps.get_model("assessments", "Score")
    OldEvidence = apps.get_model("assessments", "Evidence")
    principle = apps.get_model("core", "Principle").objects.get(number=1)
    score = Score.objects.create(assessment_id=draft.pk, principle=principle, score=1,
                                 justification="Ja.")
    links = {
        "doc": f"{site}/de/knowledge/documents/{document.pk}/",
        "stream": f"{site}/living-labs/{lab.slug}/datastreams/{public.pk}/chart/",
        "restricted": f"{site}/living-labs/{lab.slug}/datastreams/{restricted.pk}/chart/",
        "gone": f"{site}/knowledge/documents/999999/",
        "elsewhere": "https://example.org/knowledge/documents/1/",
    }
    for label, url in links.items():
        OldEvidence.objects.create(score=score, label=label, url=url)
    migrate_to(AFTER)
    stored = {e.label: (e.url, e.document_id, e.datastream_id)
              for e in Evidence.objects.filter(score_id=score.pk)}
    assert stored == {
        "doc": ("", document.pk, None), "stream": ("", None, public.pk),
        "restricted": (links["restricted"], None, None), "gone": (links["gone"], None, None),
        "elsewhere": (links["elsewhere"], None, None)}
    # Backwards the datastream reference becomes its link again (its column goes).
    apps = migrate_to([("assessments", "0005_evidence_label_withheld")])
    back = {e.label: (e.url, e.document_id) for e in apps.get_model(
        "assessments", "Evidence").objects.filter(score_id=score.pk)}
    assert back["stream"] == (links["stream"], None) and back["doc"] == ("", document.pk)


def test_the_form_takes_as_many_queries_however_much_evidence_and_choice(
        client_for, draft, edit, team_member, lab, make_datastream, make_group):  # noqa: F811
    from stadtallianz.core.testing import query_count

    client = client_for(team_member)
    group = make_group(members=[team_member])

    def save(n):
        services.save_scores(assessment=draft, by=team_member,
                             version=Assessment.objects.get(pk=draft.pk).version, scores=[
            {"principle": p, "score": 1, "justification": "Ja.",
             "evidence": [{"label": f"Link {i}", "url": f"https://example.org/{i}"}
                          for i in range(n)]} for p in range(1, 9)])

    make_datastream(lab, name="Eins")
    Document.objects.create(title="Dok 0", created_by=team_member, group=group)
    save(1)
    few = query_count(client.get, edit)
    for i in range(1, 4):
        make_datastream(lab, name=f"Strom {i}")
        Document.objects.create(title=f"Dok {i}", created_by=team_member, group=group)
    save(4)
    assert query_count(client.get, edit) == few


def test_digits_int_cannot_read_are_no_500(client_for, draft, edit, team_member):
    # "²" is a digit to str.isdigit() but not a number to int(): refused, not a crash.
    client = client_for(team_member)
    assert client.post(edit, {"version": "1", "add_evidence": "²"}).status_code < 500
    assert client.post(edit, {"version": "1", "take": "²:score"}).status_code == 404
