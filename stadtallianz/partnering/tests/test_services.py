"""Posting, changing, closing and renewing notices; expressing and answering interest: who may,
what is refused, and that nothing is half-written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.models import AuditEntry
from stadtallianz.ideas.models import CoAuthor
from stadtallianz.partnering import permissions, services
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.partners.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_an_admin_posts_a_notice_for_their_project(notice, partner_admin, organisation):
    """The notice belongs to the organisation, names its poster and is audited."""
    assert notice.organisation == organisation
    assert notice.created_by == partner_admin
    assert notice.state == Notice.State.OPEN
    assert AuditEntry.objects.filter(action="partnering.notice.created").count() == 1


def test_a_plain_member_in_the_team_posts_too(partner_member, organisation, notice_data):
    notice = services.notice_create(actor=partner_member, organisation=organisation,
                                    data=notice_data())
    assert notice.created_by == partner_member


def test_the_notice_takes_the_focus_areas_of_its_project(partner_admin, organisation,
                                                         notice_data, project, focus_area):
    project.focus_areas.add(focus_area)
    notice = services.notice_create(actor=partner_admin, organisation=organisation,
                                    data=notice_data())
    assert list(notice.focus_areas.all()) == [focus_area]


def test_a_citizen_cannot_post(citizen, organisation, notice_data):
    with pytest.raises(PermissionDenied):
        services.notice_create(actor=citizen, organisation=organisation, data=notice_data())
    assert not Notice.objects.exists()


def test_a_draft_organisations_people_cannot_post(make_user, make_organisation, notice_data):
    draft = make_organisation("Entwurf GmbH", status=Organisation.Status.DRAFT)
    user = make_user("draft@example.org")
    Membership.objects.create(user=user, organisation=draft, role=Membership.Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.notice_create(actor=user, organisation=draft, data=notice_data(project=None,
                                                                               call=None))


def test_nobody_posts_for_another_organisation(other_admin, organisation, notice_data):
    with pytest.raises(ValidationError) as excinfo:
        services.notice_create(actor=other_admin, organisation=organisation, data=notice_data())
    assert "organisation" in errors_of(excinfo)


def test_only_the_projects_team_posts_for_it(other_admin, other_organisation, notice_data):
    with pytest.raises(ValidationError) as excinfo:
        services.notice_create(actor=other_admin, organisation=other_organisation,
                               data=notice_data())
    assert "project" in errors_of(excinfo)


def test_an_ideas_author_posts_for_it(citizen, idea, make_organisation, notice_data):
    organisation = make_organisation("Verein Schulweg", type=Organisation.Type.ASSOCIATION)
    Membership.objects.create(user=citizen, organisation=organisation)
    notice = services.notice_create(actor=citizen, organisation=organisation,
                                    data=notice_data(project=None, idea=idea))
    assert notice.idea == idea


def test_a_coauthor_posts_for_an_idea_others_do_not(idea, partner_admin, organisation,
                                                    notice_data):
    with pytest.raises(ValidationError) as excinfo:
        services.notice_create(actor=partner_admin, organisation=organisation,
                               data=notice_data(project=None, idea=idea))
    assert "idea" in errors_of(excinfo)
    CoAuthor.objects.create(idea=idea, user=partner_admin, state=CoAuthor.State.ACCEPTED)
    assert services.notice_create(actor=partner_admin, organisation=organisation,
                                  data=notice_data(project=None, idea=idea)).idea == idea


def test_a_notice_for_a_call_alone(partner_admin, organisation, notice_data, funding_call):
    notice = services.notice_create(actor=partner_admin, organisation=organisation,
                                    data=notice_data(project=None, call=funding_call))
    assert notice.call == funding_call


@pytest.mark.parametrize(("overrides", "field"), [
    ({"project": None}, "project"),
    ({"title_de": "  "}, "title_de"),
    ({"roles_sought": []}, "roles_sought"),
    ({"roles_sought": ["boss"]}, "roles_sought"),
    ({"wanted_types": ["alien"]}, "wanted_types"),
    ({"expires_on_days": -1}, "expires_on"),
    ({"expires_on_days": 400}, "expires_on"),
    ({"deadline_days": -1}, "deadline"),
    ({"deadline_days": 61}, "deadline"),
])
def test_bad_input_names_the_field(partner_admin, organisation, notice_data, today,
                                   overrides, field):
    if "expires_on_days" in overrides:
        overrides = {"expires_on": today + timedelta(days=overrides["expires_on_days"]),
                     "deadline": None}
    if "deadline_days" in overrides:
        overrides = {"deadline": today + timedelta(days=overrides["deadline_days"])}
    with pytest.raises(ValidationError) as excinfo:
        services.notice_create(actor=partner_admin, organisation=organisation,
                               data=notice_data(**overrides))
    assert field in errors_of(excinfo)
    assert not Notice.objects.exists()


def test_project_and_idea_together_are_refused(partner_admin, organisation, notice_data, idea):
    with pytest.raises(ValidationError) as excinfo:
        services.notice_create(actor=partner_admin, organisation=organisation,
                               data=notice_data(idea=idea))
    assert "idea" in errors_of(excinfo)


def test_the_owner_edits_others_may_not(notice, partner_admin, other_admin, partner_member):
    services.notice_update(actor=partner_admin, notice=notice, data={"title_de": "Neu"})
    notice.refresh_from_db()
    assert notice.title_de == "Neu"
    # A plain member of the organisation who did not post it is not its owner.
    for person in (other_admin, partner_member):
        with pytest.raises(PermissionDenied):
            services.notice_update(actor=person, notice=notice, data={"title_de": "X"})


def test_the_office_edits_any_notice(notice, coordinator):
    services.notice_update(actor=coordinator, notice=notice, data={"roles_sought": ["partner",
                                                                                   "coordinator"]})
    notice.refresh_from_db()
    assert notice.roles_sought == ["partner", "coordinator"]


def test_closing_and_renewing(notice, partner_admin, today):
    services.notice_close(actor=partner_admin, notice=notice)
    notice.refresh_from_db()
    assert notice.state == Notice.State.CLOSED
    with pytest.raises(Conflict):
        services.notice_close(actor=partner_admin, notice=notice)
    with pytest.raises(Conflict):
        services.notice_update(actor=partner_admin, notice=notice, data={"title_de": "X"})
    services.notice_renew(actor=partner_admin, notice=notice,
                          expires_on=today + timedelta(days=30))
    notice.refresh_from_db()
    assert notice.state == Notice.State.OPEN
    assert notice.expires_on == today + timedelta(days=30)
    assert notice.renewed_at is not None


def test_renewing_with_a_bad_expiry_names_the_field(notice, partner_admin, today):
    with pytest.raises(ValidationError) as excinfo:
        services.notice_renew(actor=partner_admin, notice=notice,
                              expires_on=today - timedelta(days=1))
    assert "expires_on" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.notice_renew(actor=partner_admin, notice=notice,
                              expires_on=today + timedelta(days=5))
    assert "deadline" in errors_of(excinfo)  # the deadline (20 days) is after the expiry


def test_others_cannot_close_or_renew(notice, other_admin):
    with pytest.raises(PermissionDenied):
        services.notice_close(actor=other_admin, notice=notice)
    with pytest.raises(PermissionDenied):
        services.notice_renew(actor=other_admin, notice=notice)


# ---------------------------------------------------------------------------------------------
# Interests


def test_another_partner_expresses_interest(interest, other_member, other_organisation):
    assert interest.person == other_member
    assert interest.organisation == other_organisation
    assert interest.state == Interest.State.PENDING


def test_not_twice(interest, notice, other_admin, other_organisation):
    with pytest.raises(Conflict):
        services.interest_create(actor=other_admin, notice=notice,
                                 organisation=other_organisation, message="Noch einmal")
    assert Interest.objects.count() == 1


def test_not_on_the_own_notice(notice, partner_member, organisation):
    with pytest.raises(PermissionDenied):
        services.interest_create(actor=partner_member, notice=notice,
                                 organisation=organisation, message="Wir selbst")


def test_a_citizen_cannot_express_interest(notice, citizen):
    with pytest.raises(PermissionDenied):
        services.interest_create(actor=citizen, notice=notice, organisation=None,
                                 message="Hallo")


def test_not_for_an_organisation_one_is_not_in(notice, other_admin, make_organisation):
    stranger = make_organisation("Fremde AG")
    with pytest.raises(ValidationError) as excinfo:
        services.interest_create(actor=other_admin, notice=notice, organisation=stranger,
                                 message="Hallo")
    assert "organisation" in errors_of(excinfo)


def test_a_message_is_needed(notice, other_admin, other_organisation):
    with pytest.raises(ValidationError) as excinfo:
        services.interest_create(actor=other_admin, notice=notice,
                                 organisation=other_organisation, message="   ")
    assert "message" in errors_of(excinfo)


@pytest.mark.parametrize("change", ["deadline", "expired", "closed"])
def test_not_after_the_deadline_the_expiry_or_closing(notice, other_admin, other_organisation,
                                                      today, change):
    if change == "deadline":
        Notice.objects.filter(pk=notice.pk).update(deadline=today - timedelta(days=1))
    elif change == "expired":
        Notice.objects.filter(pk=notice.pk).update(deadline=None,
                                                   expires_on=today - timedelta(days=1))
    else:
        Notice.objects.filter(pk=notice.pk).update(state=Notice.State.CLOSED)
    with pytest.raises((Conflict, PermissionDenied)):
        services.interest_create(actor=other_admin, notice=notice,
                                 organisation=other_organisation, message="Zu spät")
    assert not Interest.objects.exists()


def test_the_owner_accepts_or_declines_once(interest, partner_admin, other_admin):
    with pytest.raises(PermissionDenied):
        services.interest_answer(actor=other_admin, interest=interest, accept=True)
    services.interest_answer(actor=partner_admin, interest=interest, accept=True)
    interest.refresh_from_db()
    assert interest.state == Interest.State.ACCEPTED
    with pytest.raises(Conflict):
        services.interest_answer(actor=partner_admin, interest=interest, accept=False)


def test_permissions_helpers(notice, partner_admin, partner_member, other_admin, coordinator,
                             citizen):
    assert permissions.can_manage(partner_admin, notice)
    assert permissions.can_manage(coordinator, notice)
    assert not permissions.can_manage(partner_member, notice)
    assert not permissions.can_manage(citizen, notice)
    assert permissions.can_express_interest(other_admin, notice)
    assert not permissions.can_express_interest(partner_member, notice)
    assert not permissions.can_express_interest(citizen, notice)


def test_a_notice_or_interest_deleted_meanwhile_is_a_404(notice, interest, partner_admin,
                                                         outsider_admin):
    from django.http import Http404

    from stadtallianz.partners.models import Organisation

    stale_interest = Interest.objects.get(pk=interest.pk)
    Interest.objects.filter(pk=interest.pk).delete()
    with pytest.raises(Http404):
        services.interest_answer(actor=partner_admin, interest=stale_interest, accept=True)
    Notice.objects.filter(pk=notice.pk).delete()
    with pytest.raises(Http404):
        services.notice_close(actor=partner_admin, notice=notice)
    with pytest.raises(Http404):
        services.interest_create(actor=outsider_admin, notice=notice,
                                 organisation=Organisation.objects.get(name="Dritte Hochschule"),
                                 message="Zu spät")
    assert not Interest.objects.exists()
