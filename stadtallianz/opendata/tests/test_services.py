"""The partners' own datasets (opendata.services): who may register, edit, submit, review and
withdraw, per role; validation of the links; the audit log and the notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.models import AuditEntry
from stadtallianz.notifications.models import Notification
from stadtallianz.opendata import services
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Membership, Organisation

DATA = {"title_de": "Radzählstellen", "title_en": "Bicycle counters",
        "description_de": "Tageswerte der Radzählstellen.", "contact_name": "Open-Data-Team",
        "contact_email": "opendata@stadtwerke.example", "licence": "cc-by/4.0",
        "themes": ["TRAN"], "keywords": ["Radverkehr", " Radverkehr ", ""],
        "accrual_periodicity": "DAILY"}
LINKS = [{"title_de": "Zählwerte (CSV)", "access_url": "https://data.example/rad.csv",
          "file_type": "CSV"}]


@pytest.fixture
def draft(partner_member, organisation):
    return services.create_dataset(actor=partner_member, organisation=organisation, data=DATA,
                                   distributions=LINKS)


@pytest.fixture
def submitted(draft, partner_member):
    return services.submit_dataset(dataset=draft, actor=partner_member)


def test_a_member_registers_a_draft_for_the_organisation(draft, partner_member, organisation):
    assert draft.kind == Dataset.Kind.PARTNER and draft.state == Dataset.State.DRAFT
    assert draft.publisher == organisation and draft.created_by == partner_member
    assert draft.slug == "radzaehlstellen"
    assert draft.keywords == ["Radverkehr"]
    link = draft.distributions.get()
    assert (link.access_url, link.download_url, link.file_type) == (
        "https://data.example/rad.csv", "https://data.example/rad.csv", "CSV")
    assert draft not in Dataset.objects.published()
    assert AuditEntry.objects.filter(action="opendata.dataset.created",
                                     object_id=str(draft.pk)).exists()


@pytest.mark.parametrize("who", ["citizen", "other_admin", "coordinator"])
def test_only_the_organisations_people_register_for_it(who, request, organisation):
    with pytest.raises(PermissionDenied):
        services.create_dataset(actor=request.getfixturevalue(who), organisation=organisation,
                                data=DATA, distributions=LINKS)


def test_nobody_registers_for_an_organisation_that_is_not_a_partner(make_user,
                                                                    make_organisation):
    pending = make_organisation("Bewerberin", status=Organisation.Status.PENDING)
    person = make_user("bewerberin@example.org")
    Membership.objects.create(user=person, organisation=pending, role=Membership.Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.create_dataset(actor=person, organisation=pending, data=DATA)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://data.example/x.csv",
                                 "data.example/x.csv", ""])
def test_links_must_be_http_or_https(url, partner_member, organisation):
    with pytest.raises(ValidationError) as error:
        services.create_dataset(actor=partner_member, organisation=organisation, data=DATA,
                                distributions=[{"title_de": "X", "access_url": url,
                                                "file_type": "CSV"}])
    assert "distributions" in error.value.message_dict
    assert not Dataset.objects.exists()


def test_unknown_vocabulary_terms_are_refused(partner_member, organisation):
    with pytest.raises(ValidationError) as error:
        services.create_dataset(actor=partner_member, organisation=organisation,
                                data={**DATA, "licence": "proprietary", "themes": ["XXXX"],
                                      "accrual_periodicity": "SOMETIMES"},
                                distributions=[{"title_de": "X", "file_type": "EXE",
                                                "access_url": "https://x.example/"}])
    assert {"distributions", "licence", "themes", "accrual_periodicity"} <= set(
        error.value.message_dict)


def test_vocabulary_terms_are_refused_field_by_field(partner_member, organisation):
    with pytest.raises(ValidationError) as error:
        services.create_dataset(actor=partner_member, organisation=organisation,
                                data={**DATA, "licence": "proprietary", "themes": ["XXXX"],
                                      "accrual_periodicity": "SOMETIMES"})
    assert {"licence", "themes", "accrual_periodicity"} <= set(error.value.message_dict)


@pytest.mark.parametrize("who,allowed", [
    ("partner_member", True),  # the person who registered it
    ("partner_admin", True), ("other_admin", False), ("citizen", False),
    ("coordinator", False)])
def test_who_edits(who, allowed, draft, request):
    actor = request.getfixturevalue(who)
    if allowed:
        services.update_dataset(dataset=draft, actor=actor, data={"title_en": "Counters"})
        draft.refresh_from_db()
        assert draft.title_en == "Counters"
    else:
        with pytest.raises(PermissionDenied):
            services.update_dataset(dataset=draft, actor=actor, data={"title_en": "X"})


def test_a_plain_member_who_did_not_register_it_does_not_edit(draft, make_user, organisation):
    colleague = make_user("kollegin@example.org")
    Membership.objects.create(user=colleague, organisation=organisation,
                              role=Membership.Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.update_dataset(dataset=draft, actor=colleague, data={"title_en": "X"})


def test_the_creator_who_left_the_organisation_no_longer_edits(draft, partner_member):
    Membership.objects.filter(user=partner_member).delete()
    with pytest.raises(PermissionDenied):
        services.update_dataset(dataset=draft, actor=partner_member, data={"title_en": "X"})


def test_submitting_tells_the_office(coordinator, partner_admin, submitted):
    assert submitted.state == Dataset.State.SUBMITTED
    assert Notification.objects.filter(recipient=coordinator, kind="dataset-submitted").exists()
    assert not Notification.objects.filter(recipient=partner_admin).exists()
    assert submitted not in Dataset.objects.published()


def test_a_dataset_without_links_cannot_be_submitted(partner_member, organisation):
    dataset = services.create_dataset(actor=partner_member, organisation=organisation,
                                      data=DATA)
    with pytest.raises(ValidationError):
        services.submit_dataset(dataset=dataset, actor=partner_member)


@pytest.mark.parametrize("who", ["other_admin", "citizen", "coordinator"])
def test_who_may_not_submit(who, draft, request):
    with pytest.raises(PermissionDenied):
        services.submit_dataset(dataset=draft, actor=request.getfixturevalue(who))


@pytest.mark.parametrize("who", ["partner_member", "partner_admin", "other_admin", "citizen"])
def test_only_the_office_reviews(who, submitted, request):
    with pytest.raises(PermissionDenied):
        services.review_dataset(dataset=submitted, actor=request.getfixturevalue(who),
                                approve=True)
    submitted.refresh_from_db()
    assert submitted.state == Dataset.State.SUBMITTED


def test_the_office_publishes_and_the_partner_hears_of_it(submitted, coordinator,
                                                          partner_admin, partner_member):
    dataset = services.review_dataset(dataset=submitted, actor=coordinator, approve=True)
    assert dataset.state == Dataset.State.PUBLISHED
    assert dataset in Dataset.objects.published()
    assert dataset.issued is not None and dataset.reviewed_by == coordinator
    for person in (partner_admin, partner_member):
        assert Notification.objects.filter(recipient=person, kind="dataset-reviewed").exists()
    assert AuditEntry.objects.filter(action="opendata.dataset.published").exists()


def test_returning_needs_a_note_which_the_partner_reads(submitted, coordinator, partner_member):
    with pytest.raises(ValidationError):
        services.review_dataset(dataset=submitted, actor=coordinator, approve=False)
    dataset = services.review_dataset(dataset=submitted, actor=coordinator, approve=False,
                                      note="Bitte die Lizenz prüfen.")
    assert dataset.state == Dataset.State.REJECTED
    notification = Notification.objects.get(recipient=partner_member, kind="dataset-reviewed")
    assert "Bitte die Lizenz prüfen." in notification.body
    # Changed and submitted again.
    services.update_dataset(dataset=dataset, actor=partner_member, data={"licence": "cc-zero"})
    assert services.submit_dataset(dataset=dataset,
                                   actor=partner_member).state == Dataset.State.SUBMITTED


def test_a_draft_cannot_be_reviewed(draft, coordinator):
    with pytest.raises(PermissionDenied):
        services.review_dataset(dataset=draft, actor=coordinator, approve=True)


def test_editing_a_published_dataset_keeps_it_published_and_is_audited(submitted, coordinator,
                                                                       partner_admin):
    services.review_dataset(dataset=submitted, actor=coordinator, approve=True)
    services.update_dataset(dataset=submitted, actor=partner_admin,
                            data={"title_de": "Radzählstellen (neu)"},
                            distributions=[*LINKS, {"title_de": "API",
                                                    "access_url": "https://api.example/",
                                                    "file_type": "JSON"}])
    submitted.refresh_from_db()
    assert submitted.state == Dataset.State.PUBLISHED
    entry = AuditEntry.objects.filter(action="opendata.dataset.changed").latest("pk")
    assert entry.after["fields"] == ["distributions", "title_de"]
    assert submitted.distributions.count() == 2


@pytest.mark.parametrize("who,allowed", [
    ("partner_admin", True), ("partner_member", True), ("coordinator", True),
    ("other_admin", False), ("citizen", False)])
def test_who_withdraws(who, allowed, submitted, coordinator, request):
    services.review_dataset(dataset=submitted, actor=coordinator, approve=True)
    actor = request.getfixturevalue(who)
    if allowed:
        dataset = services.withdraw_dataset(dataset=submitted, actor=actor)
        assert dataset.state == Dataset.State.WITHDRAWN
        assert dataset not in Dataset.objects.published()
    else:
        with pytest.raises(PermissionDenied):
            services.withdraw_dataset(dataset=submitted, actor=actor)


def test_visible_to_follows_the_review(draft, partner_member, partner_admin, other_admin,
                                       citizen, coordinator):
    from django.contrib.auth.models import AnonymousUser

    for person in (partner_member, partner_admin, coordinator):
        assert draft in Dataset.objects.visible_to(person)
    for person in (other_admin, citizen, AnonymousUser()):
        assert draft not in Dataset.objects.visible_to(person)


def test_focus_areas_are_kept_and_their_change_audited(draft, partner_admin):
    from stadtallianz.core.models import FocusArea

    mobility = FocusArea.objects.active().first()
    services.update_dataset(dataset=draft, actor=partner_admin,
                            data={"focus_areas": [mobility]})
    assert list(draft.focus_areas.all()) == [mobility]
    entry = AuditEntry.objects.filter(action="opendata.dataset.changed").latest("pk")
    assert entry.after["fields"] == ["focus_areas"]


def test_a_partner_dataset_never_takes_a_platform_datasets_address(partner_member,
                                                                   organisation):
    dataset = services.create_dataset(actor=partner_member, organisation=organisation,
                                      data={**DATA, "title_de": "Allianz Partner"})
    assert dataset.slug == "allianz-partner-2"
