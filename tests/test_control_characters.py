"""Issue 11, item 5, the class "control characters in texts that go into other formats": a text
a person or a device typed (an event's title, an organisation's name, a document's file name, a
text result) with a line break or another control character goes into iCalendar, CSV, XLSX,
e-mail headers and file names without breaking them (core/text.py).

Members of the class: \\n, \\r, \\r\\n, \\x0b (vertical tab), \\x1f, \\x85 (NEL), U+2028, tab;
and \\x00, which PostgreSQL cannot store, through the formats' own functions."""

import csv
import io
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from stadtallianz.core.exports import safe_cell
from stadtallianz.core.text import attachment_header, single_line, without_controls
from stadtallianz.events import ics
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403 - group, people

pytestmark = pytest.mark.django_db

STORABLE = ["\n", "\r", "\r\n", "\x0b", "\x1f", "\x85", "\u2028", "\t"]
MEMBERS = [*STORABLE, "\x00"]
# What no one-line slot may contain, and what no format may contain except a line feed.
BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\t", "\n"}


@pytest.mark.parametrize("char", MEMBERS)
def test_the_helpers(char):
    text = f"Rad{char}treffen"
    line = single_line(text)
    assert not (set(line) & (BREAKS | CONTROLS | {"\t"}))
    assert line in ("Rad treffen", "Radtreffen")
    kept = without_controls(f"Zeile 1{char}Zeile 2")
    assert not set(kept) & CONTROLS
    assert kept.startswith("Zeile 1") and kept.endswith("Zeile 2")
    header = attachment_header(f"../Protokoll{char}März.pdf")
    assert not set(header) & (BREAKS | CONTROLS) and "/" not in header.replace("%2F", "")
    assert header.startswith("attachment; filename")
    assert not set(str(safe_cell(f"={char}1+1"))) & CONTROLS
    assert str(safe_cell(f"={char}1+1")).startswith("'")


def _event(group, char, **fields):
    starts = timezone.now() + timedelta(days=3)
    return Event.objects.create(
        group=group, title_de=f"Rad{char}treffen", title_en=f"Cycling{char}meet",
        description_de=f"Zeile 1{char}Zeile 2", address=f"Stadthaus{char}Raum 1",
        slug=f"radtreffen-{ord(char[-1])}", starts_at=starts,
        ends_at=starts + timedelta(hours=2), **fields)


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    body = response.content
    # Only CRLF line ends (and folding) are control characters in iCalendar.
    assert not set(body.replace(b"\r\n", b"").decode()) & (BREAKS | CONTROLS)
    return icalendar.Calendar.from_ical(body)


@pytest.mark.parametrize("char", STORABLE)
def test_an_event_with_control_characters_is_in_every_calendar(client_for, group, char, lead):
    from stadtallianz.events import feeds

    event = _event(group, char)
    _feed, key = feeds.feed_create(user=lead)
    client = client_for(None)
    own = _calendar(client.get(reverse("events:ics", kwargs={"slug": event.slug})))
    entry = own.walk("VEVENT")[0]
    assert str(entry["SUMMARY"]) in ("Rad treffen", "Radtreffen")
    assert str(entry["DESCRIPTION"]).startswith("Zeile 1")
    assert "\n" not in str(own["X-WR-CALNAME"])
    for path in (reverse("events:feed"),
                 reverse("events:group_feed", kwargs={"slug": group.slug}),
                 reverse("events:personal_feed", kwargs={"key": key})):
        assert len(_calendar(client.get(path)).walk("VEVENT")) == 1, path
    assert client.get(event.get_absolute_url()).status_code == 200


def test_a_nul_character_in_an_unsaved_event_is_left_out_of_the_calendar(group):
    # PostgreSQL cannot store NUL; the calendar writer is still safe against it.
    starts = timezone.now()
    event = Event(group=group, title_de="Rad\x00treffen", description_de="a\x00b",
                  address="x\x00y", slug="x", starts_at=starts, ends_at=starts,
                  created_at=starts, updated_at=starts)
    body = ics.calendar_for([event], "Feed\x00\n")
    assert b"\x00" not in body and b"Radtreffen" in body


@pytest.mark.parametrize("char", STORABLE)
def test_a_mail_subject_with_a_person_s_text_is_one_line(group, lead, char,
                                                        django_capture_on_commit_callbacks):
    from stadtallianz.events import services

    event = _event(group, char)
    services.registration_register(event=event, by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=lead)
    subjects = [message.subject for message in mail.outbox]
    assert subjects, "the registered person is told by e-mail"
    for subject in subjects:
        assert not set(subject) & (BREAKS | CONTROLS | {"\t"}), repr(subject)
        assert "treffen" in subject or "meet" in subject
        mail.outbox[0].message()  # the header can be written


@pytest.mark.parametrize("char", MEMBERS)
def test_a_notification_mail_is_built_whatever_its_subject(lead, char):
    from stadtallianz.notifications.services import _email

    message = _email(lead, f"Abgesagt: Rad{char}treffen", "Text").message()
    assert message["Subject"] in ("Abgesagt: Rad treffen", "Abgesagt: Radtreffen")


@pytest.mark.parametrize("char", STORABLE)
def test_a_partner_export_with_control_characters_is_a_valid_csv_and_xlsx(
        client_for, coordinator, make_organisation, char):
    make_organisation(f"Stadt{char}werke")
    client = client_for(coordinator)
    response = client.get(reverse("backoffice:partners_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert not set(text.replace("\r\n", "").replace("\n", "")) & CONTROLS
    names = [row[0] for row in csv.reader(io.StringIO(text))]
    assert any(name.startswith("Stadt") and name.endswith("werke") for name in names)
    response = client.get(reverse("backoffice:partners_export") + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any(str(row[0].value).startswith("Stadt") for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize("char", STORABLE)
def test_a_device_text_result_with_control_characters_is_a_valid_csv(client, char):
    from stadtallianz.livinglabs.models import LivingLab, PrivacyLevel
    from stadtallianz.partners.models import Organisation
    from stadtallianz.sensorthings import models as sta
    from stadtallianz.sensorthings.tests.conftest import AASEE

    operator = Organisation.objects.create(name="Stadtwerke", slug="stadtwerke")
    lab = LivingLab.objects.create(
        name_de="Aasee", slug="aasee", description_de="d", area=AASEE,
        starts_on=timezone.localdate(), operator=operator, contact_name="Team",
        contact_email="team@example.org", default_privacy_level=PrivacyLevel.PUBLIC)
    thing = sta.Thing.objects.create(lab=lab, name="Station", description="d")
    sensor = sta.Sensor.objects.create(lab=lab, name="S", description="d",
                                       encoding_type="text/html", metadata="m")
    observed = sta.ObservedProperty.objects.create(lab=lab, name="P", definition="d",
                                                   description="d")
    stream = sta.Datastream.objects.create(
        lab=lab, thing=thing, sensor=sensor, observed_property=observed, name="Text",
        description="d", privacy_level=PrivacyLevel.PUBLIC, unit_of_measurement={},
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation")
    feature = sta.FeatureOfInterest.objects.create(lab=lab, name="Ort", description="d",
                                                   feature=AASEE)
    sta.Observation.objects.create(datastream=stream, phenomenon_time_start=timezone.now(),
                                   result_json=f"=Wert{char}1", feature_of_interest=feature)
    response = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, stream.pk]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert not set(text.replace("\r\n", "").replace("\n", "")) & CONTROLS
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3].startswith("'=Wert")


@pytest.mark.parametrize("char", STORABLE)
def test_a_document_whose_file_name_has_control_characters_downloads(client_for, coordinator,
                                                                     group, char):
    from stadtallianz.knowledge.models import Document
    from stadtallianz.knowledge.services import version_add

    document = Document.objects.create(title="Protokoll", created_by=coordinator,
                                       group=group)
    version_add(document=document, by=coordinator, upload=SimpleUploadedFile(
        f"Protokoll{char}März.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
    response = client_for(coordinator).get(reverse("knowledge:download",
                                                   kwargs={"pk": document.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert not set(disposition) & (BREAKS | CONTROLS)


@pytest.mark.parametrize("char", STORABLE)
def test_a_funding_call_and_application_with_control_characters_go_into_feeds_and_exports(
        client_for, coordinator, partner_admin, organisation, char):
    """A call's title in the deadline feeds (public and personal), an application's title and
    its call's in the office's pipeline export (CSV and XLSX)."""
    from stadtallianz.funding import feeds
    from stadtallianz.funding.models import Call, CallFollow, Deadline, Programme
    from stadtallianz.ideas.models import Idea
    from stadtallianz.proposals.models import Application, ApplicationMember

    programme = Programme.objects.create(funder=f"Bund{char}Land", level="federal",
                                         name_de="Programm", slug="programm")
    call = Call.objects.create(programme=programme, slug="aufruf", title_de=f"Rad{char}wege",
                               summary_de=f"Zeile 1{char}Zeile 2")
    Deadline.objects.create(call=call, due_at=timezone.now() + timedelta(days=20))
    CallFollow.objects.create(call=call, user=partner_admin)
    _feed, key = feeds.feed_create(user=partner_admin)
    client = client_for(None)
    for path in (reverse("funding:feed"), reverse("funding:personal_feed", kwargs={"key": key})):
        entries = _calendar(client.get(path)).walk("VEVENT")
        assert len(entries) == 1, path
        assert "Rad" in str(entries[0]["SUMMARY"]) and "wege" in str(entries[0]["SUMMARY"])
    idea = Idea.objects.create(title="Sensoren", description="Messen.", author=partner_admin)
    application = Application.objects.create(call=call, idea=idea, title=f"=Antrag{char}1",
                                             created_by=partner_admin)
    ApplicationMember.objects.create(application=application, organisation=organisation,
                                     role=ApplicationMember.Role.COORDINATOR)
    office = client_for(coordinator)
    response = office.get(reverse("proposals:pipeline_export", kwargs={"fmt": "csv"}))
    assert response.status_code == 200
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    text = body.decode("utf-8-sig")
    assert not set(text.replace("\r\n", "").replace("\n", "")) & CONTROLS
    assert "'=Antrag" in text
    response = office.get(reverse("proposals:pipeline_export", kwargs={"fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows(min_row=2) for cell in row]
    assert any(value.startswith("'=Antrag") for value in cells)
    assert not any(set(value) & CONTROLS for value in cells)
