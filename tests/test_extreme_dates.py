"""Issue 11, item 3: pages, feeds and charts never fail because of one stored value.

Rows at the edges of the calendar (the year 1 and 9999-12-31T23:59:59Z) are written straight
into the database, past every validation — as old data, an import or a bug might leave them —
and every page, feed and API list that shows them must still answer 200. Deleting such an
observation works too."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.events.models import Event
from stadtallianz.livinglabs.models import LivingLab, PrivacyLevel
from stadtallianz.projects import services as project_services
from stadtallianz.projects.models import Milestone, PhasePeriod, Project
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.tests.conftest import AASEE, bearer, lab_key, make_datastream
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403 - group, make_event

pytestmark = pytest.mark.django_db
__all__ = ["lab_key", "make_datastream"]

FIRST = datetime(1, 1, 1, tzinfo=UTC)
LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
EXTREMES = [FIRST, LAST]


@pytest.fixture
def lab(organisation):
    """A lab whose own period lies at the edges too."""
    return LivingLab.objects.create(
        name_de="Reallabor Aasee", slug="aasee", description_de="Wasser am Aasee.", area=AASEE,
        starts_on=date(1, 1, 1), ends_on=date(9999, 12, 31), state=LivingLab.State.RUNNING,
        operator=organisation, contact_name="Team", contact_email="team@example.org",
        default_privacy_level=PrivacyLevel.PUBLIC)


@pytest.fixture
def extreme_observations(lab, make_datastream):
    """Per privacy level a datastream with a normal value and values at both edges, their
    hourly aggregates, and spans that reach the edges (as ingest would widen them)."""
    feature = sta.FeatureOfInterest.objects.create(lab=lab, name="Boje", description="Boje",
                                                   feature=AASEE)
    streams = {}
    recent = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    for level in (PrivacyLevel.PUBLIC, PrivacyLevel.AGGREGATED):
        fields = {"aggregation_window": 3600} if level == PrivacyLevel.AGGREGATED else {}
        stream = make_datastream(lab, name=f"Strom {level}", privacy_level=level, **fields)
        for moment, value in ((recent, 20.5), (FIRST, 1.0), (LAST, 2.0)):
            end = None
            if level == PrivacyLevel.AGGREGATED:
                end = min(moment + timedelta(hours=1), LAST) if moment != LAST else LAST
            sta.Observation.objects.create(
                datastream=stream, phenomenon_time_start=moment, phenomenon_time_end=end,
                result_time=moment, valid_time_start=moment, valid_time_end=moment,
                result_number=value, feature_of_interest=feature,
                **({"bucket_count": 30, "bucket_sum": value * 30}
                   if level == PrivacyLevel.AGGREGATED else {}))
            sta.HourlyAggregate.objects.create(
                datastream=stream, hour=moment.replace(minute=0, second=0), count=1,
                total=value, minimum=value, maximum=value)
        sta.Datastream.objects.filter(pk=stream.pk).update(
            phenomenon_time_start=FIRST, phenomenon_time_end=LAST, result_time_start=FIRST,
            result_time_end=LAST)
        streams[level] = stream
    return streams


@pytest.fixture
def extreme_events(group):
    """Events of a group and of the whole alliance at both edges, public and members-only,
    starting and ending at the very edge (past the model's checks)."""
    events = []
    for moment in EXTREMES:
        for slug, event_group, visibility in (
                ("gruppe", group, Event.Visibility.PUBLIC),
                ("allianz", None, Event.Visibility.PUBLIC),
                ("intern", group, Event.Visibility.MEMBERS)):
            events.append(Event.objects.create(
                group=event_group, title_de=f"Treffen {slug}", slug=f"{slug}-{moment.year}",
                starts_at=moment, ends_at=moment, visibility=visibility))
    return events


@pytest.fixture
def extreme_project(partner_admin, organisation):
    project = project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "summary_de": "Ein Bus.",
              "phase": Project.Phase.CONCEPT})
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        Milestone.objects.create(project=project, title=f"Ziel {day.year}", due=day,
                                 state=Milestone.State.DONE, done_at=day)
    PhasePeriod.objects.filter(project=project).update(start=date(1, 1, 1),
                                                       end=date(9999, 12, 31))
    PhasePeriod.objects.create(project=project, phase=Project.Phase.PILOT,
                               start=date(9999, 12, 31))
    return project


def _pages(lab, streams, events, project, group):
    public = streams[PrivacyLevel.PUBLIC]
    aggregated = streams[PrivacyLevel.AGGREGATED]
    pages = [
        "/", reverse("portal:home"), reverse("events:list"), reverse("events:feed"),
        reverse("events:group_feed", kwargs={"slug": group.slug}),
        reverse("workinggroups:detail", kwargs={"slug": group.slug}),
        "/api/v1/events", "/api/v1/events?upcoming=true", "/api/v1/events?upcoming=false",
        reverse("livinglabs:list"), reverse("livinglabs:detail", args=[lab.slug]),
        "/api/v1/living-labs", f"/api/v1/living-labs/{lab.slug}",
        reverse("projects:list"), reverse("projects:detail", args=[project.slug]),
        reverse("projects:export_csv"), reverse("projects:export_json"),
        f"/api/v1/projects/{project.slug}", "/api/v1/projects",
        "/sitemap.xml", reverse("search:search") + "?q=Treffen",
        reverse("search:search") + "?q=Aasee", reverse("search:search") + "?q=Quartiersbus",
        "/sta/v1.1/Observations", "/sta/v1.1/Datastreams",
        f"/sta/v1.1/Datastreams({public.pk})/Observations?$orderby=phenomenonTime desc",
        f"/sta/v1.1/Datastreams({aggregated.pk})/Observations",
        "/sta/v1.1/Observations?$filter=phenomenonTime gt 2000-01-01T00:00:00Z",
    ]
    for stream in (public, aggregated):
        pages += [reverse("livinglabs:datastream_chart", args=[lab.slug, stream.pk]),
                  reverse("livinglabs:datastream_csv", args=[lab.slug, stream.pk])]
    for event in events:
        pages += [event.get_absolute_url(), reverse("events:ics", kwargs={"slug": event.slug}),
                  f"/api/v1/events/{event.slug}"]
    return pages


def test_every_page_that_shows_an_extreme_row_answers(client_for, coordinator, member, lab,
                                                      group, extreme_observations,
                                                      extreme_events, extreme_project):
    from stadtallianz.events import feeds

    _feed, key = feeds.feed_create(user=member)
    pages = _pages(lab, extreme_observations, extreme_events, extreme_project, group)
    pages.append(reverse("events:personal_feed", kwargs={"key": key}))
    failed = []
    for person in (None, member, coordinator):
        client = client_for(person)
        client.raise_request_exception = False  # every failing page is listed, not the first
        for language in ("de", "en"):
            for page in pages:
                if person is None and "intern-" in page:
                    continue  # members-only: absent for visitors, as always
                response = client.get(page, HTTP_ACCEPT_LANGUAGE=language, follow=True)
                if response.status_code != 200:
                    failed.append((getattr(person, "email", None), language, page,
                                   response.status_code))
    assert not failed, "\n".join(map(str, failed))


def test_an_observation_at_an_edge_can_be_deleted(client, lab, lab_key, extreme_observations):
    stream = extreme_observations[PrivacyLevel.PUBLIC]
    for moment in EXTREMES:
        observation = sta.Observation.objects.get(datastream=stream,
                                                  phenomenon_time_start=moment)
        response = client.delete(f"/sta/v1.1/Observations({observation.pk})", **bearer(lab_key))
        assert response.status_code in (200, 204), response.content
        assert not sta.Observation.objects.filter(pk=observation.pk).exists()
    assert client.get(reverse("livinglabs:detail", args=[lab.slug])).status_code == 200


@pytest.fixture
def extreme_funding(partner_admin, organisation, extreme_project):
    """A call opening on the first day and with deadlines at both edges, a partner search
    shown until the last day, an application submitted on the first day (past every check)."""
    from stadtallianz.funding.models import Call, CallFollow, Deadline, Programme
    from stadtallianz.partnering.models import Notice
    from stadtallianz.proposals.models import Application, ApplicationMember

    programme = Programme.objects.create(funder="Bund", level="federal", name_de="Programm",
                                         slug="programm")
    call = Call.objects.create(programme=programme, slug="aufruf", title_de="Randaufruf",
                               opens_on=date(1, 1, 1), state=Call.State.OPEN)
    for stage, moment in zip(("first", "second"), EXTREMES, strict=True):
        Deadline.objects.create(call=call, stage=stage, due_at=moment)
    CallFollow.objects.create(call=call, user=partner_admin)
    notice = Notice.objects.create(organisation=organisation, created_by=partner_admin,
                                   call=call, title_de="Randsuche",
                                   deadline=date(9999, 12, 31), expires_on=date(9999, 12, 31))
    application = Application.objects.create(
        call=call, project=extreme_project, title="Randantrag", published=True,
        state=Application.State.SUBMITTED, submitted_on=date(1, 1, 1), created_by=partner_admin)
    ApplicationMember.objects.create(application=application, organisation=organisation,
                                     role=ApplicationMember.Role.COORDINATOR)
    return call, notice, application


def test_every_funding_page_that_shows_an_extreme_date_answers(client_for, coordinator,
                                                               partner_admin, extreme_funding):
    from stadtallianz.funding import feeds

    call, notice, application = extreme_funding
    _feed, key = feeds.feed_create(user=partner_admin)
    pages = [
        reverse("funding:call_list"), reverse("funding:call_list") + "?state=open",
        reverse("funding:calendar"), reverse("funding:feed"),
        reverse("funding:personal_feed", kwargs={"key": key}),
        reverse("funding:call_detail", kwargs={"slug": call.slug}),
        reverse("funding:programme_detail", kwargs={"slug": call.programme.slug}),
        reverse("proposals:list"), reverse("proposals:totals"), application.get_absolute_url(),
        reverse("partnering:list"), reverse("partnering:detail", kwargs={"pk": notice.pk}),
        "/api/v1/funding/calls", f"/api/v1/funding/calls/{call.slug}",
        "/api/v1/funding/deadlines", "/api/v1/funding/applications",
        f"/api/v1/funding/applications/{application.pk}", "/api/v1/partner-search",
        f"/api/v1/partner-search/{notice.pk}", "/", "/sitemap.xml",
    ]
    office = [reverse("proposals:pipeline"), reverse("proposals:pipeline_export",
                                                     kwargs={"fmt": "csv"}),
              reverse("proposals:pipeline_export", kwargs={"fmt": "xlsx"}),
              reverse("backoffice:dashboard")]
    # Mein Bereich lists the deadlines of the calls the person follows.
    from stadtallianz.funding.models import CallFollow

    CallFollow.objects.get_or_create(call=call, user=partner_admin)
    own = [reverse("partnering:mine"), reverse("matchmaking:index"), reverse("portal:my_area")]
    failed = []
    for person, extra in ((None, []), (partner_admin, own), (coordinator, office)):
        client = client_for(person)
        client.raise_request_exception = False
        for language in ("de", "en"):
            for page in pages + extra:
                response = client.get(page, HTTP_ACCEPT_LANGUAGE=language, follow=True)
                if response.status_code != 200:
                    failed.append((getattr(person, "email", None), language, page,
                                   response.status_code))
    assert not failed, "\n".join(map(str, failed))
