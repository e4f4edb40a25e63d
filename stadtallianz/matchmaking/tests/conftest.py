import pytest

from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Membership, Offer, Organisation
from stadtallianz.projects.models import ConsortiumMember, Project
from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup


@pytest.fixture
def mobility(db):
    return FocusArea.objects.get_or_create(slug="mobility", defaults={"name_de": "Mobilität",
                                                                      "name_en": "Mobility"})[0]


@pytest.fixture
def alliance(make_organisation, mobility):
    """A small alliance: a lead with a project on traffic data, a partner offering traffic data
    (in a compound), a research institute in the mobility group, an unrelated one, and a
    draft organisation that fits but is not public."""
    lead = make_organisation("Stadtwerke Test", latitude=51.96, longitude=7.62)
    data = make_organisation("Verkehrsamt Test", type=Organisation.Type.MUNICIPAL,
                             summary_de="Bietet Verkehrsdaten und Zählstellen.",
                             latitude=51.95, longitude=7.63)
    Offer.objects.create(organisation=data, kind=Offer.Kind.OFFER, category="data",
                         text="Verkehrsdaten in Echtzeit")
    research = make_organisation("Institut Mobilitätsforschung", type=Organisation.Type.RESEARCH,
                                 summary_de="Forschung zur Mobilität im Alltag.")
    research.focus_areas.add(mobility)
    group = WorkingGroup.objects.create(name_de="Mobilität", name_en="Mobility",
                                        slug="mobilitaet")
    group.focus_areas.add(mobility)
    GroupOrganisation.objects.create(group=group, organisation=research)
    unrelated = make_organisation("Bäckerei Test", summary_de="Backt Brot und Brötchen.")
    draft = make_organisation("Verkehrsdaten Entwurf", status=Organisation.Status.DRAFT,
                              summary_de="Bietet Verkehrsdaten.")
    project = Project.objects.create(title_de="Daten zum Verkehr für die Innenstadt",
                                     slug="daten-verkehr",
                                     summary_de="Wir sammeln Daten zum Verkehr.")
    project.focus_areas.add(mobility)
    ConsortiumMember.objects.create(project=project, organisation=lead, role="lead",
                                    state="accepted")
    # Earlier joint work of the lead and the data partner.
    earlier = Project.objects.create(title_de="Frühere Zusammenarbeit", slug="frueher")
    for organisation in (lead, data):
        ConsortiumMember.objects.create(project=earlier, organisation=organisation,
                                        state="accepted")
    return {"lead": lead, "data": data, "research": research, "unrelated": unrelated,
            "draft": draft, "project": project, "group": group}


@pytest.fixture
def lead_person(make_user, alliance):
    user = make_user("lead@example.org", full_name="Lena Lead")
    Membership.objects.create(user=user, organisation=alliance["lead"],
                              role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def data_person(make_user, alliance):
    user = make_user("data@example.org", full_name="Dora Data")
    Membership.objects.create(user=user, organisation=alliance["data"])
    return user
