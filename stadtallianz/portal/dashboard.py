""""Mein Bereich": what is a person's own on the platform, gathered from every app for the
dashboard page (portal is the top layer and may read every app).

Each section is one or two queries whatever the number of items (query-count tests in
portal/tests/test_dashboard.py): a list with what its rows show joined in, counted in Python.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
from stadtallianz.partnering.models import Interest
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
class Dashboard:
    memberships: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    ideas: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    reviews_waiting: int = 0
    # Förderung: the calls I follow, their next deadlines, my consortia's applications.
    followed_calls: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    # Partner search: my organisations' notices, the interests they expressed, and how many
    # interests wait for my answer (one task per notice in `tasks`).
    notices: list = field(default_factory=list)
    interests: list = field(default_factory=list)
    interests_waiting: int = 0
    suggestions: bool = False

    @property
    def open_count(self) -> int:
        return len(self.invitations) + len(self.requests)

    @property
    def task_count(self) -> int:
        return len(self.tasks) + self.reviews_waiting


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


def build(user) -> Dashboard:
    board = Dashboard()
    now = timezone.now()

    # My organisations, each with its letter-of-intent step.
    board.memberships = [
        (membership, next_step(membership))
        for membership in Membership.objects.filter(user=user).select_related("organisation")
        .order_by("organisation__name")]
    admin_of = [m.organisation_id for m, _step in board.memberships if m.is_admin]

    # Working groups: active memberships; my requests and invitations go to their sections.
    memberships = list(GroupMembership.objects.of(user).select_related("group")
                       .order_by("group__name_de"))
    board.groups = [m for m in memberships if m.state == GroupMembership.State.ACTIVE]
    board.requests = [
        Entry(str(m.group), m.group.get_absolute_url(), _("Request to join, pending"),
              m.created_at, lang=shown_language(m.group, "name"))
        for m in memberships if m.state == GroupMembership.State.REQUESTED]
    board.invitations = [
        Entry(str(m.group), m.group.get_absolute_url(), _("Invitation to the working group"),
              m.created_at, reverse("workinggroups:respond", kwargs={"slug": m.group.slug}),
              _("Answer"), lang=shown_language(m.group, "name"))
        for m in memberships if m.state == GroupMembership.State.INVITED]

    # Registrations and waiting-list places of events to come, the soonest first.
    board.registrations = list(
        Registration.objects.filter(
            user=user, state__in=[Registration.State.REGISTERED, Registration.State.WAITING],
            event__ends_at__gte=now)
        .select_related("event").order_by("event__starts_at", "pk")[:SHOWN])

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

    # Projects my organisations belong to.
    board.projects = list(_my_projects(user).order_by("-updated_at", "-pk")[:SHOWN])

    # Open invitations addressed to me.
    board.invitations += [
        Entry(invitation.organisation.name,
              reverse("partners:invitation_accept", kwargs={"token": invitation.token}),
              _("Invitation to the organisation"), invitation.sent_at,
              reverse("partners:invitation_accept", kwargs={"token": invitation.token}),
              _("Answer"))
        for invitation in Invitation.objects.open().filter(email__iexact=user.email)
        .select_related("organisation")]
    board.invitations += [
        Entry(coauthor.idea.title, coauthor.idea.get_absolute_url(),
              _("Invitation to co-author the idea"), coauthor.created_at,
              coauthor.get_respond_url(), _("Answer"))
        for coauthor in CoAuthor.objects.filter(user=user, state=CoAuthor.State.INVITED)
        .select_related("idea")]
    board.invitations += [
        Entry(member.project.title, member.project.get_absolute_url(),
              _("Invitation of %(organisation)s to the consortium")
              % {"organisation": member.organisation.name}, member.created_at,
              reverse("projects:consortium", kwargs={"slug": member.project.slug}), _("Answer"),
              lang=shown_language(member.project, "title"))
        for member in ConsortiumMember.objects.filter(
            organisation_id__in=admin_of, state=ConsortiumMember.State.INVITED)
        .select_related("project", "organisation")]

    # Tasks: assessments of my projects to fill in or revise, join requests to decide.
    for assessment in (Assessment.objects.filter(
            project__in=_my_projects(user),
            state__in=[Assessment.State.DRAFT, Assessment.State.CHANGES_REQUESTED])
            .select_related("project").order_by("updated_at", "pk")):
        revise = assessment.state == Assessment.State.CHANGES_REQUESTED
        board.tasks.append(Entry(
            assessment.project.title, assessment.get_absolute_url(),
            _("Revise the assessment: changes were requested") if revise
            else _("Finish and submit the assessment"), assessment.updated_at,
            reverse("assessments:edit", kwargs={"pk": assessment.pk}),
            _("Revise") if revise else _("Continue"),
            lang=shown_language(assessment.project, "title")))
    led = GroupMembership.objects.active().leads().of(user).values("group_id")
    for request in (GroupMembership.objects.filter(
            group__in=led, state=GroupMembership.State.REQUESTED,
            group__state=WorkingGroup.State.ACTIVE)
            .select_related("group", "user").order_by("created_at", "pk")):
        board.tasks.append(Entry(
            str(request.group), request.group.get_absolute_url(),
            _("%(name)s asks to join") % {"name": request.user.get_full_name()},
            request.created_at,
            reverse("workinggroups:manage", kwargs={"slug": request.group.slug}), _("Decide"),
            lang=shown_language(request.group, "name")))

    # Interests in my organisations' notices that wait for my answer: one task per notice,
    # the one waiting longest first (who may answer: partnering's owner rule, reveal.Viewer).
    viewer = reveal.viewer(user)
    pending = Q(interests__state=Interest.State.PENDING)
    waiting = (partnering_queries.my_notices(user).filter(pending_count__gt=0)
               .annotate(waiting_since=Min("interests__created_at", filter=pending))
               .order_by("waiting_since", "pk"))
    for notice in waiting:
        if not viewer.is_owner(notice):
            continue
        board.tasks.append(Entry(
            notice.title, notice.get_absolute_url(),
            ngettext("%(count)s interest in the partner search waits for your answer",
                     "%(count)s interests in the partner search wait for your answer",
                     notice.pending_count) % {"count": notice.pending_count},
            notice.waiting_since, notice.get_absolute_url() + "#interests", _("Answer"),
            lang=shown_language(notice, "title")))

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
    board.followed_calls = list(funding_queries.followed_calls(user)[:SHOWN])
    board.deadlines = list(funding_queries.followed_deadlines(user, limit=DEADLINES_SHOWN))
    board.applications = list(proposal_queries.my_applications(user)[:SHOWN])


def _partner_search(board: Dashboard, user) -> None:
    """My organisations' partner searches (those waiting for an answer first), the interests
    my organisations expressed (as partnering.reveal lets me see them) and how many interests
    wait for my answer."""
    board.notices = list(partnering_queries.my_notices(user)[:SHOWN])
    board.interests = partnering_queries.my_interests(user)[:SHOWN]
    board.interests_waiting = partnering_queries.waiting_count(user)
