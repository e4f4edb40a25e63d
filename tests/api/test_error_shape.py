"""One error shape across the apps' APIs (core/api_errors.py): a service's PermissionDenied is 403
and its Conflict 409, each `{"detail": "<the service's message>"}` in the language of `?lang=`;
input naming a field stays 422 with the field last in `loc`. The answers are those the apps gave
when each wrapped its endpoints in its own `service_errors` (the English texts are the messages
the services raise; the German ones their translations)."""

import pytest

from stadtallianz.assessments import services as assessment_services
from stadtallianz.events import services as event_services
from stadtallianz.projects import services as project_services
from stadtallianz.projects.models import ConsortiumMember, Project
from stadtallianz.workinggroups.models import GroupMembership
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403 - people and group

pytestmark = pytest.mark.django_db
LANGUAGES = ["de", "en"]


@pytest.fixture
def project(partner_admin, organisation):
    return project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "phase": Project.Phase.CONCEPT})


def _answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


@pytest.mark.parametrize("language, text", [
    ("de", "Die federführende Organisation kann nicht entfernt werden."),
    ("en", "The lead organisation cannot be removed."),
])
def test_projects_the_lead_cannot_be_removed_409(call, token_for, project, partner_admin,
                                                 language, text):
    lead = ConsortiumMember.objects.get(project=project, role=ConsortiumMember.Role.LEAD)
    response = call("DELETE", f"/api/v1/projects/{project.slug}/consortium/{lead.pk}"
                              f"?lang={language}", key=token_for(partner_admin))
    assert _answer(response) == (409, {"detail": text})
    assert ConsortiumMember.objects.filter(pk=lead.pk).exists()


@pytest.mark.parametrize("language, text", [
    ("de", "Nur die Administratorinnen und Administratoren der federführenden Organisation "
           "verwalten das Konsortium."),
    ("en", "Only the lead organisation's admins manage the consortium."),
])
def test_projects_a_member_may_not_invite_403(call, token_for, project, partner_member,
                                              other_admin, language, text):
    from stadtallianz.partners.models import Organisation

    other = Organisation.objects.get(memberships__user=other_admin)
    response = call("POST", f"/api/v1/projects/{project.slug}/consortium?lang={language}",
                    {"organisation": other.slug}, key=token_for(partner_member))
    assert _answer(response) == (403, {"detail": text})
    assert not ConsortiumMember.objects.filter(project=project, organisation=other).exists()


@pytest.mark.parametrize("language, text", [
    ("de", "Diese Veranstaltung wurde bereits abgesagt."),
    ("en", "This event has already been cancelled."),
])
def test_events_cancelled_twice_409(call, key_for, group, lead, make_event, language, text):
    event = make_event(group)
    event_services.event_cancel(event=event, by=lead)
    response = call("POST", f"/api/v1/events/{event.slug}/cancel?lang={language}",
                    key=key_for("lead"))
    assert _answer(response) == (409, {"detail": text})


@pytest.mark.parametrize("language, text", [
    ("de", "Über diese Anfrage wurde bereits entschieden."),
    ("en", "This request has already been decided."),
])
def test_working_groups_a_decided_request_409(call, key_for, group, make_user, language, text):
    requester = GroupMembership.objects.create(
        group=group, user=make_user("asks@example.org"), state=GroupMembership.State.ACTIVE)
    response = call("POST", f"/api/v1/working-groups/{group.slug}/requests/{requester.pk}/approve"
                            f"?lang={language}", {}, key=key_for("lead"))
    assert _answer(response) == (409, {"detail": text})


def test_working_groups_the_last_lead_leaving_stays_422_as_documented(call, key_for, group):
    """`…/leave` answered the last lead's refusal 422 before there was a 409 (its description
    says so); removing the last lead (an endpoint added later) is 409. Both are kept."""
    response = call("POST", f"/api/v1/working-groups/{group.slug}/leave?lang=en",
                    key=key_for("lead"))
    assert _answer(response) == (422, {"detail": [{
        "loc": ["body", "payload"], "type": "last_lead",
        "msg": "The last lead cannot leave while other members remain. Make another member a "
               "lead first."}]})
    lead = GroupMembership.objects.get(group=group, role=GroupMembership.Role.LEAD)
    removed = call("DELETE", f"/api/v1/working-groups/{group.slug}/members/{lead.pk}?lang=en",
                   key=key_for("coordinator"))
    assert _answer(removed) == (409, {"detail": "The last lead cannot leave while other members "
                                                "remain. Make another member a lead first."})


@pytest.mark.parametrize("language, text", [
    ("de", "Nur Mitglieder einer aktiven Arbeitsgruppe antworten."),
    ("en", "Only members of an active working group reply."),
])
def test_discussions_an_outsider_may_not_reply_403(call, key_for, group, member, language, text):
    from stadtallianz.discussions import services as discussion_services

    public = discussion_services.thread_create(group=group, title="Offen", body="Für alle",
                                               visibility="public", by=member)
    response = call("POST", f"/api/v1/discussions/threads/{public.pk}/posts?lang={language}",
                    {"body": "Hallo"}, key=key_for("outsider"))
    assert _answer(response) == (403, {"detail": text})
    assert public.posts.count() == 1


@pytest.mark.parametrize("language, text", [
    ("de", "Dieses Projekt hat schon eine offene Bewertung; arbeiten Sie bitte an dieser weiter."),
    ("en", "This project already has an open assessment; continue that one."),
])
def test_assessments_a_second_open_assessment_409(call, token_for, project, partner_admin,
                                                  language, text):
    assessment_services.start(project=project, by=partner_admin)
    response = call("POST", f"/api/v1/assessments/projects/{project.slug}?lang={language}",
                    key=token_for(partner_admin))
    assert _answer(response) == (409, {"detail": text})


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_field_error_of_a_service_stays_422_naming_the_field(call, key_for, group, language):
    """The service's own check (no registered person) names `email`, in the caller's language."""
    response = call("POST", f"/api/v1/working-groups/{group.slug}/invitations?lang={language}",
                    {"email": "nobody@example.org"}, key=key_for("lead"))
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "payload", "email"]
    english = item["msg"].startswith("No one is registered with this e-mail address.")
    assert english == (language == "en")


@pytest.mark.parametrize("language, text", [
    ("de", "Pflichtfeld"), ("en", "Field required"),
])
def test_a_missing_field_of_a_write_is_422_in_the_callers_language(call, key_for, group,
                                                                   language, text):
    response = call("POST", f"/api/v1/working-groups/{group.slug}/invitations?lang={language}",
                    {}, key=key_for("lead"))
    assert _answer(response) == (422, {"detail": [{"type": "missing", "loc": ["body", "payload",
                                                                              "email"],
                                                   "msg": text}]})


@pytest.mark.parametrize("language, text", [
    ("de", "Unbekannte Zielvorgabe."), ("en", "Unknown target."),
])
def test_an_unknown_reference_is_422_in_the_callers_language(call, token_for, project,
                                                             partner_admin, language, text):
    response = call("POST", f"/api/v1/projects/{project.slug}/sdgs?lang={language}",
                    {"goal": 11, "target": "99.9"}, key=token_for(partner_admin))
    assert _answer(response) == (422, {"detail": [{"loc": ["body", "payload", "target"],
                                                   "msg": text, "type": "invalid"}]})


@pytest.mark.parametrize("language, text", [
    ("de", "Niemand ist mit der E-Mail-Adresse nobody@example.org registriert."),
    ("en", "No one is registered with the e-mail address nobody@example.org."),
])
def test_an_api_modules_own_field_error_follows_lang(call, key_for, focus_area, language, text):
    response = call("POST", f"/api/v1/working-groups?lang={language}",
                    {"name_de": "Neu", "focus_areas": [focus_area.slug],
                     "leads": ["nobody@example.org"]}, key=key_for("coordinator"))
    assert response.status_code == 422
    assert [item["msg"] for item in response.json()["detail"]] == [text]


@pytest.mark.parametrize("language, text", [
    ("de", "Keine Arbeitsgruppe hat diesen Slug."), ("en", "No working group has this slug."),
])
def test_an_unknown_group_of_an_idea_is_422_in_the_callers_language(call, key_for, language,
                                                                     text):
    response = call("POST", f"/api/v1/ideas?lang={language}",
                    {"title": "Bänke", "description": "Mehr Bänke am Aasee.",
                     "working_group": "no-such-group"}, key=key_for("member"))
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert (item["loc"][-1], item["msg"]) == ("working_group", text)


@pytest.mark.parametrize("language, text", [
    ("de", "Die Eingabe muss ein Text sein"), ("en", "Input should be a valid string"),
])
def test_null_for_a_required_field_of_an_idea_is_422_in_the_callers_language(
        call, key_for, language, text):
    created = call("POST", "/api/v1/ideas", {"title": "Bänke", "description": "Am Aasee."},
                   key=key_for("member"))
    assert created.status_code == 201, created.content
    response = call("PATCH", f"/api/v1/ideas/{created.json()['id']}?lang={language}",
                    {"version": created.json()["version"], "title": None}, key=key_for("member"))
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert (item["loc"][-1], item["msg"]) == ("title", text)


@pytest.mark.parametrize("language, text", [
    ("de", "Geben Sie mindestens ein Wort ein, nach dem gesucht werden soll."),
    ("en", "Give at least one word to search for."),
])
def test_a_blank_search_is_422_in_the_callers_language(call, language, text):
    response = call("GET", f"/api/v1/search?q=%20%20&lang={language}")
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"][-1] == "q" and text in item["msg"]
