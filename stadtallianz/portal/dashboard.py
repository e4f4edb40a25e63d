""""Mein Bereich": what is a person's own on the platform, gathered from every app for the
dashboard page (portal is the top layer and may read every app).

Each section is one or two queries whatever the number of items (query-count tests in
portal/tests/test_dashboard.py): a list with what its rows show joined in. Each source lists
at most SHOWN rows; the counts are the true totals, counted by the database in the same query
(`_capped`), and what is left out is said with its number and the page that lists it all.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.i18n import shown_language
from stadtallianz.core.office import with_office
from stadtallianz.events.models import Registration
from stadtallianz.funding import queries as funding_queries
from stadtallianz.ideas import permissions as idea_permissions
from stadtallianz.ideas.models import CoAuthor, Follow, Idea
from stadtallianz.matchmaking.permissions import can_see_suggestions
from stadtallianz.partnering import queries as partnering_queries
from stadtallianz.partnering import reveal
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.partners.models import Invitation, Membership, Organisation
from stadtallianz.projects import permissions as project_permissions
from stadtallianz.projects.models import ConsortiumMember
from stadtallianz.proposals import queries as proposal_queries
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

Status = Organisation.Status
# How many items a section lists before it links to the full list.
SHOWN = 20
# How many deadlines of the followed calls the funding part shows.
DEADLINES_SHOWN = 5

# What a section says of the items of a source beyond the SHOWN listed (`_more`).
MORE_ORGANISATIONS = ngettext_lazy("And %(count)s more organisation.",
                                   "And %(count)s more organisations.", "count")
MORE_GROUPS = ngettext_lazy("And %(count)s more working group.",
                            "And %(count)s more working groups.", "count")
MORE_GROUP_INVITATIONS = ngettext_lazy("And %(count)s more invitation to a working group.",
                                       "And %(count)s more invitations to working groups.",
                                       "count")
MORE_ORGANISATION_INVITATIONS = ngettext_lazy(
    "And %(count)s more invitation to an organisation.",
    "And %(count)s more invitations to organisations.", "count")
MORE_COAUTHOR_INVITATIONS = ngettext_lazy("And %(count)s more invitation to co-author an idea.",
                                          "And %(count)s more invitations to co-author ideas.",
                                          "count")
MORE_CONSORTIUM_INVITATIONS = ngettext_lazy("And %(count)s more invitation to a consortium.",
                                            "And %(count)s more invitations to consortia.",
                                            "count")
MORE_REQUESTS = ngettext_lazy("And %(count)s more request to join a working group.",
                              "And %(count)s more requests to join working groups.", "count")
MORE_ASSESSMENTS = ngettext_lazy("And %(count)s more assessment to fill in or revise.",
                                 "And %(count)s more assessments to fill in or revise.", "count")
MORE_JOIN_REQUESTS = ngettext_lazy("And %(count)s more person asks to join.",
                                   "And %(count)s more people ask to join.", "count")
MORE_NOTICES = ngettext_lazy(
    "And %(count)s more partner search with interests waiting for your answer.",
    "And %(count)s more partner searches with interests waiting for your answer.", "count")
MORE_REGISTRATIONS = ngettext_lazy(
    "And %(count)s more event you are registered or waiting for.",
    "And %(count)s more events you are registered or waiting for.", "count")
MORE_PROJECTS = ngettext_lazy("And %(count)s more project.", "And %(count)s more projects.",
                              "count")
MORE_CALLS = ngettext_lazy("And %(count)s more call you follow.",
                           "And %(count)s more calls you follow.", "count")
MORE_APPLICATIONS = ngettext_lazy("And %(count)s more application of your consortia.",
                                  "And %(count)s more applications of your consortia.", "count")
MORE_MY_NOTICES = ngettext_lazy("And %(count)s more partner search of your organisations.",
                                "And %(count)s more partner searches of your organisations.",
                                "count")
MORE_INTERESTS = ngettext_lazy("And %(count)s more interest your organisations expressed.",
                               "And %(count)s more interests your organisations expressed.",
                               "count")


@dataclass
class Step:
    """The next step for one of my organisations in the letter-of-intent process."""
    text: str
    url: str = ""
    label: str = ""
    tone: str = "info"  # the KERN badge: info, success, warning, danger


@dataclass
class Entry:
    title: str
    url: str
    detail: str = ""
    when: object = None
    action_url: str = ""
    action_label: str = ""
    # The title's language when it is not the page's (a German-only name on the English page),
    # for its lang attribute: core.i18n.shown_language.
    lang: str = ""


@dataclass
class More:
    """The items of one source a section leaves out: how many, in a sentence, and the page
    where all of them are handled, when there is one."""
    text: str
    url: str = ""
    label: str = ""


@dataclass
class Dashboard:
    memberships: list = field(default_factory=list)
    memberships_total: int = 0
    memberships_more: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    groups_total: int = 0
    groups_more: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    registrations_total: int = 0
    registrations_more: list = field(default_factory=list)
    ideas: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    projects_total: int = 0
    projects_more: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    # All open invitations and requests (the section's badge), and those not listed.
    open_count: int = 0
    invitations_more: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    tasks_total: int = 0
    tasks_more: list = field(default_factory=list)
    reviews_waiting: int = 0
    # Förderung: the calls I follow, their next deadlines, my consortia's applications.
    followed_calls: list = field(default_factory=list)
    followed_calls_total: int = 0
    followed_calls_more: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    applications_total: int = 0
    applications_more: list = field(default_factory=list)
    # Partner search: my organisations' notices, the interests they expressed, and how many
    # interests wait for my answer (one task per notice in `tasks`).
    notices: list = field(default_factory=list)
    notices_more: list = field(default_factory=list)
    interests: list = field(default_factory=list)
    interests_more: list = field(default_factory=list)
    interests_waiting: int = 0
    suggestions: bool = False

    @property
    def task_count(self) -> int:
        return self.tasks_total + self.reviews_waiting


def next_step(membership: Membership) -> Step:
    """What to do next for the organisation, by its letter-of-intent status and my role."""
    organisation, admin = membership.organisation, membership.is_admin
    sign = reverse("letter_of_intent:sign", kwargs={"slug": organisation.slug})
    status = reverse("letter_of_intent:status", kwargs={"slug": organisation.slug})
    if organisation.status == Status.PARTNER:
        return Step(_("Alliance partner: nothing to do."), status, _("Letter of intent"),
                    "success")
    if organisation.status == Status.PENDING:
        return Step(with_office(_("The signature awaits review by the %(office)s.")), status,
                    _("See the status"), "info")
    if organisation.status == Status.RESIGN_REQUIRED:
        if admin:
            return Step(_("A new version of the letter of intent awaits your signature."), sign,
                        _("Sign the new version"), "warning")
        return Step(_("A new version of the letter of intent awaits the signature of an "
                      "administrator of your organisation."), status, _("See the status"),
                    "warning")
    if organisation.status == Status.REJECTED:
        text = _("The application was rejected. The status page gives the reason.")
    elif organisation.status == Status.WITHDRAWN:
        text = _("The organisation has withdrawn from the alliance.")
    else:
        text = _("The letter of intent is not signed yet.")
    if admin:
        return Step(text, sign, _("Sign the letter of intent"), "warning")
    return Step(text, status, _("See the status"), "warning")


def _my_projects(user):
    """Projects whose team I am in (projects.permissions: an accepted consortium place of one
    of my organisations, or the lead of the project's working group)."""
    return project_permissions.team_projects(user)


def _capped(queryset) -> tuple[list, int]:
    """The first SHOWN rows of `queryset` and how many rows it has in all, in one query: the
    count is a window over every row, which the database takes before the limit."""
    rows = list(queryset.annotate(all_count=Window(Count("pk")))[:SHOWN])
    return rows, rows[0].all_count if rows else 0


def _capped_by(queryset, partition: str, order: list) -> dict:
    """`_capped` for each value of `partition` at once: {value: (first SHOWN rows by `order`,
    how many in all)}; a value without rows is absent."""
    rows = (queryset.annotate(
        place=Window(RowNumber(), partition_by=F(partition), order_by=order),
        all_count=Window(Count("pk"), partition_by=F(partition)))
        .filter(place__lte=SHOWN).order_by(*order))
    capped = {}
    for row in rows:
        capped.setdefault(getattr(row, partition), ([], row.all_count))[0].append(row)
    return capped


def _more(board_list: list, rows: list, total: int, text, url: str = "",
          label: str = "") -> int:
    """Notes in `board_list` how many rows of a source are not shown (`text`, a MORE_ text),
    with the page where all of them are handled when one exists; returns `total`, for the
    section's count."""
    hidden = total - len(rows)
    if hidden:
        board_list.append(More(text % {"count": hidden}, url, label))
    return total


def build(user) -> Dashboard:
    board = Dashboard()
    now = timezone.now()

    # My organisations, each with its letter-of-intent step.
    memberships, total = _capped(Membership.objects.filter(user=user).select_related(
        "organisation").order_by("organisation__name", "pk"))
    board.memberships = [(membership, next_step(membership)) for membership in memberships]
    board.memberships_total = _more(board.memberships_more, memberships, total, MORE_ORGANISATIONS)
    admin_of = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values(
        "organisation")

    # Working groups: active memberships; my requests and invitations go to their sections.
    State = GroupMembership.State
    by_state = _capped_by(GroupMembership.objects.of(user).select_related("group"), "state",
                          [F("group__name_de").asc(), F("pk").asc()])
    groups, total = by_state.get(State.ACTIVE, ([], 0))
    board.groups = groups
    board.groups_total = _more(board.groups_more, groups, total, MORE_GROUPS)
    requests, requests_total = by_state.get(State.REQUESTED, ([], 0))
    board.requests = [
        Entry(str(m.group), m.group.get_absolute_url(), _("Request to join, pending"),
              m.created_at, lang=shown_language(m.group, "name"))
        for m in requests]
    invited, total = by_state.get(State.INVITED, ([], 0))
    board.invitations = [
        Entry(str(m.group), m.group.get_absolute_url(), _("Invitation to the working group"),
              m.created_at, reverse("workinggroups:respond", kwargs={"slug": m.group.slug}),
              _("Answer"), lang=shown_language(m.group, "name"))
        for m in invited]
    open_total = _more(board.invitations_more, invited, total, MORE_GROUP_INVITATIONS)

    # Registrations and waiting-list places of events to come, the soonest first.
    # No page lists a person's registrations: the line says how many more, without a link.
    registrations, total = _capped(Registration.objects.filter(
        user=user, state__in=[Registration.State.REGISTERED, Registration.State.WAITING],
        event__ends_at__gte=now).select_related("event").order_by("event__starts_at", "pk"))
    board.registrations = registrations
    board.registrations_total = _more(board.registrations_more, registrations, total,
                                      MORE_REGISTRATIONS)

    # Ideas: mine, those I co-author and those I follow, each once.
    coauthored = CoAuthor.objects.filter(idea=OuterRef("pk"), user=user,
                                         state=CoAuthor.State.ACCEPTED)
    followed = Follow.objects.filter(idea=OuterRef("pk"), user=user)
    ideas = (Idea.objects.annotate(is_coauthor=Exists(coauthored), is_follower=Exists(followed))
             .filter(Q(author=user) | Q(is_coauthor=True) | Q(is_follower=True))
             .order_by("-updated_at", "-pk")[:SHOWN])
    # A hidden idea only where the person may still see it (its authors; ideas.permissions).
    for idea in idea_permissions.visible_among(user, ideas):
        relation = (_("My idea") if idea.author_id == user.pk
                    else _("Co-author") if idea.is_coauthor else _("Following"))
        board.ideas.append((idea, relation))

    # Projects my organisations belong to; no list page filters by a person's team.
    projects, total = _capped(_my_projects(user).order_by("-updated_at", "-pk"))
    board.projects = projects
    board.projects_total = _more(board.projects_more, projects, total, MORE_PROJECTS)

    # Open invitations addressed to me, each kind the oldest first.
    invitations, total = _capped(Invitation.objects.open().filter(email__iexact=user.email)
                                 .select_related("organisation").order_by("sent_at", "pk"))
    board.invitations += [
        Entry(invitation.organisation.name,
              reverse("partners:invitation_accept", kwargs={"token": invitation.token}),
              _("Invitation to the organisation"), invitation.sent_at,
              reverse("partners:invitation_accept", kwargs={"token": invitation.token}),
              _("Answer"))
        for invitation in invitations]
    open_total += _more(board.invitations_more, invitations, total,
                        MORE_ORGANISATION_INVITATIONS)
    coauthors, total = _capped(CoAuthor.objects.filter(user=user, state=CoAuthor.State.INVITED)
                               .select_related("idea").order_by("created_at", "pk"))
    board.invitations += [
        Entry(coauthor.idea.title, coauthor.idea.get_absolute_url(),
              _("Invitation to co-author the idea"), coauthor.created_at,
              coauthor.get_respond_url(), _("Answer"))
        for coauthor in coauthors]
    open_total += _more(board.invitations_more, coauthors, total, MORE_COAUTHOR_INVITATIONS)
    places, total = _capped(ConsortiumMember.objects.filter(
        organisation__in=admin_of, state=ConsortiumMember.State.INVITED)
        .select_related("project", "organisation").order_by("created_at", "pk"))
    board.invitations += [
        Entry(member.project.title, member.project.get_absolute_url(),
              _("Invitation of %(organisation)s to the consortium")
              % {"organisation": member.organisation.name}, member.created_at,
              reverse("projects:consortium", kwargs={"slug": member.project.slug}), _("Answer"),
              lang=shown_language(member.project, "title"))
        for member in places]
    open_total += _more(board.invitations_more, places, total, MORE_CONSORTIUM_INVITATIONS)
    board.open_count = open_total + _more(board.invitations_more, requests, requests_total,
                                          MORE_REQUESTS)

    # Tasks, each kind the one waiting longest first: assessments of my projects to fill in or
    # revise, join requests to decide.
    assessments, total = _capped(Assessment.objects.filter(
        project__in=_my_projects(user),
        state__in=[Assessment.State.DRAFT, Assessment.State.CHANGES_REQUESTED])
        .select_related("project").order_by("updated_at", "pk"))
    for assessment in assessments:
        revise = assessment.state == Assessment.State.CHANGES_REQUESTED
        board.tasks.append(Entry(
            assessment.project.title, assessment.get_absolute_url(),
            _("Revise the assessment: changes were requested") if revise
            else _("Finish and submit the assessment"), assessment.updated_at,
            reverse("assessments:edit", kwargs={"pk": assessment.pk}),
            _("Revise") if revise else _("Continue"),
            lang=shown_language(assessment.project, "title")))
    tasks_total = _more(board.tasks_more, assessments, total, MORE_ASSESSMENTS)

    led = GroupMembership.objects.active().leads().of(user).values("group_id")
    join_requests, total = _capped(GroupMembership.objects.filter(
        group__in=led, state=GroupMembership.State.REQUESTED,
        group__state=WorkingGroup.State.ACTIVE)
        .annotate(of_group=Window(Count("pk"), partition_by=F("group")))
        .select_related("group", "user").order_by("created_at", "pk"))
    for request in join_requests:
        board.tasks.append(Entry(
            str(request.group), request.group.get_absolute_url(),
            _("%(name)s asks to join") % {"name": request.user.get_full_name()},
            request.created_at,
            reverse("workinggroups:manage", kwargs={"slug": request.group.slug}), _("Decide"),
            lang=shown_language(request.group, "name")))
    # All of them in one group: its manage page lists them all; across groups no page does.
    manage = ""
    if join_requests and join_requests[0].of_group == total:
        manage = reverse("workinggroups:manage", kwargs={"slug": join_requests[0].group.slug})
    tasks_total += _more(board.tasks_more, join_requests, total, MORE_JOIN_REQUESTS, manage,
                         _("Manage members"))

    # Interests in my organisations' notices that wait for my answer: one task per notice,
    # the one waiting longest first; only notices I may answer (partnering's owner rule).
    pending = Q(interests__state=Interest.State.PENDING)
    notices, total = _capped(
        partnering_queries.my_notices(user).filter(pending_count__gt=0)
        .filter(pk__in=Notice.objects.answerable_by(user).values("pk"))
        .annotate(waiting_since=Min("interests__created_at", filter=pending))
        .order_by("waiting_since", "pk"))
    for notice in notices:
        board.tasks.append(Entry(
            notice.title, notice.get_absolute_url(),
            ngettext("%(count)s interest in the partner search waits for your answer",
                     "%(count)s interests in the partner search wait for your answer",
                     notice.pending_count) % {"count": notice.pending_count},
            notice.waiting_since, notice.get_absolute_url() + "#interests", _("Answer"),
            lang=shown_language(notice, "title")))
    tasks_total += _more(board.tasks_more, notices, total, MORE_NOTICES,
                         reverse("partnering:mine"), _("My notices and interests"))
    board.tasks_total = tasks_total

    _funding(board, user)
    _partner_search(board, user)
    board.suggestions = can_see_suggestions(user)

    # Reviews: the coordination office reviews submitted assessments.
    if user.is_coordination_office:
        board.reviews_waiting = Assessment.objects.filter(
            state=Assessment.State.SUBMITTED).count()
    return board


def _funding(board: Dashboard, user) -> None:
    """Förderung: the calls I follow (newest follow first, with their next deadline), the
    next deadlines of those calls, and my consortia's applications with their sums."""
    # The call list has no filter for the calls a person follows: the line has no link.
    calls, total = _capped(funding_queries.followed_calls(user))
    board.followed_calls = calls
    board.followed_calls_total = _more(board.followed_calls_more, calls, total, MORE_CALLS)
    board.deadlines = list(funding_queries.followed_deadlines(user, limit=DEADLINES_SHOWN))
    # The applications page lists all of mine first.
    applications, total = _capped(proposal_queries.my_applications(user))
    board.applications = applications
    board.applications_total = _more(
        board.applications_more, applications, total, MORE_APPLICATIONS,
        reverse("proposals:list") + "#mine-heading", _("My applications"))


def _partner_search(board: Dashboard, user) -> None:
    """My organisations' partner searches (those waiting for an answer first), the interests
    my organisations expressed (as partnering.reveal lets me see them) and how many interests
    wait for my answer."""
    mine = reverse("partnering:mine")
    notices, total = _capped(partnering_queries.my_notices(user))
    board.notices = notices
    _more(board.notices_more, notices, total, MORE_MY_NOTICES, mine + "#notices-heading",
          _("My notices and interests"))
    # Limited before it is loaded: reveal shows every interest of one's own organisations (the
    # interested side), so the count is what the list shows.
    interests, total = _capped(partnering_queries.my_interests_query(user))
    board.interests = reveal.shown_list(user, interests)
    _more(board.interests_more, interests, total, MORE_INTERESTS, mine + "#interests-heading",
          _("My notices and interests"))
    board.interests_waiting = partnering_queries.waiting_count(user)
