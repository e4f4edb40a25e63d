"""Issue 14's journeys, driven end to end in Chromium at desktop (1366×900) and phone
(390×844) size, in German (the default), asserting at each step what the person sees:
headings, confirmation messages, state badges, counts. Each journey ends with axe-core
finding no violation of any impact on its last page. (The assessment journey lives in
stadtallianz/assessments/tests/test_journey_browser.py.)"""

import re

import pytest

from tests.browser.conftest import PASSWORD, alliance, browser, page  # noqa: F401
from tests.browser.journeys import (
    SIZES,
    click,
    de,
    field,
    finish,
    heading,
    log_in,
    log_out,
    mailed_path,
    navigate,
    ngettext_de,
    pgettext_de,
    status_message,
    text,
    via_header,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# 1. Register an organisation and sign the letter of intent ------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_register_an_organisation_and_sign(page, live_server, alliance, size):  # noqa: F811
    page.set_viewport_size(SIZES[size])
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/de/")
    via_header(page, "Register")
    assert heading(page) == de("Register")
    field(page, "name").fill("Jana Hüsing")
    field(page, "public display name").fill("JanaH")
    field(page, "e-mail address").fill("jana@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_label(de("I have read the privacy notice and accept it.")).check()
    click(page, "button", de("Create account"))
    assert heading(page) == de("Check your inbox")

    page.goto(live_server.url + mailed_path("jana@example.org", "/de/register/confirm/"))
    assert heading(page) == de("Confirm your e-mail address")
    assert "jana@example.org" in text(page)
    click(page, "button", de("Confirm my e-mail address"))

    log_in(page, "jana@example.org")
    assert heading(page) == de("My area")
    click(page, "link", de("Register an organisation"))
    field(page, "name").fill("Radwerk Münster")
    field(page, "type").select_option("startup")
    field(page, "description (German)").fill("Lastenräder für alle.")
    click(page, "button", de("Register"))
    assert de("The organisation has been registered. You are its administrator.") in \
        status_message(page)
    assert heading(page) == "Radwerk Münster"
    assert de("Not signed") in text(page)

    click(page, "link", de("Sign the letter of intent"))
    assert heading(page) == de("Sign the letter of intent for %(name)s", name="Radwerk Münster")
    assert field(page, "Name of the signatory").input_value() == "Jana Hüsing"
    field(page, "Function of the signatory").fill("Gründerin")
    page.locator("main").get_by_role("checkbox").check()
    click(page, "button", de("Sign the letter of intent"))
    assert de("Thank you. Your signature awaits review by the %(office)s.",
              office="Koordinierungsstelle") in status_message(page)
    assert de("Signature awaiting review") in page.locator(".loi-status").inner_text()
    history = page.get_by_role("table")
    assert de("Awaiting review") in history.inner_text()
    assert "Jana Hüsing, Gründerin" in history.inner_text()

    # The coordination office confirms; the organisation appears in the directory.
    log_out(page)
    log_in(page, alliance.coordinator.email)
    via_header(page, "Back office")
    # The work queue lists the application (the older pending one of the fixture too).
    application = page.locator("main").get_by_role("link", name=re.compile("Radwerk Münster"))
    navigate(page, application.first.click)
    assert heading(page) == de("Application of %(name)s", name="Radwerk Münster")
    click(page, "button", de("Confirm the signature"))
    assert "Radwerk Münster" in status_message(page)

    via_header(page, "Partners")
    field(page, "Search").fill("Radwerk")
    click(page, "button", de("Apply filters"))
    card = page.locator("main").get_by_role("link", name="Radwerk Münster")
    assert card.count() >= 1
    click(page, "link", "Radwerk Münster")
    assert heading(page) == "Radwerk Münster"
    assert de("Alliance partner") in text(page)
    finish(page)


# 2. Idea to project with consortium ------------------------------------------------------------

def open_idea(tab, title):
    via_header(tab, "Ideas")
    click(tab, "link", title)
    assert heading(tab) == title


def change_state(tab, state, reason=""):
    click(tab, "link", de("Change state"))
    field(tab, "New state").select_option(state)
    if reason:
        field(tab, "Reason").fill(reason)
    click(tab, "button", de("Change state"))
    assert de("The state of the idea has been changed.") in status_message(tab)


def invite(tab, organisation, role):
    field(tab, "Organisation").select_option(label=organisation)
    field(tab, "Role").select_option(role)
    click(tab, "button", de("Invite"))
    assert de("The organisation has been invited; its administrators are notified.") in \
        status_message(tab)
    row = tab.get_by_role("row", name=re.compile(organisation))
    assert de("Invited") in row.inner_text()


def accept_invitation(tab, project_title, organisation):
    via_header(tab, "Projects")
    click(tab, "link", project_title)
    click(tab, "link", de("Consortium and invitations"))
    click(tab, "button", f"{de('Accept')} {organisation}")
    assert de("The invitation has been accepted.") in status_message(tab)
    row = tab.get_by_role("row", name=re.compile(organisation))
    assert de("Accepted") in row.inner_text()


@pytest.mark.parametrize("size", SIZES)
def test_idea_to_project_with_consortium(page, live_server, alliance, size):  # noqa: F811
    from stadtallianz.partners.models import Membership

    page.set_viewport_size(SIZES[size])
    page.set_default_timeout(10_000)
    partner = alliance.partners[0]
    Membership.objects.create(organisation=partner, user=alliance.applicant,
                              role=Membership.Role.ADMIN)
    title = "Lastenräder an jeder Mobilstation"
    page.goto(f"{live_server.url}/de/")

    # A person submits an idea.
    log_in(page, alliance.citizen.email)
    via_header(page, "Ideas")
    click(page, "link", de("Submit an idea"))
    field(page, "title").fill(title)
    field(page, "description").fill("Ausleihbare **Lastenräder** an allen Mobilstationen.")
    click(page, "button", de("Submit idea"))
    assert de("Your idea has been submitted.") in status_message(page)
    assert heading(page) == title
    assert page.locator("main .badge-state").inner_text() == de("Submitted")
    log_out(page)

    # Another person supports and comments.
    log_in(page, alliance.member.email)
    open_idea(page, title)
    actions = page.locator("#idea-participation-actions")
    assert ngettext_de("%(counter)s supporter", "%(counter)s supporters", 0) in \
        actions.inner_text()
    actions.get_by_role("button", name=de("Support this idea")).click()
    actions.get_by_role("button", name=de("Withdraw support")).wait_for()
    assert ngettext_de("%(counter)s supporter", "%(counter)s supporters", 1) in \
        actions.inner_text()
    comments = page.locator("#idea-comments")
    field(page, "Your comment").fill("Am Hauptbahnhof zuerst, bitte.")
    comments.get_by_role("button", name=de("Publish comment")).click()
    comments.get_by_text("Am Hauptbahnhof zuerst, bitte.").wait_for()
    assert comments.get_by_role("heading", level=2).inner_text() == \
        ngettext_de("%(counter)s comment", "%(counter)s comments", 1)
    log_out(page)

    # The coordination office moves it to discussion and accepts it: a project arises.
    log_in(page, alliance.coordinator.email)
    open_idea(page, title)
    change_state(page, "discussion")
    assert page.locator("main .badge-state").inner_text() == de("In discussion")
    change_state(page, "accepted", "Passt zum Mobilitätskonzept.")
    assert page.locator("main .badge-state").inner_text() == de("Accepted")
    decision = page.get_by_role("region", name=de("Accepted"))
    assert de("This idea has become a project:") in decision.inner_text()
    click(page, "link", title, within=decision)
    assert heading(page) == title
    consortium = page.get_by_role("region", name=de("Consortium"))
    assert de("No organisation in the consortium yet.") in consortium.inner_text()

    # Without a lead, the coordination office invites one; its admin accepts.
    click(page, "link", de("Manage the consortium"))
    assert heading(page) == de("Consortium of %(title)s", title=title)
    invite(page, "Stadtwerke Münster", "lead")
    log_out(page)
    log_in(page, alliance.admin.email)
    accept_invitation(page, title, "Stadtwerke Münster")

    # The lead organisation invites a partner organisation; that one's admin accepts.
    invite(page, partner.name, "partner")
    log_out(page)
    log_in(page, alliance.applicant.email)
    accept_invitation(page, title, partner.name)

    via_header(page, "Projects")
    click(page, "link", title)
    members = page.get_by_role("region", name=de("Consortium")).get_by_role("listitem")
    assert sorted(members.all_inner_texts()) == sorted([
        f"{partner.name} – {de('Partner')}",
        f"Stadtwerke Münster – {pgettext_de('consortium role', 'Lead')}",
    ])
    finish(page)


# 3. Join a working group and register for a meeting -----------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_join_a_group_and_register_for_a_meeting(page, live_server, alliance, size):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from stadtallianz.events import services as event_services
    from stadtallianz.events.models import Event
    from stadtallianz.workinggroups import services as group_services
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    page.set_viewport_size(SIZES[size])
    page.set_default_timeout(10_000)
    group = group_services.group_create(
        by=alliance.coordinator, focus_areas=[alliance.focus_area], leads=[alliance.admin],
        data={"name_de": "Radverkehr", "name_en": "Cycling",
              "description_de": "Radwege, Zählstellen und Abstellanlagen.",
              "join_policy": WorkingGroup.JoinPolicy.REQUEST})
    GroupMembership.objects.create(group=group, user=alliance.member)
    start = timezone.now().replace(hour=17, minute=0, second=0, microsecond=0) + \
        timedelta(days=10)
    event = event_services.event_create(by=alliance.admin, group=group, data={
        "title_de": "Treffen der Arbeitsgruppe Radverkehr", "format": Event.Format.ONLINE,
        "online_link": "https://meet.example/rad", "starts_at": start,
        "ends_at": start + timedelta(hours=2), "capacity": 1,
        "visibility": Event.Visibility.MEMBERS})
    # The only place is taken.
    event_services.registration_register(event=event, by=alliance.member)
    page.goto(f"{live_server.url}/de/")

    # A person asks to join the group.
    log_in(page, alliance.citizen.email)
    via_header(page, "Working groups")
    click(page, "link", "Radverkehr")
    assert heading(page) == "Radverkehr"
    assert de("On request") in text(page)
    field(page, "Why would you like to join?").fill("Ich fahre täglich Rad.")
    click(page, "button", de("Request to join"))
    assert de("Your request has been sent to the group's leads.") in status_message(page)
    assert de("Your request to join is waiting for a decision by the leads.") in text(page)
    # The members-only meeting is not shown to someone who is not a member yet.
    assert page.get_by_role("link", name=event.title_de).count() == 0
    log_out(page)

    # The lead approves.
    log_in(page, alliance.admin.email)
    via_header(page, "Working groups")
    click(page, "link", "Radverkehr")
    click(page, "link", de("Manage members"))
    requests = page.get_by_role("region", name=de("Requests to join"))
    assert "Ich fahre täglich Rad." in requests.inner_text()
    approve = requests.get_by_role("button", name=re.compile(f"^{de('Approve')}"))
    navigate(page, approve.click)
    assert de("The request has been approved.") in status_message(page)
    assert de("No requests are waiting.") in \
        page.get_by_role("region", name=de("Requests to join")).inner_text()
    log_out(page)

    # The member registers for the full meeting and gets a waiting-list place.
    log_in(page, alliance.citizen.email)
    via_header(page, "Working groups")
    click(page, "link", "Radverkehr")
    assert page.locator("main").get_by_role("button", name=de("Leave working group")).count() == 1
    click(page, "link", event.title_de)
    assert heading(page) == event.title_de
    assert de("%(n)s of %(capacity)s places taken, %(free)s free", n=1, capacity=1, free=0) \
        in text(page)
    click(page, "button", de("Join the waiting list"))
    assert de("The event is full. You are on the waiting list.") in status_message(page)
    registration = page.get_by_role("region", name=de("Registration"))
    assert de("You are on the waiting list, position %(position)s.", position=1) in \
        registration.inner_text()
    assert ngettext_de("%(n)s waiting", "%(n)s waiting", 1, "n") in text(page)

    # "My area" lists it with the waiting-list place.
    via_header(page, "My area")
    mine = page.get_by_role("region", name=de("My registrations"))
    row = mine.get_by_role("row", name=re.compile(event.title_de))
    assert de("Waiting list, place %(position)s", position=1) in row.inner_text()
    assert page.locator("[data-count=registrations]").inner_text() == "1"
    finish(page)


# 4. Search -----------------------------------------------------------------------------------

def search_from_header(tab, query):
    """Types the query into the header's search field (behind the menu on a phone)."""
    header = tab.locator("header")
    button = header.get_by_role("button", name=de("Menu"))
    if button.is_visible():
        button.click()
    box = header.get_by_role("searchbox", name=de("Search terms"))
    box.fill(query)
    navigate(tab, lambda: box.press("Enter"))
    assert heading(tab) == de("Search")


def results(tab) -> dict[str, str]:
    """The results shown: title → type badge."""
    found = {}
    for item in tab.locator("main .search-results > li").all():
        found[item.get_by_role("heading", level=2).inner_text()] = \
            item.locator(".badge").inner_text()
    return found


@pytest.mark.parametrize("size", SIZES)
def test_search_in_german(page, live_server, alliance, size):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from stadtallianz.discussions.models import Post, Thread
    from stadtallianz.events.models import Event
    from stadtallianz.ideas.models import Idea
    from stadtallianz.workinggroups.models import WorkingGroup

    page.set_viewport_size(SIZES[size])
    page.set_default_timeout(10_000)
    now = timezone.now()
    group = WorkingGroup.objects.create(
        slug="radverkehr", name_de="Radverkehr", name_en="Cycling",
        description_de="Sichere Radwege für alle.")
    thread = Thread.objects.create(
        group=group, title="Radverkehrszählstellen am Ring", author=alliance.member,
        visibility=Thread.Visibility.PUBLIC, last_activity_at=now)
    Post.objects.create(thread=thread, author=alliance.member,
                        body="Die neuen Radverkehrszählstellen zählen seit Mai. Die Zahlen "
                             "steigen jeden Monat.")
    idea = Idea.objects.create(
        title="Ein Mobilitätskonzept für Hiltrup", author=alliance.citizen,
        description="Busse, Räder und Carsharing in einem Konzept zusammendenken.")
    start = now + timedelta(days=3)
    Event.objects.create(group=group, slug="lastenrad", title_de="Lastenrad-Probefahrt",
                         title_en="Cargo bike test ride", starts_at=start,
                         ends_at=start + timedelta(hours=2))
    page.goto(f"{live_server.url}/de/")

    # A part finds the compound.
    search_from_header(page, "Zählstelle")
    assert results(page) == {"Radverkehrszählstellen am Ring": de("Discussion")}
    snippet = page.locator("main .search-results .snippet").first
    assert "Radverkehrszählstellen" in snippet.locator("mark").first.inner_text()
    # The page says what it searches, every type.
    searched = page.locator("#searched-types").inner_text()
    for plural in ("partners", "working groups", "discussions", "events", "articles",
                   "documents", "ideas", "projects", "living labs"):
        assert de(plural) in searched, plural

    # The compound (in the plural) finds the idea about it.
    search_from_header(page, "Mobilitätskonzepte")
    found = results(page)
    assert idea.title in found
    assert found[idea.title] == de("Idea")

    # "oder" means OR: both the thread and the event.
    search_from_header(page, "Zählstelle oder Lastenrad")
    found = results(page)
    assert "Radverkehrszählstellen am Ring" in found and "Lastenrad-Probefahrt" in found
    assert found["Lastenrad-Probefahrt"] == de("Event")
    # Without "oder" both words must occur: nothing has both.
    search_from_header(page, "Zählstelle Lastenrad")
    assert results(page) == {}
    assert de("Nothing found. Try fewer or more general words, or another type or focus "
              "area.") in text(page)

    # Follow a result.
    search_from_header(page, "Mobilitätskonzept")
    click(page, "link", idea.title)
    assert heading(page) == idea.title
    finish(page)


# 5. Explore a living lab's data over a chosen range ------------------------------------------

def show_range(tab, value, *, start=None, end=None):
    tab.locator("main").get_by_role("combobox", name=de("Time range")).select_option(value)
    if start:
        field(tab, "From").fill(start.isoformat())
        field(tab, "To").fill(end.isoformat())
    click(tab, "button", de("Show"))


def range_table(tab, stream) -> str:
    """Opens the table behind the chart of the chosen range and returns its text."""
    table = tab.locator(f"#datastream-{stream.pk} details.chart-table")
    assert table.count() == 1  # one chart: the range chosen
    table.get_by_text(de("Values as a table")).click()
    return table.get_by_role("table").inner_text()


@pytest.mark.parametrize("size", SIZES)
def test_explore_a_lab_over_a_chosen_range(page, live_server, alliance, size):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from stadtallianz.livinglabs.models import LivingLab
    from stadtallianz.livinglabs.tests.conftest import add_raw
    from stadtallianz.sensorthings import models as sta
    from stadtallianz.sensorthings.models import PrivacyLevel
    from stadtallianz.sensorthings.tests.conftest import AASEE

    page.set_viewport_size(SIZES[size])
    page.set_default_timeout(10_000)
    lab = LivingLab.objects.create(
        name_de="Reallabor Aasee", slug="aasee", description_de="Wasser und Luft am Aasee.",
        area=AASEE, starts_on=timezone.localdate() - timedelta(days=400),
        state=LivingLab.State.RUNNING, operator=alliance.home, contact_name="Team",
        contact_email="reallabor@example.org", default_privacy_level=PrivacyLevel.PUBLIC)
    thing = sta.Thing.objects.create(lab=lab, name="Messboje", description="Boje im See")
    stream = sta.Datastream.objects.create(
        lab=lab, thing=thing, name="Wassertemperatur", description="Wassertemperatur des Sees",
        sensor=sta.Sensor.objects.create(lab=lab, name="PT100", description="Thermometer",
                                         encoding_type="text/html",
                                         metadata="https://example.org"),
        observed_property=sta.ObservedProperty.objects.create(
            lab=lab, name="Temperatur", description="Wassertemperatur",
            definition="http://vocab.nerc.ac.uk/collection/P01/"),
        unit_of_measurement={"name": "Grad Celsius", "symbol": "°C",
                             "definition": "http://unitsofmeasure.org/ucum.html#para-30"},
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        privacy_level=PrivacyLevel.PUBLIC)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for value, age in ((21.5, timedelta(hours=1)), (19.25, timedelta(days=3)),
                       (17.75, timedelta(days=20)), (15.5, timedelta(days=60))):
        add_raw(stream, value, hour - age)
    page.goto(f"{live_server.url}/de/")

    via_header(page, "Living labs")
    click(page, "link", "Reallabor Aasee")
    assert heading(page) == "Reallabor Aasee"

    show_range(page, "day")
    assert page.get_by_role("combobox", name=de("Time range")).input_value() == "day"
    assert de("Last 24 hours") in page.locator(f"#datastream-{stream.pk} figcaption").inner_text()
    rows = range_table(page, stream)
    assert "21,5" in rows and "19,25" not in rows

    show_range(page, "week")
    assert de("Last 7 days") in page.locator(f"#datastream-{stream.pk} figcaption").inner_text()
    rows = range_table(page, stream)
    assert "21,5" in rows and "19,25" in rows and "17,75" not in rows

    show_range(page, "month")
    rows = range_table(page, stream)
    assert "17,75" in rows and "15,5" not in rows

    today = timezone.localdate()
    show_range(page, "custom", start=today - timedelta(days=70), end=today - timedelta(days=50))
    rows = range_table(page, stream)
    assert "15,5" in rows and "17,75" not in rows and "21,5" not in rows

    # The CSV of the chosen range, its header row in German.
    link = page.locator(f"#datastream-{stream.pk}").get_by_role(
        "link", name=re.compile(f"^{re.escape(de('local time (Münster)'))}"))
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), encoding="utf-8-sig") as csv_file:
        lines = csv_file.read().splitlines()
    for name in ("Measured from", "Measured until", "Result time", "Value"):
        assert de(name) in lines[0], (name, lines[0])
    assert "°C" in lines[0]
    # One row, the custom range's: time in Europe/Berlin with its offset; the value with a
    # decimal point, as the file is comma-separated.
    assert len(lines) == 2, lines
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00\+0[12]:00,,,15\.5", lines[1]), lines
    finish(page)
