"""A small alliance with something public and something hidden behind every figure: each
hidden thing would change its figure if it were counted (members-only threads and events, a
hidden idea, draft assessments, unpublished applications, a restricted datastream, a draft
dataset, organisations that are not partners)."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from stadtallianz.assessments.models import Assessment, Score
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event, Registration
from stadtallianz.ideas.models import Idea
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project, ProjectSDG
from stadtallianz.proposals.models import Application, Grant
from stadtallianz.proposals.tests.conftest import make_call, programme  # noqa: F401
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403

SECRET_TITLE = "Geheimantrag Wasserstoff"
SECRET_AMOUNT = Decimal("777777.77")
GRANTED = Decimal("250000.50")


def _hour(hours_ago: int):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


@pytest.fixture
def make_project(db):
    counter = {"n": 0}

    def make(*, phase=Project.Phase.CONCEPT, **fields):
        counter["n"] += 1
        return Project.objects.create(title_de=fields.pop("title_de", f"Projekt {counter['n']}"),
                                      slug=f"projekt-{counter['n']}", phase=phase, **fields)

    return make


def _idea(author, title, **fields):
    return Idea.objects.create(title=title, description="Beschreibung", author=author, **fields)


@pytest.fixture
def world(db, organisation, make_organisation, partner_admin, citizen, make_group, lead,
          member, make_event, make_project, make_call, lab, make_datastream):  # noqa: F811
    area = FocusArea.objects.active().first()
    other_area = FocusArea.objects.active().exclude(pk=area.pk).first()
    organisation.focus_areas.add(area)
    research = make_organisation("Hochschule", type=Organisation.Type.RESEARCH)
    make_organisation("Entwurf GmbH", status=Organisation.Status.DRAFT)
    pending = make_organisation("Wartend GmbH", status=Organisation.Status.PENDING)

    version = Version.objects.published().order_by("-number").first()
    for org, state in ((organisation, Signature.State.CONFIRMED),
                       (research, Signature.State.CONFIRMED),
                       (pending, Signature.State.PENDING)):
        Signature.objects.create(organisation=org, version=version, signed_by=partner_admin,
                                 signatory_name="Anna Admin", signatory_function="Vorstand",
                                 authority_confirmed=True, state=state)

    group = make_group("Mobilität", leads=[lead], members=[member])
    now = timezone.now()
    public = Thread.objects.create(group=group, title="Offen", author=lead,
                                   visibility=Thread.Visibility.PUBLIC, last_activity_at=now)
    internal = Thread.objects.create(group=group, title="Intern", author=lead,
                                     visibility=Thread.Visibility.MEMBERS, last_activity_at=now)
    Post.objects.create(thread=public, author=lead, body="Hallo")
    Post.objects.create(thread=public, author=lead, body="Versteckt", hidden_at=now)
    for _n in range(3):
        Post.objects.create(thread=internal, author=lead, body="Intern")
    held = make_event(group, starts_at=now - timedelta(days=10))
    make_event(group, starts_at=now - timedelta(days=5), visibility=Event.Visibility.MEMBERS)
    make_event(group, starts_at=now - timedelta(days=3), state=Event.State.CANCELLED)
    Registration.objects.create(event=held, user=citizen)
    Registration.objects.create(event=held, user=member, state=Registration.State.WAITING)

    shown = _idea(citizen, "Mehr Radwege")
    shown.focus_areas.add(area)
    _idea(citizen, "Noch eine Idee")
    _idea(citizen, "Versteckte Idee", hidden_at=now)

    from_idea = make_project(phase=Project.Phase.PILOT, origin_idea=shown)
    from_idea.focus_areas.add(area)
    plain = make_project()
    assessment = Assessment.objects.create(project=from_idea, state=Assessment.State.ACCEPTED,
                                           is_current=True, published_at=now)
    principles = list(Principle.objects.order_by("number")[:3])
    for principle, score in zip(principles, (1, -1, 0), strict=True):
        Score.objects.create(assessment=assessment, principle=principle, score=score,
                             justification="Begründung")
    draft = Assessment.objects.create(project=plain, state=Assessment.State.DRAFT)
    Score.objects.create(assessment=draft, principle=principles[0], score=2,
                         justification="Entwurf")
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
    ProjectSDG.objects.create(project=from_idea, goal=goals[0])
    ProjectSDG.objects.create(project=from_idea, goal=goals[1])
    ProjectSDG.objects.create(project=plain, goal=goals[1])

    call = make_call()  # focus area: the first active one
    submitted = Application.objects.create(
        call=call, project=plain, title="Offener Antrag", published=True,
        state=Application.State.SUBMITTED, submitted_on=date(2026, 3, 1))
    Application.objects.create(call=call, project=plain, title=SECRET_TITLE,
                               state=Application.State.SUBMITTED, submitted_on=date(2026, 4, 1))
    granted = Application.objects.create(call=call, project=from_idea, title="Bewilligt",
                                         state=Application.State.GRANTED,
                                         submitted_on=date(2025, 5, 1))
    Grant.objects.create(application=granted, amount=GRANTED, reference="03SF0001",
                         starts_on=date(2025, 9, 1), ends_on=date(2027, 8, 31))
    # A grant row of an application that was not granted is no acquired funding.
    secret = Application.objects.create(call=call, project=plain, title=SECRET_TITLE + " 2",
                                        state=Application.State.REJECTED,
                                        submitted_on=date(2025, 2, 1))
    Grant.objects.create(application=secret, amount=SECRET_AMOUNT, reference="GEHEIM",
                         starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31))

    # Data availability: the open stream started 10 hours ago and delivered 2 observations in
    # 5 of those hours (50 %); the restricted one delivered in every hour and would raise it.
    open_stream = make_datastream(lab, name="Temperatur",
                                  phenomenon_time_start=_hour(10))
    restricted = make_datastream(lab, name="Personen", privacy_level=PrivacyLevel.RESTRICTED,
                                 phenomenon_time_start=_hour(10))
    make_datastream(lab, name="Still", privacy_level=PrivacyLevel.AGGREGATED)
    for hours_ago in (1, 2, 3, 4, 5):
        sta.HourlyAggregate.objects.create(datastream=open_stream, hour=_hour(hours_ago),
                                           count=2, total=4, minimum=1, maximum=3)
    for hours_ago in range(1, 11):
        sta.HourlyAggregate.objects.create(datastream=restricted, hour=_hour(hours_ago),
                                           count=2, total=4, minimum=1, maximum=3)

    values = {"contact_name": "Team", "contact_email": "data@example.org", "modified": now,
              "description_de": "Daten"}
    published = Dataset.objects.create(kind=Dataset.Kind.PARTNER, slug="offen",
                                       state=Dataset.State.PUBLISHED, title_de="Offen",
                                       issued=now, **values)
    published.focus_areas.add(area)
    Dataset.objects.create(kind=Dataset.Kind.PARTNER, slug="entwurf", title_de="Entwurf",
                           state=Dataset.State.DRAFT, **values)

    return SimpleNamespace(area=area, other_area=other_area, group=group, held=held,
                           submitted=submitted, granted=granted, open_stream=open_stream,
                           restricted=restricted, principles=principles, goals=goals,
                           from_idea=from_idea, plain=plain)


@pytest.fixture
def by_key():
    from stadtallianz.impact.figures import key_figures

    def get(**filters):
        return {figure.key: figure for figure in key_figures(**filters)}

    return get
