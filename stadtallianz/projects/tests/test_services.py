"""The rules of projects, through the services: who may do what, bad input, state rules, the
audit log and notifications."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from stadtallianz.core.models import AuditEntry, SDGTarget, SustainableDevelopmentGoal
from stadtallianz.notifications.models import Notification
from stadtallianz.projects import permissions, services
from stadtallianz.projects.models import (
    BudgetLine,
    ConsortiumMember,
    Milestone,
    Project,
    ProjectPlace,
    ProjectSDG,
    Result,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the German catalogue is checked elsewhere)."""
    with translation.override("en"):
        yield


def _actions(project):
    return list(AuditEntry.objects.filter(object_id=str(project.pk)).values_list("action",
                                                                                   flat=True))


# ---------------------------------------------------------------------------------------------
# Creating


def test_a_partner_admin_starts_a_project_led_by_their_organisation(project, organisation,
                                                                  partner_admin, partner_member):
    lead = permissions.lead_of(project)
    assert lead.organisation == organisation and lead.state == "accepted"
    assert project.created_by == partner_admin
    assert "project.created" in _actions(project)
    assert permissions.can_edit(partner_member, project)


def test_nobody_starts_a_project_for_someone_elses_organisation(partner_member,
                                                                other_organisation):
    with pytest.raises(PermissionDenied):
        services.create_project(actor=partner_member, organisation=other_organisation,
                                data={"title_de": "Fremd"})
    assert not Project.objects.exists()


def test_a_citizen_cannot_start_a_project(citizen, group):
    assert not permissions.can_create(citizen)
    with pytest.raises(PermissionDenied):
        services.create_project(actor=citizen, group=group, data={"title_de": "Nein"})


def test_a_project_needs_an_organisation_or_a_group(partner_member):
    with pytest.raises(ValidationError) as error:
        services.create_project(actor=partner_member, data={"title_de": "Ohne"})
    assert "organisation" in error.value.message_dict


def test_a_group_member_starts_a_project_of_their_group(group_project, group, lead, member,
                                                        other_lead):
    assert group_project.working_group == group
    assert permissions.lead_of(group_project) is None
    # The group's leads edit and manage the consortium; others of the group do not.
    assert permissions.can_edit(lead, group_project)
    assert permissions.can_manage_consortium(lead, group_project)
    assert not permissions.can_edit(member, group_project)
    assert not permissions.can_edit(other_lead, group_project)
    with pytest.raises(PermissionDenied):
        services.create_project(actor=other_lead, group=group, data={"title_de": "Fremd"})


def test_an_empty_title_is_refused_and_nothing_is_written(partner_admin, organisation):
    with pytest.raises(ValidationError) as error:
        services.create_project(actor=partner_admin, organisation=organisation,
                                data={"title_de": ""})
    assert "title_de" in error.value.message_dict
    assert not Project.objects.exists() and not ConsortiumMember.objects.exists()


# ---------------------------------------------------------------------------------------------
# Editing, optimistic locking, phases


def test_the_team_edits_and_the_version_goes_up(project, partner_member):
    services.update_project(project=project, actor=partner_member, version=1,
                            data={"title_de": "Neuer Titel", "phase": "preparation"})
    project.refresh_from_db()
    assert (project.title_de, project.phase, project.version) == ("Neuer Titel",
                                                                  "preparation", 2)
    entry = AuditEntry.objects.get(action="project.changed")
    assert entry.before["title_de"] == "Quartiersbus Kreuzviertel"
    assert entry.after["title_de"] == "Neuer Titel"


@pytest.mark.parametrize("role", ["citizen", "other_admin", "lead"])
def test_outsiders_cannot_edit(request, project, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.update_project(project=project, actor=user, version=1, data={"title_de": "X"})
    project.refresh_from_db()
    assert project.title_de == "Quartiersbus Kreuzviertel"


def test_the_coordinator_edits_any_project(project, coordinator):
    services.update_project(project=project, actor=coordinator, version=1,
                            data={"summary_de": "Geprüft"})
    assert Project.objects.get(pk=project.pk).summary_de == "Geprüft"


def test_a_stale_version_is_refused_with_the_differing_fields(project, partner_member,
                                                              partner_admin):
    services.update_project(project=project, actor=partner_admin, version=1,
                            data={"title_de": "Zuerst gespeichert"})
    with pytest.raises(services.EditConflict) as conflict:
        services.update_project(project=project, actor=partner_member, version=1,
                                data={"title_de": "Später", "summary_de": "Ein Bus auf Abruf."})
    assert conflict.value.fields == ["title_de"]
    assert conflict.value.project.version == 2
    assert Project.objects.get(pk=project.pk).title_de == "Zuerst gespeichert"


@pytest.mark.parametrize("closed", ["completed", "stopped"])
def test_a_closed_project_keeps_its_phase(project, partner_member, closed):
    services.update_project(project=project, actor=partner_member, version=1,
                            data={"phase": closed})
    with pytest.raises(ValidationError) as error:
        services.update_project(project=project, actor=partner_member, version=2,
                                data={"phase": "pilot"})
    assert "closed" in error.value.message_dict["phase"][0]
    # Other fields of a closed project can still be corrected.
    services.update_project(project=project, actor=partner_member, version=2,
                            data={"phase": closed, "summary_de": "Abgeschlossen."})


# ---------------------------------------------------------------------------------------------
# Consortium


def test_invitation_accept_makes_the_organisation_part_of_the_team(
        invitation, project, other_admin, other_member):
    assert invitation.state == "invited"
    notification = Notification.objects.get(recipient=other_admin)
    assert project.title_de in notification.subject
    assert not permissions.can_edit(other_member, project)
    services.answer(member=invitation, actor=other_admin, accept=True)
    assert permissions.can_edit(other_member, project)
    assert "project.consortium.accepted" in _actions(project)
    with pytest.raises(ValidationError, match="already been answered"):
        services.answer(member=invitation, actor=other_admin, accept=False)


def test_only_the_invited_organisations_admins_answer(invitation, other_member, partner_admin,
                                                      coordinator):
    for user in (other_member, partner_admin, coordinator):
        with pytest.raises(PermissionDenied):
            services.answer(member=invitation, actor=user, accept=True)
    assert ConsortiumMember.objects.get(pk=invitation.pk).state == "invited"


def test_declined_organisations_do_not_edit_and_can_be_invited_again(
        invitation, project, other_admin, other_member, partner_admin, other_organisation):
    services.answer(member=invitation, actor=other_admin, accept=False)
    assert not permissions.can_edit(other_member, project)
    again = services.invite(project=project, actor=partner_admin,
                            organisation=other_organisation, role="associated")
    assert (again.pk, again.state, again.role) == (invitation.pk, "invited", "associated")
    assert Notification.objects.filter(recipient=other_admin).count() == 2


def test_only_the_lead_admins_invite(project, partner_member, other_admin, other_organisation):
    for user in (partner_member, other_admin):
        with pytest.raises(PermissionDenied):
            services.invite(project=project, actor=user, organisation=other_organisation,
                            role="partner")
    assert project.consortium.count() == 1


def test_invitation_rules(project, partner_admin, invitation, other_organisation,
                          make_organisation):
    with pytest.raises(ValidationError, match="already in the consortium"):
        services.invite(project=project, actor=partner_admin, organisation=other_organisation,
                        role="partner")
    with pytest.raises(ValidationError) as error:
        services.invite(project=project, actor=partner_admin,
                        organisation=make_organisation("Dritte"), role="lead")
    assert "has a lead organisation" in error.value.message_dict["role"][0]


def test_removing_partners_but_never_the_lead(project, partner_admin, invitation, other_admin):
    with pytest.raises(ValidationError, match="lead organisation cannot be removed"):
        services.remove(member=permissions.lead_of(project), actor=partner_admin)
    with pytest.raises(PermissionDenied):
        services.remove(member=invitation, actor=other_admin)
    services.remove(member=invitation, actor=partner_admin)
    assert project.consortium.count() == 1
    assert "project.consortium.removed" in _actions(project)


def test_an_invitation_to_lead_can_be_withdrawn(group_project, lead, other_organisation):
    invitation = services.invite(project=group_project, actor=lead,
                                 organisation=other_organisation, role="lead")
    services.remove(member=invitation, actor=lead)
    assert not group_project.consortium.exists()
    assert services.can_invite_lead(group_project)


def test_the_database_refuses_a_second_accepted_lead(project, other_organisation):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsortiumMember.objects.create(project=project, organisation=other_organisation,
                                        role="lead", state="accepted")


# ---------------------------------------------------------------------------------------------
# Parts


def _save(project, user, instance, **data):
    return services.save_part(project=project, actor=user, instance=instance, data=data)


def test_results_drive_the_projects_progress(project, partner_member):
    first = _save(project, partner_member, Result(), title="A", progress=20)
    _save(project, partner_member, Result(), title="B", progress=81)
    assert Project.objects.get(pk=project.pk).progress == 50
    _save(project, partner_member, Result(), title="C", progress=0, state="cancelled")
    assert Project.objects.get(pk=project.pk).progress == 50  # cancelled ones do not count
    services.delete_part(project=project, actor=partner_member, instance=first)
    assert Project.objects.get(pk=project.pk).progress == 81
    assert "project.result.deleted" in _actions(project)


def test_result_progress_above_100_is_refused(project, partner_member):
    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, Result(), title="A", progress=101)
    assert "progress" in error.value.message_dict


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"state": "done"}, "done_at", "Give the date"),
    ({"done_at": date(2025, 1, 1)}, "done_at", "Only a reached milestone"),
    ({"state": "done", "done_at": date.today() + timedelta(days=3)}, "done_at", "future"),
    ({"due": date(2205, 1, 1)}, "due", "between 2000-01-01 and 2100-12-31"),
])
def test_milestone_dates_are_checked(project, partner_member, data, field, message):
    fields = {"title": "M", "due": date(2026, 6, 1), **data}
    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, Milestone(), **fields)
    assert message in error.value.message_dict[field][0]
    assert not Milestone.objects.exists()


def test_phase_dates_end_after_start(project, partner_member):
    from stadtallianz.projects.models import PhasePeriod

    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, PhasePeriod(), phase="pilot", start=date(2026, 5, 1),
              end=date(2026, 4, 1))
    assert "end" in error.value.message_dict
    _save(project, partner_member, PhasePeriod(), phase="pilot", start=date(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, PhasePeriod(), phase="pilot", start=date(2026, 6, 1))
    assert "has its dates already" in error.value.message_dict["phase"][0]


@pytest.mark.parametrize(("data", "field"), [
    ({"amount": Decimal("-1")}, "amount"),
    ({"currency": "EUT"}, "currency"),
    ({"currency": "eur"}, "currency"),
])
def test_budget_lines_are_checked(project, partner_member, data, field):
    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, BudgetLine(),
              **{"label": "Posten", "amount": Decimal("10"), **data})
    assert field in error.value.message_dict


def test_budget_totals_per_currency(project, partner_member):
    for amount, currency in [("10.50", "EUR"), ("5", "CHF"), ("0.50", "EUR")]:
        _save(project, partner_member, BudgetLine(), label="x", amount=Decimal(amount),
              currency=currency)
    assert services.budget_totals(project.budget_lines.all()) == [
        ("CHF", Decimal("5")), ("EUR", Decimal("11.00"))]


def test_places_are_validated_geojson(project, partner_member):
    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, ProjectPlace(), name="Ort",
              geometry={"type": "Point", "coordinates": [200, 51]})
    assert "longitude 200" in error.value.message_dict["geometry"][0]
    place = _save(project, partner_member, ProjectPlace(), name="Ort",
                  geometry={"type": "Point", "coordinates": [7.6, 51.9], "crs": "x"})
    assert place.geometry == {"type": "Point", "coordinates": [7.6, 51.9]}


def test_an_sdg_target_must_belong_to_the_goal(project, partner_member):
    goal = SustainableDevelopmentGoal.objects.get(number=11)
    with pytest.raises(ValidationError) as error:
        _save(project, partner_member, ProjectSDG(), goal=goal,
              target=SDGTarget.objects.get(code="7.2"))
    assert "does not belong to goal 11" in error.value.message_dict["target"][0]
    _save(project, partner_member, ProjectSDG(), goal=goal,
          target=SDGTarget.objects.get(code="11.2"))
    _save(project, partner_member, ProjectSDG(), goal=goal)
    with pytest.raises(ValidationError) as error:  # the goal alone, twice
        _save(project, partner_member, ProjectSDG(), goal=goal)
    assert "goal" in error.value.message_dict


def test_outsiders_cannot_change_parts(project, citizen, other_admin, partner_member):
    milestone = _save(project, partner_member, Milestone(), title="M", due=date(2026, 1, 1))
    for user in (citizen, other_admin):
        with pytest.raises(PermissionDenied):
            _save(project, user, Milestone(), title="X", due=date(2026, 1, 1))
        with pytest.raises(PermissionDenied):
            services.delete_part(project=project, actor=user, instance=milestone)
    assert Milestone.objects.count() == 1


def test_a_part_of_another_project_cannot_be_changed_through_this_one(project, group_project,
                                                                      partner_member, lead):
    milestone = _save(group_project, lead, Milestone(), title="M", due=date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        _save(project, partner_member, milestone, title="gekapert")


def test_create_from_idea_takes_over_sdgs_and_place(make_user, group):
    from stadtallianz.ideas.models import Idea

    author = make_user("idee@example.org")
    idea = Idea.objects.create(title="Idee mit Ort", description="Text", author=author,
                               working_group=group, latitude=Decimal("51.96"),
                               longitude=Decimal("7.62"), place_name="Domplatz")
    idea.sdgs.set(SustainableDevelopmentGoal.objects.filter(number__in=[11, 13]))
    project = services.create_from_idea(idea, author)
    assert project.origin_idea == idea and project.working_group == group
    assert sorted(project.sdg_relations.values_list("goal__number", flat=True)) == [11, 13]
    place = project.places.get()
    assert place.name == "Domplatz"
    assert place.geometry == {"type": "Point", "coordinates": [7.62, 51.96]}


def test_the_timeline_follows_phase_changes(project, partner_member):
    from django.utils import timezone

    today = timezone.localdate()
    assert list(project.phase_periods.values_list("phase", "start", "end")) == [
        ("concept", today, None)]
    services.update_project(project=project, actor=partner_member, version=1,
                            data={"phase": "pilot"})
    assert list(project.phase_periods.order_by("pk").values_list("phase", "start", "end")) == [
        ("concept", today, today), ("pilot", today, None)]
    services.update_project(project=project, actor=partner_member, version=2,
                            data={"summary_de": "Nur Text"})
    assert project.phase_periods.count() == 2


def test_a_project_without_a_lead_invites_one(group_project, lead, other_admin, other_member,
                                              other_organisation, partner_admin, organisation):
    invitation = services.invite(project=group_project, actor=lead,
                                 organisation=other_organisation, role="lead")
    with pytest.raises(ValidationError) as error:  # one open invitation to lead at a time
        services.invite(project=group_project, actor=lead, organisation=organisation,
                        role="lead")
    assert "role" in error.value.message_dict
    services.answer(member=invitation, actor=other_admin, accept=True)
    assert permissions.lead_of(group_project).organisation == other_organisation
    # The lead's admins manage the consortium now; its people and the group's leads edit.
    assert permissions.can_manage_consortium(other_admin, group_project)
    assert not permissions.can_manage_consortium(lead, group_project)
    assert permissions.can_edit(other_member, group_project)
    assert permissions.can_edit(lead, group_project)


def test_two_lead_invitations_cannot_both_be_accepted(group_project, lead, other_admin,
                                                      other_organisation, partner_admin,
                                                      organisation):
    first = services.invite(project=group_project, actor=lead, organisation=other_organisation,
                            role="lead")
    # An older open invitation to lead, written before the rule (or by the admin site).
    second = ConsortiumMember.objects.create(project=group_project, organisation=organisation,
                                             role="lead")
    services.answer(member=first, actor=other_admin, accept=True)
    with pytest.raises(ValidationError, match="has a lead organisation already"):
        services.answer(member=second, actor=partner_admin, accept=True)
    assert ConsortiumMember.objects.get(pk=second.pk).state == "invited"


# The phase rule: forward to any later phase, one step back, stopped from any open phase;
# completed and stopped are final.
ALLOWED = [("concept", "preparation"), ("concept", "completed"), ("concept", "stopped"),
           ("preparation", "concept"), ("pilot", "rollout"), ("evaluation", "pilot"),
           ("rollout", "evaluation"), ("rollout", "completed"), ("rollout", "stopped"),
           ("evaluation", "evaluation")]
REFUSED = [("rollout", "concept"), ("rollout", "pilot"), ("evaluation", "preparation"),
           ("pilot", "concept"), ("completed", "rollout"), ("completed", "stopped"),
           ("stopped", "concept"), ("stopped", "completed")]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_phase_changes(project, partner_member, old, new):
    Project.objects.filter(pk=project.pk).update(phase=old)
    services.update_project(project=project, actor=partner_member, version=1,
                            data={"phase": new})
    assert Project.objects.get(pk=project.pk).phase == new


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_phase_changes_name_both_phases(project, partner_member, old, new):
    Project.objects.filter(pk=project.pk).update(phase=old)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.update_project(project=project, actor=partner_member, version=1,
                                data={"phase": new})
    message = error.value.message_dict["phase"][0]
    if old not in ("completed", "stopped"):
        assert str(Project.Phase(old).label) in message
        assert str(Project.Phase(new).label) in message
    assert Project.objects.get(pk=project.pk).phase == old
    assert Project.objects.get(pk=project.pk).version == 1


@pytest.mark.parametrize(("phase", "allowed"), [
    ("concept", True), ("preparation", True), ("pilot", True), ("evaluation", False),
    ("rollout", False), ("completed", False), ("stopped", False)])
def test_a_new_project_starts_in_an_early_phase(partner_admin, organisation, phase, allowed):
    create = lambda: services.create_project(  # noqa: E731
        actor=partner_admin, organisation=organisation, data={"title_de": "P", "phase": phase})
    if allowed:
        assert create().phase == phase
    else:
        with translation.override("en"), pytest.raises(ValidationError) as error:
            create()
        assert str(Project.Phase(phase).label) in error.value.message_dict["phase"][0]
        assert not Project.objects.exists()


@pytest.mark.parametrize(("model", "make"), [
    (ProjectPlace, lambda p, n: ProjectPlace(project=p, name=f"Ort {n}", geometry={
        "type": "Point", "coordinates": [7.6, 51.9]})),
    (Milestone, lambda p, n: Milestone(project=p, title=f"M {n}", due=date(2026, 1, 1))),
    (Result, lambda p, n: Result(project=p, title=f"R {n}")),
])
def test_a_project_has_a_limited_number_of_parts(project, partner_member, model, make):
    limit = services.PART_LIMITS[model]
    model.objects.bulk_create(make(project, n) for n in range(limit))
    data = {ProjectPlace: {"name": "Noch einer", "geometry": {"type": "Point",
                                                              "coordinates": [7, 51]}},
            Milestone: {"title": "Noch einer", "due": date(2026, 2, 1)},
            Result: {"title": "Noch einer"}}[model]
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            services.save_part(project=project, actor=partner_member, instance=model(),
                               data=data)
        assert f"at most {limit}" in error.value.messages[0]
    assert model.objects.filter(project=project).count() == limit
    # The existing ones can still be changed.
    services.save_part(project=project, actor=partner_member,
                       instance=model.objects.filter(project=project).first(), data=data)
