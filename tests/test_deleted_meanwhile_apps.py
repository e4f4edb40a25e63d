"""Issue 11, item 5, "objects deleted between read and write", in the discussions, events, the
letter of intent and the back office: a change of something that another request deletes at the
same time answers 404, never a server error (a DoesNotExist, an IntegrityError on a foreign key,
or a `save(update_fields=…)` that affects no row), and writes nothing — in particular it does not
bring a deleted row back, nor add a child (a post, a report, a registration, a signature) to a
parent that is gone.

The first tests pass a copy read before the deletion to the services (both databases); the HTTP
tests let the deletion land between the view's read and the service (the service is wrapped), so
the pages and /api/v1/ answer 404; the last ones make two requests really meet on PostgreSQL: the
deletion holds its lock while the change waits for it (tests/test_races.py).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from stadtallianz.backoffice import services as backoffice_services
from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.core.testing import in_open_transaction
from stadtallianz.discussions import services as discussion_services
from stadtallianz.discussions.models import Post, PostReport, PostRevision, Thread
from stadtallianz.discussions.tests.fixtures import *  # noqa: F403
from stadtallianz.events import services as event_services
from stadtallianz.events.models import Event, Registration
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.workinggroups.models import WorkingGroup
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


def _gone(row) -> None:
    type(row).objects.filter(pk=row.pk).delete()


def _deleted_before_the_service(monkeypatch, module, name: str, row) -> None:
    """The view has read `row`; another request deletes it before the service runs."""
    service = getattr(module, name)

    def deleted_first(**kwargs):
        _gone(row)
        return service(**kwargs)

    monkeypatch.setattr(module, name, deleted_first)


@pytest.fixture
def api_key(db):
    """api_key(user): an API token of that person."""
    from stadtallianz.accounts.models import ApiToken

    def make(user):
        _token, key = ApiToken.issue(user=user, name="test")
        return key

    return make


def _audit_entries() -> int:
    return AuditEntry.objects.count()


# ---------------------------------------------------------------------------------------------
# Discussions


@pytest.fixture
def post(public_thread):
    return public_thread.posts.get()


@pytest.fixture
def report(post, citizen):
    return discussion_services.post_report(post=post, reason="Werbung.", by=citizen)


@pytest.mark.django_db
def test_a_reply_in_a_thread_deleted_before_is_a_404(public_thread, member):
    _gone(public_thread)
    with pytest.raises(Http404):
        discussion_services.post_reply(thread=public_thread, body="Ich!", by=member)
    assert not Post.objects.filter(thread_id=public_thread.pk).exists()
    assert not Thread.objects.filter(pk=public_thread.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_a_thread_in_a_group_deleted_before_is_a_404(group, request, who):
    by = request.getfixturevalue(who)
    _gone(group)
    with pytest.raises(Http404):
        discussion_services.thread_create(group=group, title="Neu", body="Text",
                                          visibility=Thread.Visibility.PUBLIC, by=by)
    assert not Thread.objects.filter(group_id=group.pk).exists()


CHANGES_OF_A_POST = {
    "edit": lambda post, member, lead: discussion_services.post_edit(
        post=post, body="Geändert", by=member),
    "hide": lambda post, member, lead: discussion_services.post_hide(
        post=post, reason="Off topic", by=lead),
    "report": lambda post, member, lead: discussion_services.post_report(
        post=post, reason="Spam", by=lead),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES_OF_A_POST, ids=str)
def test_a_change_of_a_post_deleted_before_is_a_404(post, member, lead, change):
    entries = _audit_entries()
    _gone(post)
    with pytest.raises(Http404):
        CHANGES_OF_A_POST[change](post, member, lead)
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not PostRevision.objects.filter(post_id=post.pk).exists()
    assert not PostReport.objects.filter(post_id=post.pk).exists()
    assert _audit_entries() == entries


@pytest.mark.django_db
@pytest.mark.parametrize("pinned", [True, False])
def test_pinning_a_thread_deleted_before_is_a_404(public_thread, lead, pinned):
    Thread.objects.filter(pk=public_thread.pk).update(pinned=not pinned)
    public_thread.pinned = not pinned
    _gone(public_thread)
    with pytest.raises(Http404):
        discussion_services.thread_pin(thread=public_thread, pinned=pinned, by=lead)
    assert not Thread.objects.filter(pk=public_thread.pk).exists()


@pytest.mark.django_db
def test_closing_a_report_deleted_before_is_a_404(report, lead):
    _gone(report)
    with pytest.raises(Http404):
        discussion_services.report_close(report=report, by=lead)
    assert not PostReport.objects.filter(pk=report.pk).exists()


@pytest.mark.django_db
def test_closing_a_report_of_a_post_deleted_before_is_a_404(report, post, lead):
    _gone(post)
    with pytest.raises(Http404):
        discussion_services.report_close(report=report, by=lead)
    assert not PostReport.objects.filter(pk=report.pk).exists()


@pytest.mark.django_db
def test_the_reply_page_answers_404_for_a_thread_deleted_meanwhile(monkeypatch, client_for,
                                                                    public_thread, member):
    _deleted_before_the_service(monkeypatch, discussion_services, "post_reply", public_thread)
    url = reverse("discussions:reply", kwargs={"slug": public_thread.group.slug,
                                               "pk": public_thread.pk})
    assert client_for(member).post(url, {"body": "Ich!"}).status_code == 404
    assert not Post.objects.filter(thread_id=public_thread.pk).exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_a_reply_in_a_thread_deleted_meanwhile(monkeypatch, client,
                                                                        api_key, public_thread,
                                                                        member):
    _deleted_before_the_service(monkeypatch, discussion_services, "post_reply", public_thread)
    response = client.post(f"/api/v1/discussions/threads/{public_thread.pk}/posts",
                           data={"body": "Ich!"}, content_type="application/json",
                           headers={"Authorization": f"Bearer {api_key(member)}"})
    assert response.status_code == 404, response.content
    assert not Post.objects.filter(thread_id=public_thread.pk).exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_hiding_a_post_deleted_meanwhile(monkeypatch, client, api_key,
                                                                 post, lead):
    _deleted_before_the_service(monkeypatch, discussion_services, "post_hide", post)
    response = client.post(f"/api/v1/discussions/posts/{post.pk}/hide",
                           data={"reason": "Off topic"}, content_type="application/json",
                           headers={"Authorization": f"Bearer {api_key(lead)}"})
    assert response.status_code == 404, response.content
    assert not Post.objects.filter(pk=post.pk).exists()


@pytest.mark.django_db
def test_the_hide_page_answers_404_for_a_post_deleted_meanwhile(monkeypatch, client_for, post,
                                                                lead):
    _deleted_before_the_service(monkeypatch, discussion_services, "post_hide", post)
    url = reverse("discussions:post_hide", kwargs={
        "slug": post.thread.group.slug, "pk": post.thread_id, "post_pk": post.pk})
    assert client_for(lead).post(url, {"reason": "Off topic"}).status_code == 404
    assert not Post.objects.filter(pk=post.pk).exists()


# ---------------------------------------------------------------------------------------------
# Events


@pytest.fixture
def event(make_event, group):
    return make_event(group, slug="radtreffen", capacity=1)


CHANGES_OF_AN_EVENT = {
    "update": lambda event, lead, member: event_services.event_update(
        event=event, by=lead, data={"title_de": "Verschoben", "capacity": 5}),
    "cancel": lambda event, lead, member: event_services.event_cancel(event=event, by=lead),
    "register": lambda event, lead, member: event_services.registration_register(
        event=event, by=member),
    "unregister": lambda event, lead, member: event_services.registration_cancel(
        event=event, by=member),
    "unregister someone": lambda event, lead, member: event_services.registration_cancel(
        event=event, by=lead, user=member),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES_OF_AN_EVENT, ids=str)
def test_a_change_of_an_event_deleted_before_is_a_404(event, lead, member, change):
    event_services.registration_register(event=event, by=member)
    entries = _audit_entries()
    _gone(event)
    with pytest.raises(Http404):
        CHANGES_OF_AN_EVENT[change](event, lead, member)
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not Registration.objects.filter(event_id=event.pk).exists()
    assert _audit_entries() == entries


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["lead", "coordinator"])
def test_an_event_of_a_group_deleted_before_is_a_404(group, request, who):
    by = request.getfixturevalue(who)
    _gone(group)
    starts = timezone.now() + timedelta(days=3)
    with pytest.raises(Http404):
        event_services.event_create(by=by, group=group, data={
            "title_de": "Treffen", "starts_at": starts, "ends_at": starts + timedelta(hours=1)})
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_an_invisible_event_still_does_not_exist(make_event, group, citizen):
    """Unchanged: a members-only event that exists does not exist for an outsider either."""
    hidden = make_event(group, visibility=Event.Visibility.MEMBERS)
    with pytest.raises(Event.DoesNotExist):
        event_services.registration_register(event=hidden, by=citizen)


@pytest.mark.django_db
def test_the_cancel_page_answers_404_for_an_event_deleted_meanwhile(monkeypatch, client_for,
                                                                     event, lead):
    _deleted_before_the_service(monkeypatch, event_services, "event_cancel", event)
    url = reverse("events:cancel", kwargs={"slug": event.slug})
    assert client_for(lead).post(url).status_code == 404
    assert not Event.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_unregister_page_answers_404_for_an_event_deleted_meanwhile(monkeypatch, client_for,
                                                                         event, member):
    event_services.registration_register(event=event, by=member)
    _deleted_before_the_service(monkeypatch, event_services, "registration_cancel", event)
    url = reverse("events:unregister", kwargs={"slug": event.slug})
    assert client_for(member).post(url).status_code == 404
    assert not Registration.objects.filter(event_id=event.pk).exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_a_change_of_an_event_deleted_meanwhile(monkeypatch, client,
                                                                         api_key, event, lead):
    _deleted_before_the_service(monkeypatch, event_services, "event_update", event)
    response = client.patch(f"/api/v1/events/{event.slug}", data={"title_de": "Verschoben"},
                            content_type="application/json",
                            headers={"Authorization": f"Bearer {api_key(lead)}"})
    assert response.status_code == 404, response.content
    assert not Event.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_unregistering_from_an_event_deleted_meanwhile(
        monkeypatch, client, api_key, event, member):
    _deleted_before_the_service(monkeypatch, event_services, "registration_cancel", event)
    key = api_key(member)
    response = client.delete(f"/api/v1/events/{event.slug}/registration",
                             headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404, response.content
    assert not Registration.objects.filter(event_id=event.pk).exists()


# ---------------------------------------------------------------------------------------------
# The letter of intent


@pytest.fixture
def current_version(db):
    """The published version partners sign (a transactional test may have flushed version 1)."""
    return Version.objects.current() or Version.objects.create(
        number=1, title_de="Absichtserklärung", title_en="Letter of intent", text_de="Text",
        text_en="Text", published_at=timezone.now())


@pytest.fixture
def applicant(make_organisation):
    return make_organisation("Quartier Verein", status=Organisation.Status.DRAFT,
                             type=Organisation.Type.ASSOCIATION)


@pytest.fixture
def applicant_admin(make_user, applicant):
    user = make_user("applicant-admin@example.org", full_name="Alex Applicant")
    Membership.objects.create(user=user, organisation=applicant, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def signature(applicant, applicant_admin, current_version):
    return letter_services.signature_create(
        organisation=applicant, version=current_version, by=applicant_admin,
        signatory_name="Alex Applicant", signatory_function="Chair", authority_confirmed=True)


@pytest.fixture
def draft(coordinator, current_version):
    return letter_services.version_create(by=coordinator, title_de="Neu", title_en="New",
                                          text_de="Neuer Text", text_en="New text")


@pytest.mark.django_db
def test_signing_for_an_organisation_deleted_before_is_a_404(applicant, applicant_admin,
                                                             current_version):
    _gone(applicant)
    with pytest.raises(Http404):
        letter_services.signature_create(
            organisation=applicant, version=current_version, by=applicant_admin,
            signatory_name="Alex", signatory_function="Chair", authority_confirmed=True)
    assert not Signature.objects.filter(organisation_id=applicant.pk).exists()
    assert not Organisation.objects.filter(pk=applicant.pk).exists()


@pytest.mark.django_db
def test_withdrawing_an_organisation_deleted_before_is_a_404(signature, applicant,
                                                             applicant_admin):
    applicant.refresh_from_db()
    entries = _audit_entries()
    _gone(applicant)
    with pytest.raises(Http404):
        letter_services.organisation_withdraw(organisation=applicant, by=applicant_admin)
    assert not Organisation.objects.filter(pk=applicant.pk).exists()
    assert _audit_entries() == entries


REVIEWS = {
    "confirm": lambda signature, by: letter_services.signature_confirm(signature=signature,
                                                                       by=by),
    "reject": lambda signature, by: letter_services.signature_reject(signature=signature, by=by,
                                                                     reason="Unvollständig."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("review", REVIEWS, ids=str)
def test_reviewing_a_signature_deleted_before_is_a_404(signature, applicant, coordinator,
                                                       review):
    entries = _audit_entries()
    _gone(signature)
    with pytest.raises(Http404):
        REVIEWS[review](signature, coordinator)
    assert not Signature.objects.filter(pk=signature.pk).exists()
    applicant.refresh_from_db()
    assert applicant.status == Organisation.Status.PENDING
    assert _audit_entries() == entries


@pytest.mark.django_db
@pytest.mark.parametrize("review", REVIEWS, ids=str)
def test_reviewing_the_signature_of_an_organisation_deleted_before_is_a_404(
        signature, applicant, coordinator, review):
    _gone(applicant)
    with pytest.raises(Http404):
        REVIEWS[review](signature, coordinator)
    assert not Organisation.objects.filter(pk=applicant.pk).exists()
    assert not Signature.objects.filter(pk=signature.pk).exists()


@pytest.mark.django_db
def test_changing_or_publishing_a_draft_deleted_before_is_a_404(draft, coordinator):
    _gone(draft)
    with pytest.raises(Http404):
        letter_services.version_update(version=draft, by=coordinator, title_de="Neu 2",
                                       title_en="New 2", text_de="Text", text_en="Text")
    with pytest.raises(Http404):
        letter_services.version_publish(version=draft, by=coordinator)
    assert not Version.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_the_withdraw_page_answers_404_for_an_organisation_deleted_meanwhile(
        monkeypatch, client_for, signature, applicant, applicant_admin):
    _deleted_before_the_service(monkeypatch, letter_services, "organisation_withdraw", applicant)
    url = reverse("letter_of_intent:withdraw", kwargs={"slug": applicant.slug})
    assert client_for(applicant_admin).post(url, {"confirm": "on"}).status_code == 404
    assert not Organisation.objects.filter(pk=applicant.pk).exists()


# ---------------------------------------------------------------------------------------------
# The back office


@pytest.mark.django_db
def test_changing_a_focus_area_deleted_before_is_a_404(coordinator):
    focus_area = FocusArea.objects.create(slug="nachtleben", name_de="Nachtleben",
                                          name_en="Night life", position=99)
    _gone(focus_area)
    with pytest.raises(Http404):
        backoffice_services.focus_area_update(focus_area=focus_area, by=coordinator,
                                              data={"name_de": "Nachtkultur"})
    assert not FocusArea.objects.filter(pk=focus_area.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("review", ["confirm", "reject"])
def test_the_back_office_answers_404_for_an_application_deleted_meanwhile(
        monkeypatch, client_for, signature, applicant, coordinator, review):
    _deleted_before_the_service(monkeypatch, letter_services, f"signature_{review}", applicant)
    url = reverse(f"backoffice:application_{review}", kwargs={"pk": signature.pk})
    response = client_for(coordinator).post(url, {"reason": "Unvollständig."})
    assert response.status_code == 404
    assert not Organisation.objects.filter(pk=applicant.pk).exists()
    assert not Signature.objects.filter(pk=signature.pk).exists()


@pytest.mark.django_db
def test_the_back_office_answers_404_for_a_focus_area_deleted_meanwhile(monkeypatch,
                                                                        client_for,
                                                                        coordinator):
    focus_area = FocusArea.objects.create(slug="nachtleben", name_de="Nachtleben",
                                          name_en="Night life", position=99)
    _deleted_before_the_service(monkeypatch, backoffice_services, "focus_area_update",
                                focus_area)
    url = reverse("backoffice:focus_area_edit", kwargs={"pk": focus_area.pk})
    response = client_for(coordinator).post(url, {
        "slug": "nachtleben", "name_de": "Nachtkultur", "name_en": "Night life",
        "position": 99, "is_active": "on"})
    assert response.status_code == 404
    assert not FocusArea.objects.filter(pk=focus_area.pk).exists()


# ---------------------------------------------------------------------------------------------
# Two requests at once (PostgreSQL)

race = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")


@race
@pytest.mark.django_db(transaction=True)
def test_replying_while_the_thread_is_being_deleted_is_a_404(public_thread, member):
    # The deletion holds the thread's row for half a second more; the reply waits for it.
    thread, errors = in_open_transaction(lambda: _gone(public_thread))
    with pytest.raises(Http404):
        discussion_services.post_reply(thread=public_thread, body="Ich!", by=member)
    thread.join()
    assert errors == []
    assert not Post.objects.filter(thread_id=public_thread.pk).exists()


@race
@pytest.mark.django_db(transaction=True)
def test_registering_while_the_event_is_being_deleted_is_a_404(event, member):
    thread, errors = in_open_transaction(lambda: _gone(event))
    with pytest.raises(Http404):
        event_services.registration_register(event=event, by=member)
    thread.join()
    assert errors == []
    assert not Registration.objects.filter(event_id=event.pk).exists()


@race
@pytest.mark.django_db(transaction=True)
def test_confirming_while_the_organisation_is_being_deleted_is_a_404(signature, applicant,
                                                                     coordinator):
    thread, errors = in_open_transaction(lambda: _gone(applicant))
    with pytest.raises(Http404):
        letter_services.signature_confirm(signature=signature, by=coordinator)
    thread.join()
    assert errors == []
    assert not Organisation.objects.filter(pk=applicant.pk).exists()


@race
@pytest.mark.django_db(transaction=True)
def test_a_thread_in_a_group_being_deleted_is_a_404(group, coordinator):
    thread, errors = in_open_transaction(lambda: WorkingGroup.objects.filter(
        pk=group.pk).delete())
    with pytest.raises(Http404):
        discussion_services.thread_create(group=group, title="Neu", body="Text",
                                          visibility=Thread.Visibility.PUBLIC, by=coordinator)
    thread.join()
    assert errors == []
    assert not Thread.objects.filter(group_id=group.pk).exists()


# ---------------------------------------------------------------------------------------------
# Funding calls, applications, partner searches (issue 15)


@pytest.fixture
def funding_call(db):
    from stadtallianz.funding.models import Call, Programme

    programme = Programme.objects.create(funder="Bund", level="federal", name_de="Programm",
                                         slug="programm")
    return Call.objects.create(programme=programme, slug="aufruf", title_de="Aufruf")


@pytest.fixture
def application(funding_call, partner_admin, organisation):
    from stadtallianz.projects import services as project_services
    from stadtallianz.proposals import services as proposal_services

    project = project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "phase": "concept"})
    return proposal_services.application_create(
        actor=partner_admin, call=funding_call, organisation=organisation, title="Antrag",
        project=project)


@pytest.fixture
def notice(partner_admin, organisation, funding_call):
    from stadtallianz.partnering import services as partnering_services

    return partnering_services.notice_create(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Partner gesucht", "call": funding_call, "roles_sought": ["partner"],
              "expires_on": timezone.localdate() + timedelta(days=30)})


@pytest.mark.django_db
def test_following_a_call_deleted_meanwhile_is_a_404(monkeypatch, client_for, funding_call,
                                                     member):
    from stadtallianz.funding import services as funding_services
    from stadtallianz.funding.models import CallFollow

    _deleted_before_the_service(monkeypatch, funding_services, "follow", funding_call)
    url = reverse("funding:follow", kwargs={"slug": funding_call.slug})
    assert client_for(member).post(url).status_code == 404
    assert not CallFollow.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_following_a_call_deleted_meanwhile(monkeypatch, client,
                                                                    api_key, funding_call,
                                                                    member):
    from stadtallianz.funding import services as funding_services
    from stadtallianz.funding.models import CallFollow

    _deleted_before_the_service(monkeypatch, funding_services, "follow", funding_call)
    response = client.post(f"/api/v1/funding/calls/{funding_call.slug}/follow",
                           headers={"Authorization": f"Bearer {api_key(member)}"})
    assert response.status_code == 404, response.content
    assert not CallFollow.objects.exists()


@pytest.mark.django_db
def test_checking_a_call_deleted_meanwhile_is_a_404(monkeypatch, client_for, funding_call,
                                                    coordinator):
    from stadtallianz.funding import services as funding_services

    _deleted_before_the_service(monkeypatch, funding_services, "verify_call", funding_call)
    url = reverse("funding:verify", kwargs={"slug": funding_call.slug})
    assert client_for(coordinator).post(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url", "data"), [
    ("checklist_add", "proposals:checklist_add", {"text": "Unterschrift"}),
    ("application_update", "proposals:edit", {"title": "Neu"}),
    ("application_transition", "proposals:transition",
     {"state": "in_preparation", "on": "2026-01-05"}),
], ids=str)
def test_a_change_of_an_application_deleted_meanwhile_is_a_404(monkeypatch, client_for,
                                                               application, partner_admin,
                                                               name, url, data):
    from stadtallianz.proposals import services as proposal_services
    from stadtallianz.proposals.models import Application, ChecklistItem

    _deleted_before_the_service(monkeypatch, proposal_services, name, application)
    response = client_for(partner_admin).post(reverse(url, kwargs={"pk": application.pk}),
                                              data)
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert not Application.objects.exists()
    assert not ChecklistItem.objects.filter(application_id=application.pk).exists()


@pytest.mark.django_db
def test_a_budget_of_a_member_removed_meanwhile_is_a_404(monkeypatch, client_for, application,
                                                         partner_admin):
    from stadtallianz.proposals import services as proposal_services
    from stadtallianz.proposals.models import BudgetLine

    member = application.members.get()
    _deleted_before_the_service(monkeypatch, proposal_services, "budget_save", member)
    url = reverse("proposals:budget_edit", kwargs={"pk": application.pk, "member_pk": member.pk})
    fields = {f"{category}_{part}": "0" for category in BudgetLine.Category.values
              for part in ("amount", "requested")}
    fields.update(personnel_amount="1000", personnel_requested="500")
    response = client_for(partner_admin).post(url, fields)
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert not BudgetLine.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_a_checklist_item_of_an_application_deleted_meanwhile(
        monkeypatch, client, api_key, application, partner_admin):
    from stadtallianz.proposals import services as proposal_services
    from stadtallianz.proposals.models import ChecklistItem

    _deleted_before_the_service(monkeypatch, proposal_services, "checklist_add", application)
    response = client.post(f"/api/v1/funding/applications/{application.pk}/checklist",
                           data={"text": "Unterschrift"}, content_type="application/json",
                           headers={"Authorization": f"Bearer {api_key(partner_admin)}"})
    assert response.status_code == 404, response.content
    assert not ChecklistItem.objects.filter(application_id=application.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url", "data"), [
    ("notice_close", "partnering:close", {}),
    ("notice_update", "partnering:edit", {"title_de": "Neu"}),
], ids=str)
def test_a_change_of_a_notice_deleted_meanwhile_is_a_404(monkeypatch, client_for, notice,
                                                         partner_admin, name, url, data):
    from stadtallianz.partnering import services as partnering_services

    _deleted_before_the_service(monkeypatch, partnering_services, name, notice)
    response = client_for(partner_admin).post(reverse(url, kwargs={"pk": notice.pk}), data)
    assert response.status_code in (404, 400), (response.status_code, response.content[:300])


@pytest.mark.django_db
def test_interest_in_a_notice_deleted_meanwhile_is_a_404(monkeypatch, client_for, notice,
                                                         other_admin):
    from stadtallianz.partnering import services as partnering_services
    from stadtallianz.partnering.models import Interest

    _deleted_before_the_service(monkeypatch, partnering_services, "interest_create", notice)
    organisation = Organisation.objects.get(memberships__user=other_admin)
    response = client_for(other_admin).post(reverse("partnering:detail",
                                                    kwargs={"pk": notice.pk}),
                                            {"organisation": organisation.pk,
                                             "message": "Wir helfen gern."})
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert not Interest.objects.exists()
