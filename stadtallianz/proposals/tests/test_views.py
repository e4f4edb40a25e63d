"""The pages of joint applications per role: the application page, its forms, the list, the
office's pipeline with its exports, and the public totals."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stadtallianz.knowledge.models import Document
from stadtallianz.proposals import services
from stadtallianz.proposals.models import Application, ApplicationMember, Grant

S = Application.State
pytestmark = pytest.mark.django_db
INSIDERS = ["partner_member", "partner_admin", "other_admin", "coordinator"]
OUTSIDERS = [None, "citizen", "outsider_admin"]


def detail_url(application):
    return reverse("proposals:detail", kwargs={"pk": application.pk})


def submit(application, actor):
    for state in (S.IN_PREPARATION, S.SUBMITTED):
        services.application_transition(actor=actor, application=application, state=state)


@pytest.mark.parametrize("role", INSIDERS)
def test_the_consortium_and_the_office_see_the_budget(as_user, application, role):
    response = as_user(role).get(detail_url(application))
    assert response.status_code == 200
    page = response.content.decode()
    assert "70.000 €" in page and "Checkliste" in page and "84.000 €" in page


@pytest.mark.parametrize("role", OUTSIDERS)
def test_others_do_not_learn_of_an_unpublished_application(as_user, application, role):
    assert as_user(role).get(detail_url(application)).status_code == 404
    assert "Quartiersbus im Kreuzviertel" not in as_user(role).get(
        reverse("proposals:list")).content.decode()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_published_application_shows_without_its_budget(as_user, application, partner_admin,
                                                         role):
    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    page = as_user(role).get(detail_url(application)).content.decode()
    assert "Quartiersbus im Kreuzviertel" in page and "Andere GmbH" in page
    assert "70.000 €" not in page and "Checkliste" not in page
    assert "Quartiersbus im Kreuzviertel" in as_user(role).get(
        reverse("proposals:list")).content.decode()


@pytest.mark.parametrize(("role", "status"), [("other_admin", 403), ("outsider_admin", 404)])
def test_forms_of_the_coordinator_are_refused_to_others(as_user, application, role, status):
    for name in ("edit", "member_add"):
        url = reverse(f"proposals:{name}", kwargs={"pk": application.pk})
        assert as_user(role).get(url).status_code == status
    url = reverse("proposals:transition", kwargs={"pk": application.pk})
    assert as_user(role).post(url, {"state": "in_preparation"}).status_code == status


def test_start_an_application(as_user, organisation, funding_call, project):
    client = as_user("partner_admin")
    url = reverse("proposals:create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"call": funding_call.pk, "organisation": organisation.pk,
                                 "title": "Neu"})
    assert "Ein Antrag ist für ein Projekt oder für eine Idee" in response.content.decode()
    response = client.post(url, {"call": funding_call.pk, "organisation": organisation.pk,
                                 "project": project.pk, "title": "Neu"})
    assert response.status_code == 302
    assert Application.objects.get(title="Neu").members.get().organisation == organisation


@pytest.mark.parametrize(("role", "status"), [("citizen", 403), ("partner_member", 403)])
def test_only_admins_start_one(as_user, role, status):
    assert as_user(role).get(reverse("proposals:create")).status_code == status


def test_a_budget_over_the_rate_is_shown_on_the_form_and_nothing_saved(as_user, application):
    member = application.members.get(role=ApplicationMember.Role.COORDINATOR)
    url = reverse("proposals:budget_edit", kwargs={"pk": application.pk, "member_pk": member.pk})
    data = {f"{c}_{f}": "0" for c in ("personnel", "material", "subcontracting", "other",
                                      "overhead") for f in ("amount", "requested")}
    data.update(personnel_amount="100000", personnel_requested="80000")
    page = as_user("partner_admin").post(url, data).content.decode()
    assert ("Stadtwerke Beispielstadt: Beantragte Förderung 80.000 € übersteigt 70 % der "
            "förderfähigen Kosten (70.000 €).") in page
    assert member.budget_lines.get().requested == Decimal("70000")
    data.update(personnel_amount="-1")
    assert as_user("partner_admin").post(url, data).status_code == 200
    assert member.budget_lines.get().requested == Decimal("70000")


def test_the_partner_admin_edits_its_own_budget_only(as_user, application):
    partner = application.members.get(role=ApplicationMember.Role.PARTNER)
    coordinator = application.members.get(role=ApplicationMember.Role.COORDINATOR)
    client = as_user("other_admin")
    assert client.get(reverse("proposals:budget_edit", kwargs={
        "pk": application.pk, "member_pk": partner.pk})).status_code == 200
    assert client.get(reverse("proposals:budget_edit", kwargs={
        "pk": application.pk, "member_pk": coordinator.pk})).status_code == 403


def test_state_buttons_move_it_and_an_illegal_step_is_a_message(as_user, application):
    client = as_user("partner_admin")
    url = reverse("proposals:transition", kwargs={"pk": application.pk})
    page = client.get(detail_url(application)).content.decode()
    assert "In Vorbereitung" in page
    response = client.post(url, {"state": "rejected"}, follow=True)
    assert "kann nicht von" in response.content.decode()
    client.post(url, {"state": "in_preparation"})
    application.refresh_from_db()
    assert application.state == S.IN_PREPARATION


def test_record_the_grant(as_user, application, partner_admin, project):
    submit(application, partner_admin)
    url = reverse("proposals:grant", kwargs={"pk": application.pk})
    client = as_user("coordinator")
    response = client.post(url, {"amount": "80000", "reference": "03SC1",
                                 "starts_on": "2027-02-01", "ends_on": "2027-01-01"})
    assert response.status_code == 200
    response = client.post(url, {"amount": "80000", "reference": "03SC1",
                                 "starts_on": "2027-01-01", "ends_on": "2028-01-01"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.GRANTED
    assert project.budget_lines.count() == 4
    assert as_user("citizen").get(detail_url(application)).status_code == 200


def test_checklist_and_documents(as_user, application, partner_member, make_group):
    item = application.checklist.first()
    client = as_user("partner_member")
    client.post(reverse("proposals:checklist_toggle", kwargs={"pk": application.pk,
                                                             "item_pk": item.pk}))
    item.refresh_from_db()
    assert item.done and item.done_by == partner_member
    client.post(reverse("proposals:checklist_add", kwargs={"pk": application.pk}),
                {"text": "Ethik-Selbstbewertung"})
    assert application.checklist.filter(text="Ethik-Selbstbewertung").exists()
    group = make_group("Antrag", members=[partner_member])
    document = Document.objects.create(title="Finanzplan v3", group=group,
                                       visibility=Document.Visibility.MEMBERS)
    client.post(reverse("proposals:document_link", kwargs={"pk": application.pk}),
                {"document": document.pk})
    assert "Finanzplan v3" in client.get(detail_url(application)).content.decode()
    # A consortium member outside the group does not see the document it cannot open.
    assert "Finanzplan v3" not in as_user("other_admin").get(
        detail_url(application)).content.decode()


def test_lists_make_the_same_number_of_queries(as_user, application, partner_admin,
                                               funding_call, organisation, project,
                                               django_assert_max_num_queries):
    def count(url, client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    client = as_user("coordinator")
    urls = [reverse("proposals:list"), reverse("proposals:pipeline"),
            reverse("proposals:totals")]
    mine = as_user("partner_admin")
    before = [count(url, client) for url in urls] + [count(urls[0], mine)]
    for index in range(4):
        extra = services.application_create(actor=partner_admin, call=funding_call,
                                            organisation=organisation, title=f"A{index}",
                                            project=project)
        services.application_update(actor=partner_admin, application=extra,
                                    data={"published": True})
        services.budget_save(actor=partner_admin, member=extra.members.get(), lines={
            "personnel": {"amount": Decimal("100000"), "requested": Decimal("60000")}})
        submit(extra, partner_admin)
        services.grant_record(actor=partner_admin, application=extra, amount=Decimal("1000"),
                              reference=f"R{index}", starts_on="2027-01-01",
                              ends_on="2027-12-31")
    after = [count(url, client) for url in urls] + [count(urls[0], mine)]
    assert after == before


@pytest.mark.parametrize(("role", "status"), [
    (None, 302), ("citizen", 403), ("partner_admin", 403), ("coordinator", 200)])
def test_the_pipeline_and_its_exports_are_the_offices(as_user, application, role, status):
    client = as_user(role)
    for url in (reverse("proposals:pipeline"),
                reverse("proposals:pipeline_export", kwargs={"fmt": "csv"}),
                reverse("proposals:pipeline_export", kwargs={"fmt": "xlsx"})):
        assert client.get(url).status_code == status


def test_the_exports_hold_the_sums(as_user, application):
    client = as_user("coordinator")
    csv = b"".join(client.get(reverse("proposals:pipeline_export",
                                      kwargs={"fmt": "csv"})).streaming_content).decode()
    assert "Quartiersbus im Kreuzviertel" in csv and "84000" in csv
    workbook = load_workbook(io.BytesIO(client.get(reverse(
        "proposals:pipeline_export", kwargs={"fmt": "xlsx"})).content))
    rows = list(workbook.active.values)
    assert rows[1][1] == "Quartiersbus im Kreuzviertel" and rows[1][9] == 84000
    page = client.get(reverse("proposals:pipeline")).content.decode()
    assert "84.000 €" in page and "Bundesministerium für Wohnen" in page


def test_the_public_totals_show_grants_not_budgets(as_user, application, partner_admin):
    submit(application, partner_admin)
    services.grant_record(actor=partner_admin, application=application,
                          amount=Decimal("75000"), reference="GEHEIM-1",
                          starts_on="2027-01-01", ends_on="2028-12-31")
    page = as_user(None).get(reverse("proposals:totals")).content.decode()
    assert "75.000 €" in page and "Quartiersbus Kreuzviertel" in page
    assert "84.000 €" not in page and "GEHEIM-1" not in page


def test_a_grant_row_of_an_application_not_granted_is_no_funding_acquired(as_user, application):
    """A grant entered beside the services (the admin) on an application still in
    preparation counts nowhere: not on the totals page, not on the home page."""
    Grant.objects.create(application=application, amount=Decimal("55555"), reference="X-1",
                         starts_on="2027-01-01", ends_on="2027-12-31")
    for url in (reverse("proposals:totals"), reverse("portal:home")):
        assert "55.555" not in as_user(None).get(url).content.decode()


def test_the_english_page_writes_amounts_the_english_way(as_user, application):
    page = as_user("partner_member").get(f"/en/funding/applications/{application.pk}/")
    text = page.content.decode()
    assert "70,000 €" in text and "Requested funding" in text and "Checklist" in text


def test_my_applications_and_personal_data(application, partner_member, partner_admin,
                                           outsider_admin):
    from stadtallianz.proposals import queries

    assert list(queries.my_applications(partner_member)) == [application]
    assert list(queries.my_applications(outsider_admin)) == []
    data = queries.personal_data(partner_admin)
    assert list(data["funding_applications_started"]) == [application]
    assert not any(queryset.exists() for queryset in queries.personal_data(
        outsider_admin).values())


def test_the_project_page_tag_shows_what_the_reader_may_know(rf, application, partner_admin,
                                                             citizen, project):
    from stadtallianz.core import sections

    def shown(user):
        request = rf.get("/")
        request.user = user
        return sections.render("projects.project", request, project)

    assert "Quartiersbus im Kreuzviertel" in shown(partner_admin)
    assert "Quartiersbus im Kreuzviertel" not in shown(citizen)
    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    assert "Quartiersbus im Kreuzviertel" in shown(citizen)


def test_the_pipeline_export_makes_the_same_number_of_queries(
        as_user, application, partner_admin, funding_call, organisation, project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user("coordinator")
    url = reverse("proposals:pipeline_export", kwargs={"fmt": "csv"})

    def count():
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(url).streaming_content)
        return len(captured)

    before = count()
    for index in range(3):
        services.application_create(actor=partner_admin, call=funding_call,
                                    organisation=organisation, title=f"E{index}",
                                    project=project)
    assert count() == before


def test_the_call_section_lists_what_the_reader_may_know_and_offers_to_start_one(
        rf, application, partner_admin, citizen, funding_call):
    from stadtallianz.core import sections

    def shown(user):
        request = rf.get("/")
        request.user = user
        return str(sections.render("funding.call", request, funding_call))

    assert "Quartiersbus im Kreuzviertel" in shown(partner_admin)
    assert f"?call={funding_call.pk}" in shown(partner_admin)
    assert "Quartiersbus im Kreuzviertel" not in shown(citizen)
    assert f"?call={funding_call.pk}" not in shown(citizen)


def test_the_coordinator_publishes_and_manages_the_consortium_on_pages(
        as_user, application, make_organisation):
    client = as_user("partner_admin")
    client.post(reverse("proposals:edit", kwargs={"pk": application.pk}),
                {"title": "Quartiersbus 2.0", "published": "on"})
    application.refresh_from_db()
    assert application.published and application.title == "Quartiersbus 2.0"
    newcomer = make_organisation("Neue eG")
    url = reverse("proposals:member_add", kwargs={"pk": application.pk})
    response = client.post(url, {"organisation": newcomer.pk, "role": "subcontractor"})
    assert response.status_code == 302
    member = application.members.get(organisation=newcomer)
    client.post(reverse("proposals:member_remove", kwargs={"pk": application.pk,
                                                          "member_pk": member.pk}))
    assert not application.members.filter(organisation=newcomer).exists()
    coordinator = application.members.get(role="coordinator")
    response = client.post(reverse("proposals:member_remove", kwargs={
        "pk": application.pk, "member_pk": coordinator.pk}), follow=True)
    assert "Die Koordination kann nicht entfernt werden." in response.content.decode()


def test_an_empty_title_is_an_error_next_to_the_field(as_user, application):
    response = as_user("partner_admin").post(
        reverse("proposals:edit", kwargs={"pk": application.pk}), {"title": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
