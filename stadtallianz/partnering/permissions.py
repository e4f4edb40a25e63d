"""Who may do what with partner-search notices: the one place the app decides it.

Notices are posted by the people of signed partner organisations (any role), for their own
organisation, and for a project whose team they are in or an idea they wrote (or only for a
call). A notice is managed (edited, closed, renewed, its interests accepted or declined) by its
owner: the organisation's admins and the person who posted it while still in the organisation;
the coordination office may do the same. Interest is expressed by a person of another signed
partner organisation. What each side sees of the other's contact person: reveal.py.
"""

from django.db.models import Q

from stadtallianz.ideas.models import Idea
from stadtallianz.ideas.permissions import OPEN_STATES as IDEA_OPEN_STATES
from stadtallianz.ideas.permissions import is_author
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects import permissions as project_permissions
from stadtallianz.projects.models import Project

from .models import Interest, Notice


def postable_organisations(user):
    """The signed partner organisations `user` may post a notice for (all for the office)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    organisations = Organisation.objects.public()
    if not user.is_coordination_office:
        organisations = organisations.filter(
            pk__in=Membership.objects.filter(user=user).values("organisation"))
    return organisations.order_by("name")


def can_post(user) -> bool:
    return postable_organisations(user).exists()


def can_post_for_project(user, project: Project) -> bool:
    """The project's team (projects.permissions.is_member; the office is in every team)."""
    return project_permissions.is_member(user, project)


def can_post_for_idea(user, idea: Idea) -> bool:
    """An open, visible idea's authors (author and accepted co-authors), and the office."""
    if not user.is_authenticated or idea.is_hidden:
        return False
    if user.is_coordination_office:
        return True
    return idea.state in IDEA_OPEN_STATES and is_author(user, idea)


def postable_projects(user):
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_coordination_office:
        return Project.objects.all()
    return project_permissions.team_projects(user)


def postable_ideas(user):
    from stadtallianz.ideas.models import CoAuthor

    if not user.is_authenticated:
        return Idea.objects.none()
    ideas = Idea.objects.filter(hidden_at=None)
    if user.is_coordination_office:
        return ideas
    coauthored = CoAuthor.objects.filter(user=user, state=CoAuthor.State.ACCEPTED).values("idea")
    return ideas.filter(state__in=IDEA_OPEN_STATES).filter(Q(author=user) | Q(pk__in=coauthored))


def can_view(user, notice: Notice) -> bool:
    return Notice.objects.visible_to(user).filter(pk=notice.pk).exists()


def is_owner(user, notice: Notice) -> bool:
    """The notice's side: the organisation's admins, and the person who posted it while still
    in the organisation (Notice.objects.answerable_by). Not the office as such: it manages
    notices but is no party to them."""
    return Notice.objects.answerable_by(user).filter(pk=notice.pk).exists()


def can_manage(user, notice: Notice) -> bool:
    """Edit, close, renew, and answer the interests: the owner and the coordination office."""
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or is_owner(user, notice)


def interest_organisations(user, notice: Notice):
    """The organisations `user` may express interest for: their signed partner organisations
    other than the notice's own, which have not answered it yet."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return (Organisation.objects.public()
            .filter(pk__in=Membership.objects.filter(user=user).values("organisation"))
            .exclude(pk=notice.organisation_id)
            .exclude(pk__in=Interest.objects.filter(notice=notice).values("organisation"))
            .order_by("name"))


def can_express_interest(user, notice: Notice) -> bool:
    """A person of another signed partner organisation that has not answered yet, while the
    notice takes answers (open, before its deadline and expiry)."""
    return notice.accepts_interest and interest_organisations(user, notice).exists()


def can_answer(user, interest: Interest) -> bool:
    """Accept or decline: the notice's owner and the office."""
    return can_manage(user, interest.notice)


def can_view_interest(user, interest: Interest) -> bool:
    """The notice's owner, the office, and the people of the interested organisation."""
    if not user.is_authenticated:
        return False
    if can_manage(user, interest.notice):
        return True
    return Membership.objects.filter(user=user, organisation_id=interest.organisation_id).exists()
