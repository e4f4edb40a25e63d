"""Issue 14, "Language": a text written in German only and shown on an English page, because
TranslatedField falls back to it (core/i18n.py), is inside an element with lang="de", so that a
screen reader pronounces it as German (WCAG 3.1.2); on German pages nothing marks it.

One object of each kind with German texts only, each text with a word of its own; every page that
shows them (lists, detail pages with their Markdown, the home page, the search results, Mein
Bereich, the office's work queue) is parsed, and each text node holding such a word must have
lang="de" on itself or an ancestor – the nearest lang is "de" on English pages, <html lang="de">
on German ones. Not in <title> (in <head>), which holds no markup."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from stadtallianz.core.models import FocusArea
from stadtallianz.events.models import Event, Registration
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects.models import Project
from stadtallianz.search.index import rebuild
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup

pytestmark = pytest.mark.django_db

# One word per German-only text; made up, so they appear nowhere else on a page.
WORDS = {
    "area": "Wombatfeld",
    "project_title": "Quokkaprojekt", "project_summary": "Zebrakurzfassung",
    "project_description": "Yakbeschreibung",
    "lab_name": "Lemurlabor", "lab_description": "Lemurbeschreibung",
    "lab_trial": "Lemurversuch", "lab_learnings": "Lemurlehren", "lab_permits": "Lemurgenehmigung",
    "group_name": "Gnugruppe", "group_description": "Gnuzweck",
    "event_title": "Okapitreffen", "event_description": "Okapiprogramm",
    "organisation_summary": "Tapirangebot", "organisation_description": "Tapirbeschreibung",
    "programme_name": "Kiwiprogramm", "programme_description": "Kiwizweck",
    "call_title": "Kiwiaufruf", "call_summary": "Kiwikurzfassung",
    "notice_title": "Numbatsuche", "notice_description": "Numbatbeschreibung",
    "notice_capabilities": "Numbatkompetenz",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _LangOfWords(HTMLParser):
    """For each text node holding one of WORDS: the word and the tag and lang of the nearest
    element with a lang attribute (text in <head>, <script> and <style> left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.found: list[tuple[str, str, str | None, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if any(tag in ("head", "script", "style", "template") for tag, _lang in self.stack):
            return
        for word in WORDS.values():
            if word in data:
                tag, lang = next(((tag, lang) for tag, lang in reversed(self.stack)
                                  if lang is not None), ("", None))
                self.found.append((word, tag, lang, data.strip()[:80]))


def _words_and_langs(html: str):
    parser = _LangOfWords()
    parser.feed(html)
    parser.close()
    # What the person typed, quoted back by the search page, is not the object's text.
    return [item for item in parser.found if f"“{item[0]}”" not in item[3]]


@pytest.fixture
def world(make_user, coordinator):
    area = FocusArea.objects.create(slug="wombat", name_de=WORDS["area"], position=99)
    organisation = Organisation.objects.create(
        name="Tapir GmbH", slug="tapir", type=Organisation.Type.COMPANY,
        status=Organisation.Status.PARTNER, partner_since=timezone.now(),
        summary_de=f"Bietet {WORDS['organisation_summary']}.",
        description_de=f"Eine **{WORDS['organisation_description']}** mit Markdown.")
    organisation.focus_areas.set([area])
    group = WorkingGroup.objects.create(
        slug="gnu", name_de=WORDS["group_name"],
        description_de=f"Unser *{WORDS['group_description']}*.")
    group.focus_areas.set([area])
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    project = Project.objects.create(
        slug="quokka", title_de=WORDS["project_title"],
        summary_de=f"Kurz: {WORDS['project_summary']}.",
        description_de=f"## Worum es geht\n\nDie {WORDS['project_description']}.",
        working_group=group)
    project.focus_areas.set([area])
    lab = LivingLab.objects.create(
        slug="lemur", name_de=WORDS["lab_name"],
        description_de=f"Die {WORDS['lab_description']}.", trial_de=f"Ein {WORDS['lab_trial']}.",
        learnings_de=f"Die {WORDS['lab_learnings']}.", permits_de=f"Eine {WORDS['lab_permits']}.",
        area={"type": "Point", "coordinates": [7.6, 51.9]}, starts_on=date(2026, 1, 1),
        state=LivingLab.State.RUNNING, operator=organisation, contact_name="Team",
        contact_email="team@example.org")
    lab.projects.set([project])
    start = timezone.now() + timedelta(days=10)
    event = Event.objects.create(
        slug="okapi", title_de=WORDS["event_title"],
        description_de=f"Das {WORDS['event_description']}.", group=group,
        starts_at=start, ends_at=start + timedelta(hours=2),
        visibility=Event.Visibility.PUBLIC)
    member = make_user("mitglied@example.org", full_name="Mitglied")
    Membership.objects.create(user=member, organisation=organisation,
                              role=Membership.Role.ADMIN)
    GroupMembership.objects.create(group=group, user=member, role=GroupMembership.Role.LEAD)
    # Join requests: a task in the lead's Mein Bereich; one to a group without a lead, in the
    # office's work queue.
    GroupMembership.objects.create(group=group, user=make_user("neu@example.org"),
                                   state=GroupMembership.State.REQUESTED)
    leaderless = WorkingGroup.objects.create(slug="gnu-2", name_de=f"{WORDS['group_name']} Zwei")
    GroupMembership.objects.create(group=leaderless, user=make_user("auch@example.org"),
                                   state=GroupMembership.State.REQUESTED)
    GroupMembership.objects.create(group=leaderless, user=member,
                                   state=GroupMembership.State.INVITED)
    Registration.objects.create(event=event, user=member)
    call, notice, application = _funding(organisation, project, member, area)
    rebuild()
    return {"area": area, "organisation": organisation, "group": group, "project": project,
            "lab": lab, "event": event, "member": member, "coordinator": coordinator,
            "call": call, "notice": notice, "application": application}


def _funding(organisation, project, member, area):
    """A programme and its open call, a partner search for the project and the call, and a
    published application for it: their texts in German only."""
    from stadtallianz.funding.models import Call, Deadline, Programme
    from stadtallianz.partnering.models import Notice
    from stadtallianz.proposals.models import Application, ApplicationMember

    programme = Programme.objects.create(
        funder="Bund", level="federal", slug="kiwi", name_de=WORDS["programme_name"],
        description_de=f"Der *{WORDS['programme_description']}*.")
    call = Call.objects.create(programme=programme, slug="kiwi", title_de=WORDS["call_title"],
                               summary_de=f"Die **{WORDS['call_summary']}**.")
    call.focus_areas.set([area])
    Deadline.objects.create(call=call, due_at=timezone.now() + timedelta(days=20))
    notice = Notice.objects.create(
        organisation=organisation, created_by=member, project=project, call=call,
        title_de=WORDS["notice_title"], description_de=f"Eine {WORDS['notice_description']}.",
        capabilities_sought_de=f"Die {WORDS['notice_capabilities']}.",
        roles_sought=["partner"])
    notice.focus_areas.set([area])
    application = Application.objects.create(call=call, project=project, title="Quokka-Antrag",
                                             published=True, created_by=member)
    ApplicationMember.objects.create(application=application, organisation=organisation,
                                     role=ApplicationMember.Role.COORDINATOR)
    return call, notice, application


def _w(*keys: str) -> set[str]:
    return {WORDS[key] for key in keys}


# (page, who looks at it, the words it must show)
PAGES = [
    ("projects:list", {}, None, _w("project_title", "project_summary", "group_name", "area")),
    ("projects:detail", {"slug": "quokka"}, None,
     _w("project_title", "project_summary", "project_description", "group_name", "area",
        "lab_name")),
    ("livinglabs:list", {}, None, _w("lab_name")),
    ("livinglabs:detail", {"slug": "lemur"}, None,
     _w("lab_name", "lab_description", "lab_trial", "lab_learnings", "lab_permits",
        "project_title")),
    ("workinggroups:list", {}, None, _w("group_name", "area")),
    ("workinggroups:detail", {"slug": "gnu"}, None,
     _w("group_name", "group_description", "area", "organisation_summary", "event_title")),
    ("events:list", {}, None, _w("event_title", "group_name")),
    ("events:detail", {"slug": "okapi"}, None,
     _w("event_title", "event_description", "group_name")),
    ("partners:directory", {}, None, _w("organisation_summary", "area")),
    ("partners:detail", {"slug": "tapir"}, None,
     _w("organisation_summary", "organisation_description", "area")),
    ("ideas:list", {}, None, _w("area")),
    ("knowledge:list", {}, None, _w("area")),
    ("portal:home", {}, None, _w("area", "organisation_summary")),
    ("portal:my_area", {}, "member", _w("group_name", "event_title", "project_title")),
    ("backoffice:dashboard", {}, "coordinator", _w("group_name")),
    ("funding:call_list", {}, None, _w("call_title")),
    ("funding:calendar", {}, None, _w("call_title")),
    ("funding:call_detail", {"slug": "kiwi"}, None,
     _w("call_title", "call_summary", "programme_name")),
    ("funding:programme_list", {}, None, _w("programme_name")),
    ("funding:programme_detail", {"slug": "kiwi"}, None,
     _w("programme_name", "programme_description", "call_title")),
    ("proposals:list", {}, None, _w("call_title")),
    ("proposals:pipeline", {}, "coordinator", _w("call_title")),
    ("proposals:detail", lambda w: {"pk": w["application"].pk}, None, _w("call_title")),
    ("partnering:list", {}, None, _w("notice_title")),
    ("partnering:detail", lambda w: {"pk": w["notice"].pk}, None,
     _w("notice_title", "notice_description", "notice_capabilities", "call_title")),
    ("partnering:mine", {}, "member", _w("notice_title")),
    ("matchmaking:call", {"slug": "kiwi"}, "member", _w("call_title")),
    ("matchmaking:notice", lambda w: {"pk": w["notice"].pk}, "member", _w("notice_title")),
]


def _get(client_for, world, language, name, kwargs, who, query=""):
    if callable(kwargs):  # needs an object's id
        kwargs = kwargs(world)
    with translation.override(language):
        url = reverse(name, kwargs=kwargs)
    response = client_for(world[who] if who else None).get(url + query)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize(("name", "kwargs", "who", "expected"), PAGES,
                         ids=[page[0] for page in PAGES])
def test_german_only_texts_on_english_pages_are_marked_german(client_for, world, name, kwargs,
                                                              who, expected):
    found = _words_and_langs(_get(client_for, world, "en", name, kwargs, who))
    assert expected <= {word for word, *_rest in found}
    unmarked = [(word, tag, lang, text) for word, tag, lang, text in found if lang != "de"]
    assert unmarked == []


@pytest.mark.parametrize(("name", "kwargs", "who", "expected"), PAGES,
                         ids=[page[0] for page in PAGES])
def test_on_german_pages_the_german_texts_carry_no_lang_of_their_own(client_for, world, name,
                                                                     kwargs, who, expected):
    found = _words_and_langs(_get(client_for, world, "de", name, kwargs, who))
    assert expected <= {word for word, *_rest in found}
    assert [item for item in found if item[1:3] != ("html", "de")] == []


@pytest.mark.parametrize("key", ["project_title", "group_name", "event_title"])
def test_search_results_mark_a_german_only_title_on_the_english_page(client_for, world, key):
    found = _words_and_langs(_get(client_for, world, "en", "search:search", {}, None,
                                  f"?q={WORDS[key]}"))
    assert WORDS[key] in {word for word, *_rest in found}
    assert [item for item in found if item[2] != "de"] == []
    german = _words_and_langs(_get(client_for, world, "de", "search:search", {}, None,
                                   f"?q={WORDS[key]}"))
    assert german and [item for item in german if item[1:3] != ("html", "de")] == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_german_only_focus_area_is_marked_in_a_forms_checkbox_label(client_for, world,
                                                                     language):
    html = _get(client_for, world, language, "partners:edit", {"slug": "tapir"}, "member")
    label = re.search(r"<label[^>]*>(?:(?!</label>).)*" + WORDS["area"], html, re.S).group(0)
    assert (' lang="de"' in label) is (language == "en")


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_german_only_project_is_marked_in_the_lab_forms_options(client_for, world, language):
    html = _get(client_for, world, language, "livinglabs:edit", {"slug": "lemur"}, "member")
    option = re.search(r"<option[^>]*>" + WORDS["project_title"], html).group(0)
    assert (' lang="de"' in option) is (language == "en")


def test_a_translated_text_is_not_marked_on_the_english_page(client_for, world):
    """The control: with an English title the English page shows it unmarked."""
    Project.objects.filter(pk=world["project"].pk).update(title_en="Quokka project")
    html = _get(client_for, world, "en", "projects:detail", {"slug": "quokka"}, None)
    assert "Quokka project" in html
    assert WORDS["project_title"] not in html.split("</head>", 1)[1]
    assert '<h1 lang="de">' not in html and "<h1>Quokka project</h1>" in html
