"""Only public partners (Organisation.objects.public()) lead, join and appear in a consortium;
only an organisation's admins commit it as a project's lead."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects import permissions, services
from stadtallianz.projects.models import ConsortiumMember, Project

NOT_PUBLIC = [Organisation.Status.DRAFT, Organisation.Status.PENDING,
              Organisation.Status.REJECTED, Organisation.Status.WITHDRAWN]


@pytest.fixture
def hidden(make_organisation, make_user):
    """An organisation that is not a public partner, with an admin."""
    def make(status):
        organisation = make_organisation("Verborgen e.V.", status=status)
        admin = make_user(f"admin-{status}@example.org", full_name="Hidden Admin")
        Membership.objects.create(user=admin, organisation=organisation,
                                  role=Membership.Role.ADMIN)
        return organisation, admin
    return make


def test_a_plain_member_does_not_commit_their_organisation_as_lead(partner_member,
                                                                    organisation):
    assert not permissions.can_create(partner_member)
    with pytest.raises(PermissionDenied):
        services.create_project(actor=partner_member, organisation=organisation,
                                data={"title_de": "Ohne Zustimmung"})
    assert not Project.objects.exists()


def test_a_plain_member_still_starts_a_project_of_their_working_group(member, group):
    project = services.create_project(actor=member, group=group, data={"title_de": "AK"})
    assert permissions.lead_of(project) is None


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_an_organisation_that_is_not_public_cannot_lead(hidden, coordinator, status):
    organisation, admin = hidden(status)
    assert not permissions.creatable_organisations(admin).exists()
    for actor in (admin, coordinator):
        with pytest.raises(PermissionDenied):
            services.create_project(actor=actor, organisation=organisation,
                                    data={"title_de": "Versteckt"})
    assert not Project.objects.exists()


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_an_organisation_that_is_not_public_cannot_be_invited(project, partner_admin, hidden,
                                                              api, status):
    organisation, _admin = hidden(status)
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            services.invite(project=project, actor=partner_admin, organisation=organisation,
                            role="partner")
        assert "public partner" in error.value.message_dict["organisation"][0]
    response = api(partner_admin)("post", f"/{project.slug}/consortium",
                                  {"organisation": organisation.slug, "role": "partner"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "organisation"
    assert project.consortium.count() == 1


def test_an_invitation_is_not_accepted_once_the_organisation_withdrew(invitation, other_admin,
                                                                      other_organisation):
    Organisation.objects.filter(pk=other_organisation.pk).update(status="withdrawn")
    with translation.override("en"), pytest.raises(ValidationError, match="public partner"):
        services.answer(member=invitation, actor=other_admin, accept=True)
    assert ConsortiumMember.objects.get(pk=invitation.pk).state == "invited"


@pytest.fixture
def withdrawn_consortium(project, organisation, other_organisation, invitation, other_admin):
    """The lead and an accepted partner both withdrew from the alliance after joining."""
    services.answer(member=invitation, actor=other_admin, accept=True)
    Organisation.objects.filter(pk__in=[organisation.pk, other_organisation.pk]).update(
        status=Organisation.Status.WITHDRAWN)
    return project


def test_organisations_that_are_not_public_are_shown_nowhere(client, api, withdrawn_consortium,
                                                             organisation, other_organisation):
    project = withdrawn_consortium
    names = [organisation.name, other_organisation.name]
    pages = [reverse("projects:detail", kwargs={"slug": project.slug}),
             reverse("projects:consortium", kwargs={"slug": project.slug}),
             reverse("projects:list")]
    for url in pages:
        html = client.get(url).content.decode()
        assert project.title_de in html, url
        assert not any(name in html for name in names), url
    csv = b"".join(client.get(reverse("projects:export_csv")).streaming_content).decode()
    assert project.slug in csv and organisation.slug not in csv
    assert client.get(reverse("projects:export_json")).json()[0]["lead"] == ""
    listed = api(None)("get", "").json()["items"][0]
    assert listed["lead"] is None
    detail = api(None)("get", f"/{project.slug}").json()
    assert detail["lead"] is None and detail["consortium"] == []
    assert api(None)("get", f"/{project.slug}/consortium").json() == []
    assert api(None)("get", f"?organisation={organisation.slug}").json()["count"] == 0


def test_the_filter_offers_public_consortium_organisations_only(client, withdrawn_consortium,
                                                                organisation, make_organisation,
                                                                partner_admin):
    public = make_organisation("Offene Werkstatt")
    Membership.objects.create(user=partner_admin, organisation=public,
                              role=Membership.Role.ADMIN)
    services.create_project(actor=partner_admin, organisation=public,
                            data={"title_de": "Werkstatt"})
    html = client.get(reverse("projects:list")).content.decode()
    assert f'value="{public.slug}"' in html
    assert f'value="{organisation.slug}"' not in html


def test_people_of_a_withdrawn_organisation_no_longer_edit(withdrawn_consortium, partner_member,
                                                          other_admin):
    assert not permissions.can_edit(partner_member, withdrawn_consortium)
    assert not permissions.can_edit(other_admin, withdrawn_consortium)
