from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.funding import permissions, services
from stadtallianz.funding.models import Call, CallFollow, Deadline, Programme


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_the_office_creates_a_call_with_rates_deadlines_and_verification(funding_call,
                                                                         coordinator):
    call = Call.objects.get(pk=funding_call.pk)
    assert call.slug == "horizon-cl5-2027-02-d6-07"
    assert call.rate_for("research") == Decimal("100")
    assert call.rate_for("company") == Decimal("70")
    assert call.is_eligible("research") and not call.is_eligible("association")
    assert call.verified_on == timezone.localdate() and call.verified_by == coordinator
    assert call.next_deadline == call.deadlines.get().due_at
    assert call.deadlines.get().due_at.astimezone(services.BRUSSELS).hour == 17
    assert AuditEntry.objects.filter(action="funding.call.created").count() == 1


def test_a_partner_admin_creates_and_edits_any_call(partner_admin, funding_call, call_data):
    services.update_call(call=funding_call, actor=partner_admin, data={"region": "EU, CH"},
                         verified=True)
    funding_call.refresh_from_db()
    assert funding_call.region == "EU, CH" and funding_call.verified_by == partner_admin
    own = services.create_call(actor=partner_admin,
                               data=call_data(source_id="", title_de="Eigener Aufruf"))
    assert own.slug == "eigener-aufruf"


@pytest.mark.parametrize("who", ["citizen", "partner_member"])
def test_members_and_citizens_may_not_enter_calls(request, who, call_data, funding_call):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.create_call(actor=user, data=call_data(source_id="X-1"))
    with pytest.raises(PermissionDenied):
        services.update_call(call=funding_call, actor=user, data={"region": "x"})
    with pytest.raises(PermissionDenied):
        services.create_programme(actor=user, data={"funder": "x", "level": "eu",
                                                    "name_de": "x"})
    with pytest.raises(PermissionDenied):
        services.verify_call(call=funding_call, actor=user)


def test_an_admin_of_an_unconfirmed_organisation_is_no_partner_admin(make_user,
                                                                     make_organisation):
    from stadtallianz.partners.models import Membership, Organisation

    draft = make_organisation("Entwurf GmbH", status=Organisation.Status.DRAFT)
    user = make_user("draft@example.org")
    Membership.objects.create(user=user, organisation=draft, role=Membership.Role.ADMIN)
    assert not permissions.can_edit_calls(user)


def test_only_the_office_deletes_and_imports(partner_admin, coordinator, funding_call):
    assert not permissions.can_import(partner_admin) and permissions.can_import(coordinator)
    with pytest.raises(PermissionDenied):
        services.delete_call(call=funding_call, actor=partner_admin)
    with pytest.raises(ValidationError):
        services.delete_programme(programme=funding_call.programme, actor=coordinator)
    services.delete_call(call=funding_call, actor=coordinator)
    assert not Call.objects.exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"min_amount": Decimal("5000000")}, "min_amount"),
    ({"max_amount": Decimal("20000000"), "min_amount": None}, "max_amount"),
    ({"funding_rate": Decimal("120")}, "funding_rate"),
    ({"funding_rate": Decimal("-1")}, "funding_rate"),
    ({"eligible_types": ["company", "ministry"]}, "eligible_types"),
    ({"programme": None}, "programme"),
    ({"title_de": ""}, "title_de"),
    # The call page makes each line a link: no javascript: or data: address.
    ({"links": "https://example.org/faq\njavascript:alert(1)"}, "links"),
    ({"links": "data:text/html,hallo"}, "links"),
])
def test_bad_call_fields_name_their_field_and_write_nothing(coordinator, call_data, overrides,
                                                             field):
    with pytest.raises(ValidationError) as excinfo:
        services.create_call(actor=coordinator, data=call_data(**overrides))
    assert field in _errors(excinfo)
    assert not Call.objects.exists()


def test_a_rate_outside_0_to_100_or_for_an_unknown_type(coordinator, call_data):
    for rates in ({"research": Decimal("101")}, {"ministry": Decimal("50")}):
        with pytest.raises(ValidationError) as excinfo:
            services.create_call(actor=coordinator, data=call_data(), rates=rates)
        assert "rates" in _errors(excinfo)
    assert not Call.objects.exists()


def test_a_deadline_before_the_opening_date(coordinator, call_data, due_in):
    data = call_data(opens_on=timezone.localdate() + timedelta(days=30))
    with pytest.raises(ValidationError) as excinfo:
        services.create_call(actor=coordinator, data=data,
                             deadlines=[{"stage": "single", "due_at": due_in(5)}])
    assert "Öffnungsdatum" in " ".join(_errors(excinfo)["deadlines"])
    assert not Call.objects.exists() and not Deadline.objects.exists()


@pytest.mark.parametrize("stages", [
    [("single", 10), ("first", 20)], [("second", 20)], [("first", 30), ("second", 20)],
    [("first", 10), ("first", 20)], [("third", 10)]])
def test_impossible_stages(coordinator, call_data, due_in, stages):
    with pytest.raises(ValidationError) as excinfo:
        services.create_call(actor=coordinator, data=call_data(), deadlines=[
            {"stage": stage, "due_at": due_in(days)} for stage, days in stages])
    assert "deadlines" in _errors(excinfo)


def test_a_two_stage_call_keeps_its_deadline_uids_when_edited(coordinator, funding_call,
                                                               due_in):
    services.update_call(call=funding_call, actor=coordinator, data={}, deadlines=[
        {"stage": "first", "due_at": due_in(20)}, {"stage": "second", "due_at": due_in(90)}])
    first = funding_call.deadlines.get(stage="first")
    services.update_call(call=funding_call, actor=coordinator, data={}, deadlines=[
        {"stage": "first", "due_at": due_in(21)}, {"stage": "second", "due_at": due_in(90)}])
    moved = funding_call.deadlines.get(stage="first")
    assert moved.uid == first.uid and moved.due_at == due_in(21)
    assert [d.stage for d in funding_call.deadlines.all()] == ["first", "second"]


def test_a_source_id_is_unique_per_source(coordinator, funding_call, call_data):
    with pytest.raises(ValidationError) as excinfo:
        services.create_call(actor=coordinator, data=call_data())
    assert "source_id" in _errors(excinfo)


def test_follow_and_unfollow(citizen, funding_call):
    assert services.follow(call=funding_call, user=citizen)
    assert not services.follow(call=funding_call, user=citizen)
    assert CallFollow.objects.filter(user=citizen).count() == 1
    assert services.unfollow(call=funding_call, user=citizen)
    assert not CallFollow.objects.exists()


def test_a_visitor_cannot_follow(funding_call):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.follow(call=funding_call, user=AnonymousUser())


def test_programme_edit(partner_admin, programme):
    services.update_programme(programme=programme, actor=partner_admin,
                              data={"level": Programme.Level.FEDERAL})
    programme.refresh_from_db()
    assert programme.level == "federal"
    with pytest.raises(ValidationError) as excinfo:
        services.update_programme(programme=programme, actor=partner_admin,
                                  data={"level": "galactic"})
    assert "level" in _errors(excinfo)
