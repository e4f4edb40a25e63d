"""The back office's start page is a work queue; the audit log reads as sentences."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.testing import query_count
from stadtallianz.ideas.models import Idea, IdeaReport
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.opendata.tests.conftest import make_dataset  # noqa: F401 - fixture
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup


def _queues(response):
    return {queue.key: queue for queue in response.context["queues"]}


def _age(signature, days):
    Signature.objects.filter(pk=signature.pk).update(
        signed_at=timezone.now() - timedelta(days=days))


def test_the_work_queue_lists_each_kind_oldest_first_with_its_age(
        client_for, coordinator, make_application, organisation, make_user):
    newer, older = make_application("Neu eV"), make_application("Alt eV")
    _age(older, 3)
    resign = make_application("Partner AG")
    Organisation.objects.filter(pk=resign.organisation_id).update(
        status=Organisation.Status.RESIGN_REQUIRED)
    author = make_user("author@example.org")
    idea = Idea.objects.create(title="Gemeldete Idee", description="x", author=author)
    IdeaReport.objects.create(idea=idea, reason="Spam", reporter=author)
    project = Project.objects.create(title_de="Radweg", title_en="Cycle path", slug="radweg")
    assessment = Assessment.objects.create(project=project, state=Assessment.State.SUBMITTED,
                                           submitted_at=timezone.now())
    leaderless = WorkingGroup.objects.create(name_de="Ohne Leitung", slug="ohne-leitung")
    GroupMembership.objects.create(group=leaderless, user=author,
                                   state=GroupMembership.State.REQUESTED)
    led = WorkingGroup.objects.create(name_de="Mit Leitung", slug="mit-leitung")
    GroupMembership.objects.create(group=led, user=coordinator, role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=led, user=make_user("x@example.org"),
                                   state=GroupMembership.State.REQUESTED)

    response = client_for(coordinator).get("/de/backoffice/")
    queues = _queues(response)
    assert [item.title for item in queues["applications"].items] == ["Alt eV", "Neu eV"]
    assert [item.title for item in queues["signatures"].items] == ["Partner AG"]
    assert queues["reports"].count == 1
    assert queues["assessments"].items[0].url == reverse("assessments:detail",
                                                         kwargs={"pk": assessment.pk})
    assert [item.title for item in queues["join_requests"].items] == ["Ohne Leitung"]
    html = response.content.decode()
    assert "Arbeitsliste" in html and "seit 3 Tagen" in html and "seit heute" in html
    assert reverse("backoffice:application", kwargs={"pk": older.pk}) in html
    assert newer.organisation.name in html
    english = client_for(coordinator).get("/en/backoffice/").content.decode()
    assert "for 3 days" in english and "Applications to review" in english


def test_an_empty_queue_says_so(client_for, coordinator):
    html = client_for(coordinator).get("/en/backoffice/").content.decode()
    assert "No application waits for review." in html
    assert "No report is open." in html


def test_the_work_queue_query_count_is_constant(client_for, coordinator, make_application,
                                                make_user):
    client = client_for(coordinator)
    url = reverse("backoffice:dashboard")

    def add(n, start):
        for i in range(start, start + n):
            make_application(f"Bewerbung {i}")
            author = make_user(f"a{i}@example.org")
            idea = Idea.objects.create(title=f"Idee {i}", description="x", author=author)
            IdeaReport.objects.create(idea=idea, reason="Spam", reporter=author)
            project = Project.objects.create(title_de=f"Projekt {i}", slug=f"p-{i}")
            Assessment.objects.create(project=project, state=Assessment.State.SUBMITTED,
                                      submitted_at=timezone.now())

    add(2, 0)
    few = query_count(client.get, url)
    add(18, 2)
    assert query_count(client.get, url) == few
    assert _queues(client.get(url))["applications"].count == 20


def test_the_audit_log_reads_as_sentences_with_changes_in_both_languages(
        client_for, coordinator, make_application):
    make_application("Stadtwerke Münster")
    client = client_for(coordinator)
    german = client.get("/de/backoffice/audit/").content.decode()
    assert "Applicant 1 hat die Absichtserklärung für Stadtwerke Münster eingereicht." in german
    assert "Status der Organisation" in german and "Unterzeichnung wird geprüft" in german
    assert "partner.signature.submitted" not in german
    assert "organisation_status" not in german
    english = client.get("/en/backoffice/audit/").content.decode()
    assert "Applicant 1 submitted the letter of intent for Stadtwerke Münster." in english
    assert "Signature awaiting review" in english


def test_the_audit_log_reads_its_object_types_once_not_on_every_load(
        client_for, coordinator, make_application):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_application("Stadtwerke Münster")
    client = client_for(coordinator)
    url = reverse("backoffice:audit")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    distinct = [q["sql"] for q in queries.captured_queries
                if "DISTINCT" in q["sql"].upper() and "core_auditentry" in q["sql"]]
    assert distinct == []
    organisation_type = ContentType.objects.get_for_model(Organisation).pk
    assert organisation_type in dict(response.context["form"].fields["object_type"].choices)


def test_the_audit_log_filters_by_object_type_and_search(client_for, coordinator,
                                                         make_application):
    make_application("Stadtwerke Münster")
    client = client_for(coordinator)
    client.post(reverse("backoffice:focus_area_create"),
                {"slug": "kultur", "name_de": "Kultur", "name_en": "Culture", "position": 9})
    url = reverse("backoffice:audit")
    response = client.get(url)
    choices = dict(response.context["form"].fields["object_type"].choices)
    organisation_type = ContentType.objects.get_for_model(Organisation).pk
    assert choices[organisation_type] == "Partnerorganisation"

    def actions(**params):
        return [e.action for e in client.get(url, params).context["page"].object_list]

    assert actions(object_type=organisation_type) == ["partner.signature.submitted"]
    assert actions(object="kultur") == ["core.focus_area.created"]
    assert actions(object="Stadtwerke", person="Applicant") == ["partner.signature.submitted"]
    assert actions(object="Stadtwerke", person="Cora") == []


# ---------------------------------------------------------------------------------------------
# Funding calls not checked against their source for 90 days


def _call(slug, *, verified_days_ago=None, state="open", created_days_ago=0):
    from stadtallianz.funding.models import Call, Programme

    programme = Programme.objects.get_or_create(
        slug="msc", defaults={"funder": "Bund", "level": "federal",
                              "name_de": "Modellprojekte Smart Cities"})[0]
    today = timezone.localdate()
    call = Call.objects.create(
        programme=programme, slug=slug, title_de=f"Aufruf {slug}", state=state,
        verified_on=None if verified_days_ago is None
        else today - timedelta(days=verified_days_ago))
    if created_days_ago:
        Call.objects.filter(pk=call.pk).update(
            created_at=timezone.now() - timedelta(days=created_days_ago))
    return call


def test_calls_not_checked_for_90_days_wait_never_checked_first_then_the_oldest(
        client_for, coordinator):
    never_new = _call("nie-neu")
    never_old = _call("nie-alt", created_days_ago=30)
    stale = _call("alt", verified_days_ago=200)
    staler = _call("aelter", verified_days_ago=400)
    _call("frisch", verified_days_ago=89)
    _call("grenze", verified_days_ago=90)
    _call("geschlossen", state="closed")
    forthcoming = _call("bald", state="forthcoming", verified_days_ago=91)

    response = client_for(coordinator).get("/en/backoffice/")
    queue = _queues(response)["calls_to_verify"]
    assert queue.count == 6
    assert [item.url for item in queue.items] == [
        call.get_absolute_url() for call in (never_old, never_new, staler, stale, forthcoming)]
    assert queue.items[0].lang == "de"  # a German-only title on the English page
    html = response.content.decode()
    assert "Funding calls not checked for 90 days" in html
    assert "Never checked" in html and "for 400 days" in html
    assert f'href="{reverse("proposals:pipeline")}"' in html
    assert f'href="{reverse("funding:import")}"' in html
    german = client_for(coordinator).get("/de/backoffice/").content.decode()
    assert "Förderaufrufe seit 90 Tagen nicht geprüft" in german
    assert "Nie geprüft" in german


def test_no_stale_call_says_so(client_for, coordinator):
    _call("frisch", verified_days_ago=1)
    response = client_for(coordinator).get("/en/backoffice/")
    assert _queues(response)["calls_to_verify"].count == 0
    assert "Every open funding call was checked against its source" in response.content.decode()


def test_the_calls_queue_keeps_the_query_count_constant(client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("backoffice:dashboard")
    for number in range(2):
        _call(f"a-{number}", verified_days_ago=100 + number)
    few = query_count(client.get, url)
    for number in range(20):
        _call(f"b-{number}", verified_days_ago=100 + number)
        _call(f"c-{number}")
    assert query_count(client.get, url) == few
    assert _queues(client.get(url))["calls_to_verify"].count == 42


def test_the_calls_queue_is_for_the_office_only(client_for, person):
    _call("alt", verified_days_ago=200)
    for role in ["citizen", "member", "admin"]:
        response = client_for(person(role)).get("/de/backoffice/")
        assert response.status_code == 403
        assert "Aufruf alt" not in response.content.decode()
    assert client_for(None).get("/de/backoffice/").status_code == 302


def test_partners_datasets_submitted_for_the_catalogue_wait_oldest_first(
        client_for, coordinator, make_dataset, organisation):  # noqa: F811
    """A partner's dataset appears in the catalogue only after the office's review, so the
    submitted ones are in the work queue (issue 16); drafts and published ones are not, and
    the query count does not grow with them."""
    client = client_for(coordinator)
    url = reverse("backoffice:dashboard")
    now = timezone.now()
    newer = make_dataset(title_de="Ladesäulen", state="submitted", publisher=organisation,
                         modified=now)
    older = make_dataset(title_de="Parkhäuser", state="submitted", publisher=organisation,
                         modified=now - timedelta(days=2))
    make_dataset(title_de="Entwurf", state="draft", publisher=organisation)
    make_dataset(title_de="Veröffentlicht", publisher=organisation)
    few = query_count(client.get, url)
    queue = _queues(client.get(url))["datasets"]
    assert [item.title for item in queue.items] == [older.title_de, newer.title_de]
    assert queue.count == 2 and queue.items[0].detail == organisation.name
    assert queue.items[0].url == reverse("opendata:review", kwargs={"slug": older.slug})
    for n in range(5):
        make_dataset(title_de=f"Weitere {n}", state="submitted", publisher=organisation)
    assert query_count(client.get, url) == few
    assert "Datensätze zur Prüfung" in client.get(url).content.decode()
