"""The back office's start page is a work queue; the audit log reads as sentences."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.testing import query_count
from stadtallianz.ideas.models import Idea, IdeaReport
from stadtallianz.letter_of_intent.models import Signature
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
