"""Who may read and write in a working group's discussions: the one place the app decides it.

Members-only threads exist only for the group's active members and the coordination office;
everyone else gets a 404, as if the thread did not exist. Moderators are the group's leads and
the coordination office.
"""

from stadtallianz.workinggroups.models import WorkingGroup
from stadtallianz.workinggroups.permissions import is_lead_of, is_member


def can_see_members_only(user, group: WorkingGroup) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or is_member(user, group)


def can_view_thread(user, thread) -> bool:
    return thread.is_public or can_see_members_only(user, thread.group)


def can_create_thread(user, group: WorkingGroup) -> bool:
    return group.is_active and can_see_members_only(user, group)


def can_reply(user, thread) -> bool:
    return can_create_thread(user, thread.group)


def is_editable_by(user, post) -> bool:
    """The author's own post, not hidden, in an active group. Reading the thread is checked
    separately (`can_edit_post`); the thread page, which has checked it once, asks only this
    for each post so that its query count does not grow with the posts."""
    return (user.is_authenticated and post.author_id == user.pk and not post.is_hidden
            and post.thread.group.is_active)


def can_edit_post(user, post) -> bool:
    """Authors change their own posts while the group is active and the post is not hidden."""
    return is_editable_by(user, post) and can_view_thread(user, post.thread)


def can_moderate(user, group: WorkingGroup) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or is_lead_of(user, group)


def can_report(user, post) -> bool:
    """A hidden post is no longer shown to those who would report it, so it cannot be
    reported (the report page would otherwise show its text)."""
    return user.is_authenticated and not post.is_hidden and can_view_thread(user, post.thread)
