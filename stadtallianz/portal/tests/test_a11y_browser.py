"""The pages portal and the back office show funding on, in a real Chromium: axe-core finds no
WCAG 2.1 A/AA violation, the Content Security Policy blocks nothing, each page has one h1, in
German and in English: Mein Bereich with followed calls, their deadlines, an application, a
partner search with an interest waiting and an interest expressed, and more tasks and
invitations than it lists (the lines that say how many more, one with a link); the home page
with the funding acquired; the back office's work queue with calls not checked for 90 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    alliance,
    browser,
    login,
    page,
    sweep,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def funding(alliance):  # noqa: F811
    from stadtallianz.funding.models import Call
    from stadtallianz.projects.models import Project
    from stadtallianz.proposals.models import Application

    from . import factories

    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")
    followed = factories.call("quartiere", title_de="Smarte Quartiere", due_in_days=12)
    factories.follow(alliance.admin, followed)
    factories.application("Quartiersbus im Kreuzviertel", for_call=followed, project=project,
                          organisation=alliance.home)
    granted = factories.application("Bewilligt", for_call=followed, project=project,
                                    organisation=alliance.partners[0],
                                    state=Application.State.GRANTED)
    factories.grant(granted, "1250000")
    mine = factories.notice(alliance.home, "Partner für Fahrgastdaten gesucht",
                            by=alliance.admin, for_call=followed)
    factories.interest(mine, alliance.partners[1], days_ago=2)
    theirs = factories.notice(alliance.partners[2], "Kommune gesucht", for_call=followed)
    factories.interest(theirs, alliance.home, alliance.admin)
    Call.objects.filter(pk=followed.pk).update(
        verified_on=timezone.localdate() - timedelta(days=120))
    return followed


@pytest.fixture
def more_than_shown(alliance, funding):  # noqa: F811
    """More partner searches with interests waiting (tasks and the list of my organisations'
    partner searches) and more invitations to working groups than Mein Bereich lists."""
    from stadtallianz.portal.dashboard import SHOWN
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    from . import factories

    for n in range(SHOWN + 1):
        notice = factories.notice(alliance.home, f"Suche {n}", by=alliance.admin,
                                  for_call=funding)
        factories.interest(notice, alliance.partners[1], days_ago=3)
        group = WorkingGroup.objects.create(name_de=f"Gruppe {n}", slug=f"gruppe-{n}")
        GroupMembership.objects.create(group=group, user=alliance.admin,
                                       state=GroupMembership.State.INVITED)


@pytest.mark.parametrize("language", LANGUAGES)
def test_my_area_home_and_work_queue_with_funding(page, live_server, alliance, funding,  # noqa: F811
                                                  more_than_shown, language):
    assert sweep(page, live_server.url, language, ["/"]) == {}
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    assert sweep(page, live_server.url, language,
                 ["/my-area/" if language == "en" else "/mein-bereich/"]) == {}
    # The lines checked are there: more tasks, invitations and partner searches.
    assert page.locator(".my-area__more").count() == 3
    page.context.clear_cookies()
    login(page, live_server, alliance.coordinator.email, PASSWORD, language)
    assert sweep(page, live_server.url, language, ["/backoffice/"]) == {}
