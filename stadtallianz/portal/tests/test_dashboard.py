""""Mein Bereich": what each role sees, the login lands there, and the queries do not grow
with the number of items."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.templatetags.formatting import format_range
from stadtallianz.core.testing import query_count
from stadtallianz.events.models import Event, Registration
from stadtallianz.ideas.models import CoAuthor, Follow, Idea
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects.models import ConsortiumMember, Project
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

URL = "/en/my-area/"


def _group(name):
    return WorkingGroup.objects.create(name_de=name, name_en=name, slug=slugify(name))


def _event(n, **fields):
    starts = timezone.now() + timedelta(days=n + 1)
    return Event.objects.create(title_de=f"Treffen {n}", title_en=f"Meeting {n}",
                                slug=f"treffen-{n}", starts_at=starts,
                                ends_at=starts + timedelta(hours=2), **fields)


def test_a_visitor_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_without_next_lands_in_my_area(client, citizen):
    response = client.post(reverse("accounts:login"),
                           {"username": citizen.email, "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:my_area")


def test_a_citizen_without_organisation_is_shown_how_to_register_or_be_invited(client_for,
                                                                                citizen):
    html = client_for(citizen).get(URL).content.decode()
    assert "You do not belong to an organisation yet." in html
    assert reverse("partners:create") in html
    assert "ask one of its administrators to invite you" in html
    assert reverse("accounts:profile") in html  # Mein Konto / my data
    for empty in ["You are in no working group yet.", "You have no ideas yet",
                  "No open invitation or request.", "Nothing to do right now"]:
        assert empty in html


def test_german_page(client_for, citizen):
    html = client_for(citizen).get("/de/mein-bereich/").content.decode()
    assert "Mein Bereich" in html and "Organisation registrieren" in html


def test_a_partner_admin_with_an_unsigned_organisation_is_asked_to_sign(
        client_for, make_user, make_organisation):
    admin = make_user("admin-draft@example.org", full_name="Anna Beispiel")
    draft = make_organisation("Stadtwerke Münster", status=Organisation.Status.DRAFT)
    Membership.objects.create(user=admin, organisation=draft, role=Membership.Role.ADMIN)
    html = client_for(admin).get(URL).content.decode()
    assert "Stadtwerke Münster" in html
    assert "The letter of intent is not signed yet." in html
    assert reverse("letter_of_intent:sign", kwargs={"slug": draft.slug}) in html


def test_a_member_of_a_partner_asked_to_re_sign_sees_who_signs(client_for, partner_member,
                                                                 organisation):
    organisation.status = Organisation.Status.RESIGN_REQUIRED
    organisation.save()
    html = client_for(partner_member).get(URL).content.decode()
    assert "awaits the signature of an administrator" in html
    assert reverse("letter_of_intent:sign", kwargs={"slug": organisation.slug}) not in html


def test_a_member_sees_registrations_waiting_places_groups_ideas_projects_and_tasks(
        client_for, partner_member, organisation, make_user):
    later, sooner = _event(5), _event(1)
    past = _event(-10)
    Registration.objects.create(event=later, user=partner_member,
                                state=Registration.State.WAITING, position=2)
    Registration.objects.create(event=sooner, user=partner_member)
    Registration.objects.create(event=past, user=partner_member)
    group = _group("Mobilität")
    GroupMembership.objects.create(group=group, user=partner_member,
                                   role=GroupMembership.Role.LEAD)
    applicant = make_user("applicant@example.org", full_name="Bea Antrag")
    GroupMembership.objects.create(group=group, user=applicant,
                                   state=GroupMembership.State.REQUESTED)
    invited_to = _group("Energie")
    GroupMembership.objects.create(group=invited_to, user=partner_member,
                                   state=GroupMembership.State.INVITED)
    author = make_user("author@example.org")
    Idea.objects.create(title="Eigene Idee", description="x", author=partner_member)
    shared = Idea.objects.create(title="Geteilte Idee", description="x", author=author)
    CoAuthor.objects.create(idea=shared, user=partner_member, state=CoAuthor.State.ACCEPTED)
    followed = Idea.objects.create(title="Gefolgte Idee", description="x", author=author)
    Follow.objects.create(idea=followed, user=partner_member)
    Idea.objects.create(title="Fremde Idee", description="x", author=author)
    project = Project.objects.create(title_de="Klimaquartier", title_en="Climate quarter",
                                     slug="klimaquartier")
    ConsortiumMember.objects.create(project=project, organisation=organisation,
                                    state=ConsortiumMember.State.ACCEPTED)
    Assessment.objects.create(project=project, state=Assessment.State.CHANGES_REQUESTED)

    response = client_for(partner_member).get(URL)
    html = response.content.decode()
    board = response.context["board"]
    assert [r.event for r in board.registrations] == [sooner, later]
    assert "Waiting list, place 2" in html
    with translation.override("en"):  # the date said once, the times as a range, as on event pages
        assert format_range(sooner.starts_at, sooner.ends_at) in html
    assert [m.group for m in board.groups] == [group]
    assert {idea.title: str(relation) for idea, relation in board.ideas} == {
        "Eigene Idee": "My idea", "Geteilte Idee": "Co-author", "Gefolgte Idee": "Following"}
    assert board.projects == [project]
    assert [entry.title for entry in board.invitations] == ["Energie"]
    tasks = [str(task.detail) for task in board.tasks]
    assert tasks == ["Revise the assessment: changes were requested", "Bea Antrag asks to join"]
    assert reverse("workinggroups:manage", kwargs={"slug": group.slug}) in html


def test_a_coordinator_sees_reviews_to_do(client_for, coordinator):
    project = Project.objects.create(title_de="Radweg", slug="radweg")
    Assessment.objects.create(project=project, state=Assessment.State.SUBMITTED)
    html = client_for(coordinator).get(URL).content.decode()
    assert "1 assessment waits for review" in html
    assert reverse("backoffice:dashboard") in html


def test_an_invitation_to_an_organisation_is_listed(client_for, citizen, organisation,
                                                     partner_admin):
    from stadtallianz.partners.models import Invitation
    Invitation.objects.create(organisation=organisation, email=citizen.email.upper(),
                              token="t" * 40, invited_by=partner_admin)
    html = client_for(citizen).get(URL).content.decode()
    assert reverse("partners:invitation_accept", kwargs={"token": "t" * 40}) in html


def test_an_expired_or_accepted_invitation_is_not_listed(client_for, citizen, organisation,
                                                         partner_admin):
    from stadtallianz.partners.models import INVITATION_VALID_DAYS, Invitation
    now = timezone.now()
    expired = Invitation.objects.create(
        organisation=organisation, email=citizen.email, token="e" * 40, invited_by=partner_admin,
        sent_at=now - timedelta(days=INVITATION_VALID_DAYS, seconds=1))
    accepted = Invitation.objects.create(
        organisation=organisation, email=citizen.email, token="a" * 40, invited_by=partner_admin,
        accepted_at=now)
    assert expired.is_expired
    html = client_for(citizen).get(URL).content.decode()
    for token in ["e" * 40, "a" * 40]:
        assert reverse("partners:invitation_accept", kwargs={"token": token}) not in html
    assert list(Invitation.objects.open()) == []
    assert not accepted.is_expired


def test_query_count_does_not_grow_with_the_items(client_for, partner_member, organisation,
                                                   make_user):
    client = client_for(partner_member)
    author = make_user("author@example.org")

    def add(n):
        for i in range(n):
            key = f"{add.calls}-{i}"
            event = _event(len(key) + i)
            event.slug = f"e-{key}"
            event.save()
            Registration.objects.create(event=event, user=partner_member)
            group = _group(f"Gruppe-{key}")
            GroupMembership.objects.create(group=group, user=partner_member,
                                           role=GroupMembership.Role.LEAD)
            GroupMembership.objects.create(group=group, user=make_user(f"r{key}@example.org"),
                                           state=GroupMembership.State.REQUESTED)
            idea = Idea.objects.create(title=f"Idee {key}", description="x", author=author)
            Follow.objects.create(idea=idea, user=partner_member)
            project = Project.objects.create(title_de=f"Projekt {key}", slug=f"p-{key}")
            ConsortiumMember.objects.create(project=project, organisation=organisation,
                                            state=ConsortiumMember.State.ACCEPTED)
            Assessment.objects.create(project=project, state=Assessment.State.DRAFT)
        add.calls += 1
    add.calls = 0

    add(2)
    few = query_count(client.get, URL)
    add(18)
    many = query_count(client.get, URL)
    assert client.get(URL).context["board"].task_count == 40
    assert many == few




def test_the_header_links_my_area_when_logged_in(client, client_for, citizen):
    assert reverse("portal:my_area") not in client.get("/de/").content.decode()
    html = client_for(citizen).get("/de/").content.decode()
    assert f'<a href="{reverse("portal:my_area")}">Mein Bereich</a>' in html
    own = client_for(citizen).get(reverse("portal:my_area")).content.decode()
    assert f'href="{reverse("portal:my_area")}" aria-current="page"' in own


def test_a_hidden_idea_is_listed_to_its_author_but_not_to_its_followers(client_for, citizen,
                                                                         make_user):
    author = make_user("author@example.org")
    hidden = Idea.objects.create(title="Ausgeblendet", description="x", author=author,
                                 hidden_at=timezone.now())
    Follow.objects.create(idea=hidden, user=citizen)
    assert "Ausgeblendet" not in client_for(citizen).get(URL).content.decode()
    assert "Ausgeblendet" in client_for(author).get(URL).content.decode()


def test_projects_and_tasks_follow_the_projects_team_rule(client_for, make_user,
                                                          make_organisation):
    """The team of projects.permissions: a lead of the project's working group is in it (and
    gets the assessment task); a member of an organisation that is not a public partner is not
    (it could not open the assessment)."""
    lead = make_user("group-lead@example.org", full_name="Lena Lead")
    group = _group("Klima")
    GroupMembership.objects.create(group=group, user=lead, role=GroupMembership.Role.LEAD)
    led = Project.objects.create(title_de="Hitzeinseln", slug="hitzeinseln", working_group=group)
    Assessment.objects.create(project=led, state=Assessment.State.DRAFT)
    withdrawn = make_organisation("Ehemals Verein", status=Organisation.Status.WITHDRAWN)
    former = make_user("former@example.org", full_name="Fritz Former")
    Membership.objects.create(user=former, organisation=withdrawn)
    other = Project.objects.create(title_de="Radwege", slug="radwege")
    ConsortiumMember.objects.create(project=other, organisation=withdrawn,
                                    state=ConsortiumMember.State.ACCEPTED)
    Assessment.objects.create(project=other, state=Assessment.State.DRAFT)

    board = client_for(lead).get(URL).context["board"]
    assert board.projects == [led]
    assert [task.title for task in board.tasks] == [led.title]
    board = client_for(former).get(URL).context["board"]
    assert board.projects == [] and board.tasks == []


# ---------------------------------------------------------------------------------------------
# Förderung and partner search


def test_the_funding_part_lists_followed_calls_their_deadlines_and_my_applications(
        client_for, partner_member, organisation, make_organisation):
    from stadtallianz.portal.tests import factories

    followed = factories.call("quartiere", title_de="Smarte Quartiere", due_in_days=12)
    factories.follow(partner_member, followed)
    factories.call("fremd", title_de="Nicht gefolgt")
    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")
    mine = factories.application("Quartiersbus im Kreuzviertel", for_call=followed,
                                 project=project, organisation=organisation)
    factories.application("Fremder Antrag", for_call=followed, project=project,
                          organisation=make_organisation("Fremd GmbH"), published=True)

    response = client_for(partner_member).get(URL)
    board = response.context["board"]
    html = response.content.decode()
    assert board.followed_calls == [followed]
    assert [deadline.call for deadline in board.deadlines] == [followed]
    assert board.applications == [mine]
    assert board.applications[0].requested_total == 70000
    # The German-only title is marked as German on the English page.
    assert f'href="{followed.get_absolute_url()}" lang="de">Smarte Quartiere</a>' in html
    assert "Nicht gefolgt" not in html and "Fremder Antrag" not in html
    assert "12 days left" in html
    assert reverse("funding:personal_feed_manage") in html
    assert "70,000" in html or "70.000" in html
    german = client_for(partner_member).get("/de/mein-bereich/").content.decode()
    assert "Förderung" in german and "Aufrufe, denen ich folge" in german
    assert 'lang="de"' not in german.split("Förderung", 1)[1].split("</section>", 1)[0]


def test_interests_waiting_for_my_answer_are_one_task_per_notice_oldest_first(
        client_for, partner_admin, partner_member, organisation, other_admin, make_user,
        make_organisation):
    """The notice's owner (the organisation's admins, the person who posted it) gets a task
    per notice with pending interests; a plain member who did not post it gets none."""
    from stadtallianz.partnering.models import Interest
    from stadtallianz.partners.models import Membership
    from stadtallianz.portal.tests import factories

    other = Organisation.objects.get(memberships__user=other_admin)
    third = make_organisation("Dritte AG")
    newer = factories.notice(organisation, "Partner für Daten gesucht", by=partner_admin)
    older = factories.notice(organisation, "Partner für Sensorik gesucht", by=partner_admin)
    quiet = factories.notice(organisation, "Ohne Antwort", by=partner_admin)
    factories.interest(newer, other, other_admin, days_ago=1)
    factories.interest(older, other, other_admin, days_ago=5)
    factories.interest(older, third, days_ago=2)
    factories.interest(quiet, other, other_admin, state=Interest.State.DECLINED)
    # My organisation's own interest in another organisation's notice.
    theirs = factories.notice(other, "Wir suchen eine Kommune", by=other_admin)
    factories.interest(theirs, organisation, partner_member)

    board = client_for(partner_admin).get(URL).context["board"]
    tasks = [task for task in board.tasks if "partner search" in str(task.detail)]
    assert [task.title for task in tasks] == [older.title, newer.title]
    assert [str(task.detail) for task in tasks] == [
        "2 interests in the partner search wait for your answer",
        "1 interest in the partner search waits for your answer"]
    assert tasks[0].action_url == older.get_absolute_url() + "#interests"
    assert tasks[0].lang == "de"
    assert board.interests_waiting == 3
    assert {notice.pk for notice in board.notices} == {newer.pk, older.pk, quiet.pk}
    assert [item.interest.notice for item in board.interests] == [theirs]

    member_board = client_for(partner_member).get(URL).context["board"]
    assert not [task for task in member_board.tasks if "partner search" in str(task.detail)]
    assert member_board.interests_waiting == 0
    # The member sees the notices and interests of the organisation, not the others'.
    assert len(member_board.notices) == 3
    outsider = make_user("outsider@example.org")
    Membership.objects.create(user=outsider, organisation=third)
    outsider_board = client_for(outsider).get(URL).context["board"]
    assert outsider_board.notices == [] and outsider_board.tasks == []
    assert [item.interest.notice for item in outsider_board.interests] == [older]


def test_suggestions_are_linked_for_people_of_public_partners_only(
        client_for, partner_member, citizen, make_user, make_organisation):
    from stadtallianz.partners.models import Membership

    with translation.override("en"):
        suggestions = reverse("matchmaking:index")
    assert suggestions in client_for(partner_member).get(URL).content.decode()
    assert suggestions not in client_for(citizen).get(URL).content.decode()
    applicant = make_user("draft@example.org")
    Membership.objects.create(user=applicant, organisation=make_organisation(
        "Noch kein Partner", status=Organisation.Status.DRAFT))
    assert suggestions not in client_for(applicant).get(URL).content.decode()


def test_the_funding_and_partner_search_parts_keep_their_queries_constant(
        client_for, partner_admin, organisation, make_organisation):
    """Growing numbers of followed calls, applications, notices with pending interests and
    interests expressed: the page costs the same number of queries."""
    from stadtallianz.portal.tests import factories

    client = client_for(partner_admin)
    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")

    def add(n, start):
        for i in range(start, start + n):
            followed = factories.call(f"aufruf-{i}", due_in_days=10 + i)
            factories.follow(partner_admin, followed)
            factories.application(f"Antrag {i}", for_call=followed, project=project,
                                  organisation=organisation)
            other = make_organisation(f"Partner {i}")
            notice = factories.notice(organisation, f"Suche {i}", by=partner_admin,
                                      for_call=followed)
            factories.interest(notice, other, days_ago=i)
            theirs = factories.notice(other, f"Ihre Suche {i}", for_call=followed)
            factories.interest(theirs, organisation, partner_admin)

    add(2, 0)
    few = query_count(client.get, URL)
    add(10, 2)
    many = query_count(client.get, URL)
    board = client.get(URL).context["board"]
    assert len(board.followed_calls) == 12 and len(board.applications) == 12
    assert len(board.notices) == 12 and len(board.interests) == 12
    assert board.interests_waiting == 12 and len(board.tasks) == 12
    assert many == few


# ---------------------------------------------------------------------------------------------
# Bounded sections: a coordinator or the lead of many groups may have hundreds of items


def test_every_section_lists_at_most_shown_items_with_the_true_counts_and_constant_queries(
        client_for, partner_admin, organisation, make_user, make_organisation):
    """Of each kind SHOWN are listed (the tasks and invitations waiting longest first), the
    badges count them all, and the rest is said with its number and, where a page lists them
    all, a link to it; the page costs as many queries with 3 of each as with SHOWN + 5."""
    from stadtallianz.partners.models import Invitation
    from stadtallianz.portal.dashboard import SHOWN
    from stadtallianz.portal.tests import factories

    client = client_for(partner_admin)
    author = make_user("author@example.org")
    applicant = make_user("applicant@example.org", full_name="Bea Antrag")
    interested = make_organisation("Interessierte GmbH")
    call = factories.call("gemeinsam")
    made = []

    def add(count):
        for _ in range(count):
            n = len(made)
            made.append(n)
            Membership.objects.create(user=partner_admin, organisation=make_organisation(
                f"Mitglied {n:03}"))
            led = _group(f"Geleitet {n:03}")
            GroupMembership.objects.create(group=led, user=partner_admin,
                                           role=GroupMembership.Role.LEAD)
            GroupMembership.objects.create(group=led, user=make_user(f"r{n}@example.org"),
                                           state=GroupMembership.State.REQUESTED)
            GroupMembership.objects.create(group=_group(f"Angefragt {n:03}"), user=partner_admin,
                                           state=GroupMembership.State.REQUESTED)
            GroupMembership.objects.create(group=_group(f"Eingeladen {n:03}"),
                                           user=partner_admin,
                                           state=GroupMembership.State.INVITED)
            Invitation.objects.create(organisation=make_organisation(f"Einladend {n:03}"),
                                      email=partner_admin.email, token=f"{n:040}",
                                      invited_by=applicant)
            idea = Idea.objects.create(title=f"Idee {n:03}", description="x", author=author)
            CoAuthor.objects.create(idea=idea, user=partner_admin, state=CoAuthor.State.INVITED)
            inviting = Project.objects.create(title_de=f"Einladung {n:03}", slug=f"e-{n}")
            ConsortiumMember.objects.create(project=inviting, organisation=organisation,
                                            state=ConsortiumMember.State.INVITED)
            project = Project.objects.create(title_de=f"Bewertung {n:03}", slug=f"b-{n}")
            ConsortiumMember.objects.create(project=project, organisation=organisation,
                                            state=ConsortiumMember.State.ACCEPTED)
            Assessment.objects.create(project=project, state=Assessment.State.DRAFT)
            notice = factories.notice(organisation, f"Suche {n:03}", by=partner_admin,
                                      for_call=call)
            factories.interest(notice, interested, days_ago=1000 - n)
            Registration.objects.create(event=_event(n), user=partner_admin)
            followed = factories.call(f"gefolgt-{n}")
            factories.follow(partner_admin, followed)
            factories.application(f"Antrag {n:03}", for_call=followed, project=project,
                                  organisation=organisation)
            factories.interest(factories.notice(interested, f"Ihre Suche {n:03}",
                                                for_call=call), organisation, partner_admin)

    add(3)
    few = query_count(client.get, URL)
    add(SHOWN + 2)
    many = query_count(client.get, URL)
    assert many == few

    response = client.get(URL)
    board, html = response.context["board"], response.content.decode()
    kinds = SHOWN + 5
    # My organisations: the admin's own and SHOWN + 5 more, by name.
    assert len(board.memberships) == SHOWN and board.memberships_total == kinds + 1
    assert f'data-count="organisations">{kinds + 1}<' in html
    assert "And 6 more organisations." in html
    assert len(board.groups) == SHOWN and board.groups_total == kinds
    assert f'data-count="groups">{kinds}<' in html
    assert "And 5 more working groups." in html

    # Invitations of each kind and my requests, SHOWN each, the oldest first.
    assert len(board.invitations) == 4 * SHOWN and len(board.requests) == SHOWN
    assert board.open_count == 5 * kinds
    assert f'data-count="invitations">{5 * kinds}<' in html
    for more in ["And 5 more invitations to working groups.",
                 "And 5 more invitations to organisations.",
                 "And 5 more invitations to co-author ideas.",
                 "And 5 more invitations to consortia.",
                 "And 5 more requests to join working groups."]:
        assert more in html
    titles = [entry.title for entry in board.invitations]
    assert "Idee 000" in titles and f"Idee {SHOWN:03}" not in titles
    assert "Einladend 000" in titles and f"Einladend {SHOWN:03}" not in titles

    # Tasks: SHOWN of each kind, the one waiting longest first, all of them counted.
    assert len(board.tasks) == 3 * SHOWN and board.task_count == 3 * kinds
    assert f'data-count="tasks">{3 * kinds}<' in html
    assessments = [task.title for task in board.tasks if task.action_label == "Continue"]
    assert assessments == [f"Bewertung {n:03}" for n in range(SHOWN)]
    assert "And 5 more assessments to fill in or revise." in html
    # Requests across many groups: no page lists them all, each shown one links its group's.
    assert "And 5 more people ask to join." in html
    assert [task.title for task in board.tasks if "partner search" in str(task.detail)] == [
        f"Suche {n:03}" for n in range(SHOWN)]
    with translation.override("en"):
        mine = reverse("partnering:mine")
        applications = reverse("proposals:list")
    assert ("And 5 more partner searches with interests waiting for your answer. "
            f'<a class="kern-link" href="{mine}">My notices and interests</a>') in html

    # Registrations (the soonest first), projects, followed calls and applications: no page
    # lists all of one's registrations, team projects or followed calls, so their lines have
    # no link; the applications page lists all of mine first.
    assert [r.event.title_de for r in board.registrations] == [
        f"Treffen {n}" for n in range(SHOWN)]
    for name, total in [("registrations", board.registrations_total),
                        ("projects", board.projects_total),
                        ("calls", board.followed_calls_total),
                        ("applications", board.applications_total)]:
        assert total == kinds and f'data-count="{name}">{kinds}<' in html
    assert len(board.projects) == len(board.followed_calls) == len(board.applications) == SHOWN
    for more in ["And 5 more events you are registered or waiting for.</p>",
                 "And 5 more projects.</p>", "And 5 more calls you follow.</p>",
                 "And 5 more applications of your consortia. "
                 f'<a class="kern-link" href="{applications}#mine-heading">My applications</a>']:
        assert more in html
    # My organisations' partner searches and the interests they expressed: the page that
    # lists them all is My notices and interests.
    assert len(board.notices) == len(board.interests) == SHOWN
    assert [item.interest.notice.title_de for item in board.interests] == [
        f"Ihre Suche {n:03}" for n in reversed(range(5, kinds))]
    for more in ["And 5 more partner searches of your organisations. "
                 f'<a class="kern-link" href="{mine}#notices-heading">My notices and interests</a>',
                 "And 5 more interests your organisations expressed. "
                 f'<a class="kern-link" href="{mine}#interests-heading">My notices and '
                 "interests</a>"]:
        assert more in html

    german = client.get("/de/mein-bereich/").content.decode()
    assert "Und 5 weitere Bewertungen zum Ausfüllen oder Überarbeiten." in german
    assert "Und 6 weitere Organisationen." in german
    assert "Und 5 weitere Aufrufe, denen Sie folgen." in german
    assert "Und 5 weitere Interessensbekundungen Ihrer Organisationen." in german


def test_join_requests_beyond_those_shown_link_the_manage_page_of_their_one_group(
        client_for, partner_member, make_user):
    from stadtallianz.portal.dashboard import SHOWN

    group = _group("Mobilität")
    GroupMembership.objects.create(group=group, user=partner_member,
                                   role=GroupMembership.Role.LEAD)
    for n in range(SHOWN + 1):
        GroupMembership.objects.create(group=group, user=make_user(f"r{n}@example.org"),
                                       state=GroupMembership.State.REQUESTED)
    response = client_for(partner_member).get(URL)
    manage = reverse("workinggroups:manage", kwargs={"slug": group.slug})
    assert response.context["board"].task_count == SHOWN + 1
    assert ("And 1 more person asks to join. "
            f'<a class="kern-link" href="{manage}">Manage members</a>') in (
                response.content.decode())


def test_interest_tasks_are_counted_only_for_notices_i_may_answer(
        client_for, partner_member, organisation, partner_admin, make_organisation):
    """A plain member gets a task for the notice they posted, not for the one an admin posted
    (partnering's owner rule), and the count says the same."""
    from stadtallianz.portal.tests import factories

    other = make_organisation("Andere AG")
    mine = factories.notice(organisation, "Von mir", by=partner_member)
    factories.notice(organisation, "Vom Admin", by=partner_admin)
    for notice in organisation.partner_notices.all():
        factories.interest(notice, other)
    board = client_for(partner_member).get(URL).context["board"]
    assert [task.title for task in board.tasks] == [mine.title]
    assert board.task_count == 1
