"""Issue 14, "Cards that carry information": what the list pages of ideas, events and projects
show on each card, in both languages, and that a page costs the same queries with more rows.
(Organisation cards: stadtallianz/partners/tests/test_cards_and_contact.py.)"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.text import slugify

from stadtallianz.accounts.models import User
from stadtallianz.assessments.models import Assessment, Score
from stadtallianz.core.models import Principle
from stadtallianz.core.testing import query_count
from stadtallianz.events.models import Event, Registration
from stadtallianz.ideas.models import Idea
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import ConsortiumMember, Project

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _people(prefix: str, count: int) -> list[User]:
    return User.objects.bulk_create(
        User(email=f"{prefix}-{n}@example.org", full_name=f"{prefix} {n}", password="!")
        for n in range(count))


def _card(content: str, css_class: str, title: str) -> str:
    """The card (<li class="card …">…</li>) whose link says `title`."""
    for match in re.finditer(rf'<li class="card {css_class}.*?\n</li>', content, re.S):
        if f">{title}</a>" in match.group(0):
            return match.group(0)
    raise AssertionError(f"no {css_class} card for {title}")


# ---------------------------------------------------------------------------------------------
# Ideas


def _idea(title: str, **fields) -> Idea:
    fields.setdefault("description", "## Worum es geht\n\nEin **sicherer** Radweg entlang der "
                      "[Promenade](https://example.org), damit Kinder allein zur Schule fahren. "
                      + "Mehr Text. " * 40)
    return Idea.objects.create(title=title, **fields)


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_idea_card_shows_summary_state_supports_with_a_bar_comments_and_place(client,
                                                                                 language):
    _idea("Radweg Promenade", state=Idea.State.DISCUSSION, support_count=3, comment_count=2,
          place_name="Promenade", latitude="51.96", longitude="7.62")
    _idea("Mehr Bänke", support_count=12)
    content = client.get(f"/{language}/ideas/").content.decode()
    card = _card(content, "idea-card", "Radweg Promenade")
    summary = re.search(r'<p class="kern-body idea-summary">(.*?)</p>', card).group(1)
    # Plain text: no Markdown, no link target, the heading run into the text; about 160 long.
    assert summary.startswith("Worum es geht: Ein sicherer Radweg entlang der Promenade, damit")
    assert "**" not in summary and "example.org" not in summary and "#" not in summary
    assert summary.endswith("…") and len(summary) <= 160
    assert ("In Diskussion" if language == "de" else "In discussion") in card
    assert ("3 Unterstützungen" if language == "de" else "3 supports") in card
    # The bar is relative to the most supported idea of the page (ideas have no threshold).
    assert re.search(r'<meter class="idea-support__bar" min="0" max="12" value="3"', card)
    assert ("2 Kommentare" if language == "de" else "2 comments") in card
    assert '<span class="idea-place">Promenade</span>' in card


def test_the_idea_list_costs_the_same_queries_with_more_ideas(client):
    for n in range(3):
        _idea(f"Idee {n}", support_count=n)
    few = query_count(client.get, "/de/ideas/")
    for n in range(3, 20):
        _idea(f"Idee {n}", support_count=n, comment_count=n)
    assert query_count(client.get, "/de/ideas/") == few


# ---------------------------------------------------------------------------------------------
# Events


def _event(title: str, start: datetime, end: datetime, **fields) -> Event:
    return Event.objects.create(title_de=title, title_en=title,
                                slug=title.lower().replace(" ", "-"), starts_at=start,
                                ends_at=end, **fields)


def _register(event: Event, people, state=Registration.State.REGISTERED) -> None:
    Registration.objects.bulk_create(Registration(event=event, user=person, state=state)
                                     for person in people)


@pytest.fixture
def next_year():
    return timezone.localdate().year + 1


@pytest.mark.parametrize(("language", "when", "free", "full", "where"), [
    ("de", "12. Dezember {year}, 17:00–19:00 Uhr", "2 Plätze frei",
     "Ausgebucht: Warteliste (1 Person wartet)", "Hafenweg 16, 48155 Münster und online"),
    ("en", "12 December {year}, 17:00–19:00", "2 places free",
     "Fully booked: waiting list (1 person waiting)", "Hafenweg 16, 48155 Münster and online"),
])
def test_an_event_card_shows_date_block_time_place_and_free_places(client, next_year, language,
                                                                   when, free, full, where):
    start = datetime(next_year, 12, 12, 17, tzinfo=BERLIN)
    open_event = _event("Offenes Treffen", start, start + timedelta(hours=2), capacity=5,
                        format=Event.Format.HYBRID, address="Hafenweg 16, 48155 Münster")
    _register(open_event, _people("open", 3))
    full_event = _event("Volles Treffen", start + timedelta(days=1),
                        start + timedelta(days=1, hours=2), capacity=1, format=Event.Format.ONLINE)
    _register(full_event, _people("full", 1))
    _register(full_event, _people("waiting", 1), Registration.State.WAITING)
    content = client.get(f"/{language}/events/").content.decode()
    card = _card(content, "event-card", "Offenes Treffen")
    assert re.search(r'<div class="event-date" aria-hidden="true"><span class="event-date__day">'
                     r'12</span> <span class="event-date__month">(Dez|Dec)</span></div>', card)
    assert when.format(year=next_year) in card
    assert where in card
    assert free in card
    full_card = _card(content, "event-card", "Volles Treffen")
    assert full in full_card
    assert '<p class="event-where">Online</p>' in full_card


def test_a_cancelled_or_unlimited_event_says_nothing_about_places(client, next_year):
    start = datetime(next_year, 3, 1, 10, tzinfo=BERLIN)
    _event("Ohne Grenze", start, start + timedelta(hours=1))
    _event("Abgesagt", start, start + timedelta(hours=1), capacity=3,
           state=Event.State.CANCELLED)
    content = client.get("/en/events/").content.decode()
    assert "free" not in _card(content, "event-card", "Ohne Grenze")
    cancelled = _card(content, "event-card", "Abgesagt")
    assert "Cancelled" in cancelled and "free" not in cancelled


def test_an_event_across_midnight_names_both_days_on_its_page(client, next_year):
    start = datetime(next_year, 6, 20, 22, tzinfo=BERLIN)
    event = _event("Nachtlauf", start, start + timedelta(hours=3))
    content = client.get(f"/de/events/{event.slug}/").content.decode()
    assert f"20. Juni {next_year}, 22:00 Uhr – 21. Juni {next_year}, 01:00 Uhr" in content


def test_the_event_list_costs_the_same_queries_with_more_events_and_registrations(client,
                                                                                  next_year):
    start = datetime(next_year, 5, 4, 18, tzinfo=BERLIN)
    _register(_event("E0", start, start + timedelta(hours=1), capacity=4), _people("a", 2))
    few = query_count(client.get, "/de/events/")
    for n in range(1, 12):
        event = _event(f"E{n}", start + timedelta(days=n), start + timedelta(days=n, hours=1),
                       capacity=3)
        _register(event, _people(f"p{n}", 3))
        _register(event, _people(f"w{n}", 2), Registration.State.WAITING)
    assert query_count(client.get, "/de/events/") == few


# ---------------------------------------------------------------------------------------------
# Projects


def _organisation(name: str, **fields) -> Organisation:
    fields.setdefault("type", Organisation.Type.COMPANY)
    return Organisation.objects.create(
        name=name, slug=slugify(name), status=Organisation.Status.PARTNER, **fields)


def _project(title: str, members=(), scores=None) -> Project:
    project = Project.objects.create(title_de=title, title_en=title, slug=title.lower()
                                     .replace(" ", "-"), summary_de=f"Zusammenfassung {title}",
                                     phase=Project.Phase.PILOT)
    for position, organisation in enumerate(members):
        ConsortiumMember.objects.create(
            project=project, organisation=organisation, state=ConsortiumMember.State.ACCEPTED,
            role=ConsortiumMember.Role.LEAD if position == 0 else ConsortiumMember.Role.PARTNER)
    if scores:
        assessment = Assessment.objects.create(
            project=project, state=Assessment.State.ACCEPTED, is_current=True,
            published_at=timezone.now())
        Score.objects.bulk_create(
            Score(assessment=assessment, principle=principle, score=value, justification="Weil.")
            for principle, value in zip(Principle.objects.order_by("number"), scores,
                                        strict=False))
    return project


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_project_card_shows_phase_consortium_logos_and_principle_scores(client, language):
    members = [_organisation(f"Partner {n}") for n in range(7)]
    members[1].logo = "logos/partner-1.png"
    members[1].save()
    _project("Smarte Laternen", members, scores=[2, 1, 0, 0, -1, 1, 0, 0])
    _project("Ohne Bewertung", members[:1])
    content = client.get(f"/{language}/projects/").content.decode()
    card = _card(content, "project-card", "Smarte Laternen")
    assert "Pilot" in card
    logos = re.search(r'<ul class="project-consortium__logos".*?</ul>', card, re.S).group(0)
    # Five logos or initials, the lead first, then "+2".
    assert logos.count('<span class="kern-sr-only visually-hidden">') == 5
    assert re.search(r'<svg class="org-avatar"[^>]*aria-hidden="true".*?>P0</text>', logos)
    assert '<img class="org-logo" src="/media/logos/partner-1.png" alt=""' in logos
    assert ("+2 weitere" if language == "de" else "+2 more") in logos
    assert ("Federführung: Partner 0" if language == "de" else "Led by Partner 0") in card
    cells = re.findall(r'<li class="principle-glance__cell ([a-z-]+)"[^>]*>([^<]+)</li>', card)
    assert cells == [("score-plus-strong", "+2"), ("score-plus", "+1"), ("score-zero", "0"),
                     ("score-zero", "0"), ("score-minus", "\u22121"), ("score-plus", "+1"),
                     ("score-zero", "0"), ("score-zero", "0")]
    assert ("Leitprinzipien: dient 3, neutral 4, schadet 1" if language == "de"
            else "Guiding principles: serves 3, neutral 4, harms 1") in card
    unassessed = _card(content, "project-card", "Ohne Bewertung")
    assert ("Noch nicht nach den Leitprinzipien bewertet" if language == "de"
            else "Not yet assessed against the guiding principles") in unassessed


def test_the_project_list_costs_the_same_queries_with_more_projects_partners_and_scores(client):
    members = [_organisation(f"Org {n}") for n in range(8)]
    _project("P0", members[:2], scores=[1] * 8)
    few = query_count(client.get, "/de/projects/")
    for n in range(1, 12):
        _project(f"P{n}", members[: 1 + n % 8], scores=[n % 5 - 2] * 8 if n % 2 else None)
    assert query_count(client.get, "/de/projects/") == few


# ---------------------------------------------------------------------------------------------
# Organisation cards elsewhere: the home page's newest partners and a working group's members


@pytest.mark.parametrize(("language", "since"), [("de", "Allianzpartner seit 3. März 2026"),
                                                 ("en", "Partner since 3 March 2026")])
def test_the_home_page_shows_the_newest_partners_as_cards(client, language, since):
    _organisation("Stadtwerke Münster", summary_de="Energie und Daten für alle.",
                  partner_since=datetime(2026, 3, 3, 12, tzinfo=BERLIN))
    content = client.get(f"/{language}/").content.decode()
    card = _card(content, "partner-card", "Stadtwerke Münster")
    assert ">SM</text>" in card and "Energie und Daten für alle." in card
    assert since in card


def test_a_working_groups_member_organisations_are_cards_at_a_constant_query_count(client):
    from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup

    group = WorkingGroup.objects.create(name_de="Mobilität", name_en="Mobility", slug="mobil")
    url = f"/en/working-groups/{group.slug}/"

    def add(start, count):
        for n in range(start, start + count):
            GroupOrganisation.objects.create(group=group, organisation=_organisation(
                f"Member {n}", summary_de=f"Offer {n}", type=Organisation.Type.RESEARCH))

    add(0, 2)
    few = query_count(client.get, url)
    add(2, 10)
    assert query_count(client.get, url) == few
    card = _card(client.get(url).content.decode(), "partner-card", "Member 7")
    assert "Offer 7" in card and "Research institute" in card
