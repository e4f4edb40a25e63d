"""Who may do what with ideas: the one place the app decides it.

Ideas are public. A hidden idea exists only for its authors (author and accepted co-authors) and
the coordination office; for everyone else it is a 404. Taking part (commenting, supporting,
following, reporting) needs an active account with a confirmed e-mail address.
"""

from stadtallianz.workinggroups.permissions import is_lead_of

from .models import CoAuthor, Idea


def is_author(user, idea: Idea) -> bool:
    """The author or an accepted co-author."""
    if not user.is_authenticated:
        return False
    if idea.author_id == user.pk:
        return True
    return CoAuthor.objects.filter(idea=idea, user=user,
                                   state=CoAuthor.State.ACCEPTED).exists()


def can_view_idea(user, idea: Idea) -> bool:
    if not idea.is_hidden:
        return True
    return user.is_authenticated and (user.is_coordination_office or is_author(user, idea))


# ---------------------------------------------------------------------------------------------
# Submitting, editing, deciding (services.py, views.py, listing.py, api.py).
OPEN_STATES = (Idea.State.SUBMITTED, Idea.State.DISCUSSION)


def can_see(user, idea: Idea) -> bool:
    return can_view_idea(user, idea)


def visible_among(user, ideas) -> list[Idea]:
    """Those of `ideas` that `user` may see (`can_see`), in at most one query however many:
    for the ideas a page or the API names from another idea (the idea it was merged into, the
    ideas merged into it), which may have been hidden since. Needs `hidden_at`, `author_id`."""
    ideas = list(ideas)
    if not any(idea.is_hidden for idea in ideas):
        return ideas
    if not user.is_authenticated:
        return [idea for idea in ideas if not idea.is_hidden]
    if user.is_coordination_office:
        return ideas
    others = [idea.pk for idea in ideas if idea.is_hidden and idea.author_id != user.pk]
    coauthored = set(CoAuthor.objects.filter(idea__in=others, user=user,
                                             state=CoAuthor.State.ACCEPTED)
                     .values_list("idea_id", flat=True)) if others else set()
    return [idea for idea in ideas
            if not idea.is_hidden or idea.author_id == user.pk or idea.pk in coauthored]


def can_submit(user) -> bool:
    """Anyone registered with a confirmed e-mail address."""
    return can_participate(user)


def can_edit(user, idea: Idea) -> bool:
    """The authors of an open idea, and the coordination office."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return idea.state in OPEN_STATES and can_participate(user) and is_author(user, idea)


def can_manage_coauthors(user, idea: Idea) -> bool:
    """The author of an open idea, and the coordination office."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return idea.state in OPEN_STATES and idea.author_id == user.pk and can_participate(user)


def can_decide(user, idea: Idea) -> bool:
    """The coordination office and the leads of the idea's working group move its state."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    group = idea.working_group
    return group is not None and group.is_active and is_lead_of(user, group)


# ---------------------------------------------------------------------------------------------
# Participation: comments, supports, follows, reports (participation.py, moderation.py)


def can_participate(user) -> bool:
    """A registered, active person whose e-mail address is confirmed."""
    return (user.is_authenticated and user.is_active
            and getattr(user, "email_confirmed_at", None) is not None)


def can_comment(user, idea: Idea) -> bool:
    """Anyone taking part comments a visible idea; a hidden idea is closed for comments."""
    return can_participate(user) and not idea.is_hidden


def can_edit_comment(user, comment) -> bool:
    """Authors change their own comments while neither the comment nor the idea is hidden."""
    return (can_participate(user) and comment.author_id == user.pk and not comment.is_hidden
            and not comment.idea.is_hidden)


def can_support(user, idea: Idea) -> bool:
    """Whether the person may support at all; the idea's state is checked by the service,
    which explains the refusal."""
    return can_participate(user) and not idea.is_hidden


def can_follow(user, idea: Idea) -> bool:
    return can_participate(user) and can_view_idea(user, idea)


def can_report(user, target) -> bool:
    """Hidden content is no longer shown to those who would report it."""
    if not can_participate(user) or target.is_hidden:
        return False
    idea = target if isinstance(target, Idea) else target.idea
    return not idea.is_hidden


def can_moderate_ideas(user) -> bool:
    """The coordination office: the moderation queue, hiding and unhiding ideas."""
    return user.is_authenticated and user.is_coordination_office


def can_hide_comment(user, comment) -> bool:
    """The coordination office, and the leads of the idea's working group for its comments
    while the group is active (an archived group's leads no longer moderate)."""
    return can_moderate_comments_of(user, comment.idea)


def can_moderate_comments_of(user, idea: Idea) -> bool:
    """The same for all comments of one idea (asked once per page, not once per comment)."""
    if can_moderate_ideas(user):
        return True
    group = idea.working_group
    return group is not None and group.is_active and is_lead_of(user, group)
