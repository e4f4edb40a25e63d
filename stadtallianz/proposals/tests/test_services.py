"""The services of joint applications: consortium, budget checked against the call, states,
grant, and who may do each."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stadtallianz.core.audit_sentences import has_sentence
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.models import AuditEntry
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge.models import Document
from stadtallianz.notifications.models import Notification
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import BudgetLine as ProjectBudgetLine
from stadtallianz.proposals import services
from stadtallianz.proposals.models import Application, ApplicationMember, BudgetLine

S = Application.State
pytestmark = pytest.mark.django_db


def coordinator_of(application):
    return application.members.get(role=ApplicationMember.Role.COORDINATOR)


def partner_of(application):
    return application.members.get(role=ApplicationMember.Role.PARTNER)


def submit(application, actor):
    services.application_transition(actor=actor, application=application,
                                    state=S.IN_PREPARATION)
    services.application_transition(actor=actor, application=application, state=S.SUBMITTED)


def test_a_new_application_has_its_coordinator_checklist_and_first_state(application):
    assert application.state == S.PLANNED
    assert coordinator_of(application).organisation.name == "Stadtwerke Beispielstadt"
    assert application.checklist.count() == len(services.DEFAULT_CHECKLIST)
    assert application.checklist.first().text == "Aufruf und Förderrichtlinie lesen"
    assert list(application.state_changes.values_list("to_state", flat=True)) == [S.PLANNED]


@pytest.mark.parametrize("role", ["citizen", "partner_member", "outsider_admin"])
def test_only_an_admin_of_the_coordinator_or_the_office_starts_one(
        request, role, organisation, funding_call, project):
    with pytest.raises(PermissionDenied):
        services.application_create(actor=request.getfixturevalue(role), call=funding_call,
                                    organisation=organisation, title="X", project=project)


def test_an_application_is_for_a_project_or_an_idea_not_both(
        partner_admin, organisation, funding_call, project, citizen):
    idea = Idea.objects.create(title="Idee", description="Text", author=citizen)
    for kwargs in ({}, {"project": project, "idea": idea}):
        with pytest.raises(ValidationError) as refused:
            services.application_create(actor=partner_admin, call=funding_call,
                                        organisation=organisation, title="X", **kwargs)
        assert "project" in refused.value.message_dict


def test_a_project_whose_team_the_person_is_not_in_is_refused(
        outsider_admin, funding_call, project):
    organisation = Organisation.objects.get(memberships__user=outsider_admin)
    with pytest.raises(ValidationError) as refused:
        services.application_create(actor=outsider_admin, call=funding_call,
                                    organisation=organisation, title="X", project=project)
    assert "project" in refused.value.message_dict


def test_a_closed_call_takes_no_application(partner_admin, organisation, make_call, project):
    with pytest.raises(ValidationError) as refused:
        services.application_create(actor=partner_admin, call=make_call(state="closed"),
                                    organisation=organisation, title="X", project=project)
    assert "call" in refused.value.message_dict


def test_there_is_exactly_one_coordinator(application, partner_admin, make_organisation):
    with pytest.raises(ValidationError) as refused:
        services.member_add(actor=partner_admin, application=application,
                            organisation=make_organisation("Vierte eG"),
                            role=ApplicationMember.Role.COORDINATOR)
    assert "role" in refused.value.message_dict
    with pytest.raises(Conflict):
        services.member_remove(actor=partner_admin, member=coordinator_of(application))


def test_a_partner_admin_edits_its_own_budget_not_the_consortium(application, other_admin):
    services.budget_save(actor=other_admin, member=partner_of(application), lines={
        "material": {"amount": Decimal("10000"), "requested": Decimal("7000")}})
    with pytest.raises(PermissionDenied):
        services.budget_save(actor=other_admin, member=coordinator_of(application), lines={})
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=other_admin, member=partner_of(application))


def test_requested_funding_over_the_rate_names_the_member_and_the_field(
        application, partner_admin):
    with pytest.raises(ValidationError) as refused:
        services.budget_save(actor=partner_admin, member=coordinator_of(application), lines={
            "personnel": {"amount": Decimal("100000"), "requested": Decimal("80000")}})
    assert refused.value.message_dict == {"requested": [
        "Stadtwerke Beispielstadt: Beantragte Förderung 80.000 € übersteigt 70 % der "
        "förderfähigen Kosten (70.000 €)."]}


def test_a_refused_budget_leaves_the_old_one_whole(application, partner_admin):
    member = coordinator_of(application)
    with pytest.raises(ValidationError):
        services.budget_save(actor=partner_admin, member=member, lines={
            "personnel": {"amount": Decimal("10000"), "requested": Decimal("9000")},
            "material": {"amount": Decimal("1000"), "requested": Decimal("900")}})
    assert list(member.budget_lines.values_list("category", "amount", "requested")) == [
        ("personnel", Decimal("100000.00"), Decimal("70000.00"))]


def test_a_research_institute_gets_its_own_rate(application, partner_admin, make_organisation):
    institute = make_organisation("Hochschule", type=Organisation.Type.RESEARCH)
    member = services.member_add(actor=partner_admin, application=application,
                                 organisation=institute, role=ApplicationMember.Role.PARTNER)
    services.budget_save(actor=partner_admin, member=member, lines={
        "personnel": {"amount": Decimal("30000"), "requested": Decimal("30000")}})
    assert BudgetLine.objects.get(member=member).own_contribution == 0


@pytest.mark.parametrize(("line", "field"), [
    ({"amount": Decimal("-5"), "requested": Decimal("0")}, "amount"),
    ({"amount": Decimal("100"), "requested": Decimal("-1")}, "requested"),
    ({"amount": Decimal("100"), "requested": Decimal("101")}, "requested"),
    ({"amount": Decimal("100"), "requested": Decimal("50"),
      "own_contribution": Decimal("40")}, "own_contribution"),
])
def test_negative_or_inconsistent_sums_are_refused(application, partner_admin, line, field):
    with pytest.raises(ValidationError) as refused:
        services.budget_save(actor=partner_admin, member=coordinator_of(application),
                             lines={"other": line})
    assert field in refused.value.message_dict


def test_the_maximum_per_project_is_checked(application, partner_admin):
    with pytest.raises(ValidationError) as refused:
        services.budget_save(actor=partner_admin, member=coordinator_of(application), lines={
            "personnel": {"amount": Decimal("1000000"), "requested": Decimal("700000")}})
    assert "maximum per project" in refused.value.message_dict["requested"][0] or \
        "Höchstbetrag" in refused.value.message_dict["requested"][0]


def test_an_associated_partner_requests_no_funding(application, partner_admin,
                                                   make_organisation):
    member = services.member_add(actor=partner_admin, application=application,
                                 organisation=make_organisation("Verein"),
                                 role=ApplicationMember.Role.ASSOCIATED)
    with pytest.raises(ValidationError):
        services.budget_save(actor=partner_admin, member=member, lines={
            "personnel": {"amount": Decimal("100"), "requested": Decimal("50")}})


def test_an_ineligible_organisation_type_is_refused(application, partner_admin,
                                                    make_organisation, funding_call):
    funding_call.eligible_types = ["company", "research"]
    funding_call.save()
    with pytest.raises(ValidationError) as refused:
        services.member_add(actor=partner_admin, application=application,
                            organisation=make_organisation("Verein e.V.",
                                                           type=Organisation.Type.ASSOCIATION),
                            role=ApplicationMember.Role.PARTNER)
    assert "organisation" in refused.value.message_dict
    assert application.members.count() == 2


@pytest.mark.parametrize(("path", "illegal"), [
    ([], S.SUBMITTED), ([], S.REJECTED), ([S.WITHDRAWN], S.PLANNED),
    ([S.IN_PREPARATION, S.SUBMITTED], S.PLANNED),
])
def test_illegal_transitions_name_the_state(application, partner_admin, path, illegal):
    for state in path:
        services.application_transition(actor=partner_admin, application=application,
                                        state=state)
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=partner_admin, application=application,
                                        state=illegal)
    assert "state" in refused.value.message_dict


def test_granted_only_with_a_grant_record(application, partner_admin):
    submit(application, partner_admin)
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=partner_admin, application=application,
                                        state=S.GRANTED)
    assert refused.value.error_dict["state"][0].code == "grant_required"


def test_submitting_checks_the_minimum(application, partner_admin, funding_call):
    funding_call.min_amount = Decimal("100000")
    funding_call.save()
    services.application_transition(actor=partner_admin, application=application,
                                    state=S.IN_PREPARATION)
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=partner_admin, application=application,
                                        state=S.SUBMITTED)
    assert "requested" in refused.value.message_dict
    application.refresh_from_db()
    assert application.state == S.IN_PREPARATION


def test_a_submission_keeps_its_date_and_history(application, partner_admin):
    services.application_transition(actor=partner_admin, application=application,
                                    state=S.IN_PREPARATION, on=timezone.localdate())
    services.application_transition(actor=partner_admin, application=application,
                                    state=S.SUBMITTED)
    application.refresh_from_db()
    assert application.submitted_on == timezone.localdate()
    assert [c.to_state for c in application.state_changes.all()] == [
        S.PLANNED, S.IN_PREPARATION, S.SUBMITTED]


def test_a_date_in_the_future_is_refused(application, partner_admin):
    with pytest.raises(ValidationError) as refused:
        services.application_transition(actor=partner_admin, application=application,
                                        state=S.IN_PREPARATION,
                                        on=timezone.localdate() + timedelta(days=2))
    assert "on" in refused.value.message_dict


def test_the_budget_is_fixed_once_submitted(application, partner_admin):
    submit(application, partner_admin)
    with pytest.raises(Conflict):
        services.budget_save(actor=partner_admin, member=coordinator_of(application), lines={})


@pytest.mark.parametrize("role", ["other_admin", "partner_member", "outsider_admin",
                                  "citizen"])
def test_only_the_coordinators_admins_change_the_state(request, application, role):
    with pytest.raises(PermissionDenied):
        services.application_transition(actor=request.getfixturevalue(role),
                                        application=application, state=S.IN_PREPARATION)


def test_the_consortium_is_told_of_state_changes_and_nobody_else(
        application, partner_admin, partner_member, other_admin, outsider_admin, citizen,
        coordinator):
    services.application_transition(actor=partner_admin, application=application,
                                    state=S.IN_PREPARATION)
    told = set(Notification.objects.filter(kind="application-state")
               .values_list("recipient__email", flat=True))
    assert told == {partner_member.email, other_admin.email}
    for person in (outsider_admin, citizen, coordinator, partner_admin):
        assert not Notification.objects.filter(recipient=person).exists()


def test_a_grant_carries_the_budget_into_the_project(application, partner_admin, project):
    submit(application, partner_admin)
    grant = services.grant_record(actor=partner_admin, application=application,
                                  amount=Decimal("80000"), reference="03SC1234",
                                  starts_on=date(2027, 1, 1), ends_on=date(2029, 12, 31))
    application.refresh_from_db()
    assert application.state == S.GRANTED and grant.application == application
    lines = ProjectBudgetLine.objects.filter(project=project)
    funding = lines.filter(source=ProjectBudgetLine.Source.FUNDING)
    assert sum(line.amount for line in funding) == Decimal("80000")
    assert sorted(line.amount for line in funding) == [Decimal("13333.33"),
                                                       Decimal("66666.67")]
    own = lines.filter(source=ProjectBudgetLine.Source.OWN)
    assert sorted(line.amount for line in own) == [Decimal("6000"), Decimal("30000")]
    assert application.state_changes.last().to_state == S.GRANTED
    # The project's budget is public: the grant's reference stays with the application.
    assert not any("03SC1234" in line.label for line in lines)


def test_only_a_submitted_application_is_granted(application, partner_admin):
    with pytest.raises(Conflict):
        services.grant_record(actor=partner_admin, application=application,
                              amount=Decimal("1"), reference="X", starts_on=date(2027, 1, 1),
                              ends_on=date(2027, 2, 1))


def test_a_grant_ending_before_it_starts_is_refused_and_nothing_changes(
        application, partner_admin, project):
    submit(application, partner_admin)
    with pytest.raises(ValidationError) as refused:
        services.grant_record(actor=partner_admin, application=application,
                              amount=Decimal("1000"), reference="X",
                              starts_on=date(2027, 2, 1), ends_on=date(2027, 1, 1))
    assert "ends_on" in refused.value.message_dict
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert not ProjectBudgetLine.objects.filter(project=project).exists()


def test_an_idea_takes_a_grant_once_it_has_become_a_project(
        partner_admin, organisation, funding_call, citizen, coordinator):
    idea = Idea.objects.create(title="Sensoren am Aasee", description="Text", author=citizen)
    application = services.application_create(actor=partner_admin, call=funding_call,
                                              organisation=organisation, title="Aasee",
                                              idea=idea)
    services.budget_save(actor=partner_admin, member=coordinator_of(application), lines={
        "personnel": {"amount": Decimal("100000"), "requested": Decimal("70000")}})
    submit(application, partner_admin)
    grant = {"amount": Decimal("70000"), "reference": "FKZ 1", "starts_on": date(2027, 1, 1),
             "ends_on": date(2028, 1, 1)}
    with pytest.raises(Conflict):
        services.grant_record(actor=coordinator, application=application, **grant)
    from stadtallianz.projects.services import create_from_idea

    project = create_from_idea(idea, coordinator)
    services.grant_record(actor=coordinator, application=application, **grant)
    application.refresh_from_db()
    assert (application.project, application.idea) == (project, None)


def test_visibility_per_role(application, partner_admin, partner_member, other_admin,
                             outsider_admin, citizen, coordinator):
    from django.contrib.auth.models import AnonymousUser

    def sees(user):
        return Application.objects.visible_to(user).filter(pk=application.pk).exists()

    def confidential(user):
        return Application.objects.confidential_for(user).filter(pk=application.pk).exists()

    insiders = [partner_admin, partner_member, other_admin, coordinator]
    outsiders = [outsider_admin, citizen, AnonymousUser()]
    assert all(sees(user) and confidential(user) for user in insiders)
    assert not any(sees(user) or confidential(user) for user in outsiders)
    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    assert all(sees(user) and not confidential(user) for user in outsiders)
    assert not BudgetLine.objects.visible_to(outsider_admin).exists()
    assert BudgetLine.objects.visible_to(partner_member).count() == 2


def test_documents_for_members_only_are_linked_public_ones_refused(
        application, partner_admin, make_group):
    group = make_group("Förderung", members=[partner_admin])
    private = Document.objects.create(title="Finanzplan", group=group,
                                      visibility=Document.Visibility.MEMBERS)
    public = Document.objects.create(title="Flyer", group=group)
    services.document_link(actor=partner_admin, application=application, document=private)
    with pytest.raises(ValidationError) as refused:
        services.document_link(actor=partner_admin, application=application, document=public)
    assert "document" in refused.value.message_dict


def test_every_action_has_its_audit_sentence(application, partner_admin):
    services.application_transition(actor=partner_admin, application=application,
                                    state=S.IN_PREPARATION)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {a for a in actions if a.startswith("proposals.")} >= {
        "proposals.application.created", "proposals.member.added", "proposals.budget.saved",
        "proposals.application.state_changed"}
    assert all(has_sentence(action) for action in actions)


def test_deadline_reminders_reach_the_consortium_and_nobody_else(
        application, partner_member, other_admin, outsider_admin, citizen, funding_call):
    from stadtallianz.funding.models import Deadline
    from stadtallianz.funding.reminders import send_reminders

    Deadline.objects.filter(call=funding_call).update(
        due_at=timezone.now() + timedelta(days=2, hours=12))
    send_reminders()
    reminded = set(Notification.objects.filter(kind="funding-deadline")
                   .values_list("recipient__email", flat=True))
    assert {partner_member.email, other_admin.email} <= reminded
    assert outsider_admin.email not in reminded and citizen.email not in reminded


def test_an_associated_partner_of_any_type_may_join(application, partner_admin,
                                                    make_organisation, funding_call):
    funding_call.eligible_types = ["company"]
    funding_call.save()
    services.member_add(actor=partner_admin, application=application,
                        organisation=make_organisation("Kammer", type=Organisation.Type.CHAMBER),
                        role=ApplicationMember.Role.ASSOCIATED)
    assert application.members.count() == 3


def test_an_application_starts_with_its_calls_checklist_else_the_usual_steps(
        partner_admin, organisation, funding_call, project):
    funding_call.checklist = "Skizze beim Projektträger einreichen\n\n  Letter of Support  \n"
    funding_call.save()
    own = services.application_create(actor=partner_admin, call=funding_call,
                                       organisation=organisation, title="Mit Liste",
                                       project=project)
    assert [item.text for item in own.checklist.order_by("position", "pk")] == [
        "Skizze beim Projektträger einreichen", "Letter of Support"]
    funding_call.checklist = ""
    funding_call.save()
    usual = services.application_create(actor=partner_admin, call=funding_call,
                                         organisation=organisation, title="Ohne Liste",
                                         project=project)
    assert usual.checklist.count() == len(services.DEFAULT_CHECKLIST)
