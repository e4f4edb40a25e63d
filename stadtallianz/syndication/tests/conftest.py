"""Fixtures of the syndication tests: one published and one unpublished item of every kind a
feed or widget shows, each with a marker title, so a leak shows by its words."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.livinglabs.tests.conftest import (  # noqa: F401 - fixtures
    PUBLIC_VALUE,
    RESTRICTED_VALUE,
    SHOWN_COUNT,
    WITHHELD_COUNT,
    streams,
)
from stadtallianz.opendata.tests.conftest import make_dataset  # noqa: F401 - fixture
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401


@pytest.fixture
def content(db, make_organisation, make_user, make_dataset):  # noqa: F811
    """Public and hidden things of each kind (the hidden ones' titles contain "Geheim")."""
    from stadtallianz.events.models import Event
    from stadtallianz.funding.models import Call, Programme
    from stadtallianz.ideas.models import Idea
    from stadtallianz.opendata.models import Dataset
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects.models import (
        ConsortiumMember,
        Project,
        ProjectPlace,
        ProjectUpdate,
    )

    now = timezone.now()
    partner = make_organisation("Stadtwerke Öffentlich", summary_de="Energie für alle.",
                                summary_en="Energy for all.")
    pending = make_organisation("Geheim GmbH", status=Organisation.Status.PENDING)
    draft = make_organisation("Geheim Entwurf e. V.", status=Organisation.Status.DRAFT)
    named = make_user("named@example.org", full_name="Renate Realname", display_name="Radlerin")
    unnamed = make_user("unnamed@example.org", full_name="Ulrich Unbekannt")
    project = Project.objects.create(title_de="Smarte Laternen", title_en="Smart street lights",
                                     slug="smarte-laternen", summary_de="Licht nach Bedarf.",
                                     summary_en="Light on demand.", progress=40)
    ConsortiumMember.objects.create(project=project, organisation=partner,
                                    role=ConsortiumMember.Role.LEAD,
                                    state=ConsortiumMember.State.ACCEPTED)
    ConsortiumMember.objects.create(project=project, organisation=pending,
                                    state=ConsortiumMember.State.ACCEPTED)
    ProjectPlace.objects.create(project=project, name="Prinzipalmarkt",
                                geometry={"type": "Point", "coordinates": [7.6287, 51.9625]})
    ProjectUpdate.objects.create(project=project, title="Erste Laternen stehen",
                                 body="Die **ersten** Laternen leuchten.", author=named,
                                 published_at=now - timedelta(days=1))
    ProjectUpdate.objects.create(project=project, title="Geheime Vorschau", body="Noch nicht.",
                                 author=unnamed, published_at=now + timedelta(days=3))
    idea = Idea.objects.create(title="Mehr Trinkbrunnen", description="Wasser *für alle*.",
                               author=named)
    hidden_idea = Idea.objects.create(title="Geheime Idee", description="Versteckt.",
                                      author=unnamed, hidden_at=now)
    unnamed_idea = Idea.objects.create(title="Bänke am Kanal", description="Zum Ausruhen.",
                                       author=unnamed)
    event = Event.objects.create(title_de="Bürgerforum Mobilität", title_en="Mobility forum",
                                 slug="buergerforum", starts_at=now + timedelta(days=5),
                                 ends_at=now + timedelta(days=5, hours=2))
    members_event = Event.objects.create(title_de="Geheimes Gruppentreffen", slug="intern",
                                         visibility=Event.Visibility.MEMBERS,
                                         starts_at=now + timedelta(days=6),
                                         ends_at=now + timedelta(days=6, hours=1))
    programme = Programme.objects.create(slug="msc", funder="BMWSB", name_de="Modellprojekte",
                                         level=Programme.Level.FEDERAL)
    call = Call.objects.create(slug="aufruf-1", programme=programme,
                               title_de="Aufruf Klimaanpassung", title_en="Call climate",
                               summary_de="Förderung für *Klimaanpassung*.",
                               state=Call.State.OPEN)
    dataset = make_dataset(title_de="Radzählung Promenade", title_en="Bicycle counts")
    hidden_datasets = [make_dataset(title_de=f"Geheimer Datensatz {state}", state=state)
                       for state in (Dataset.State.DRAFT, Dataset.State.SUBMITTED,
                                     Dataset.State.REJECTED, Dataset.State.WITHDRAWN)]
    return {"partner": partner, "pending": pending, "draft": draft, "project": project,
            "idea": idea, "hidden_idea": hidden_idea, "unnamed_idea": unnamed_idea,
            "event": event, "members_event": members_event, "call": call, "dataset": dataset,
            "hidden_datasets": hidden_datasets, "named": named, "unnamed": unnamed}
