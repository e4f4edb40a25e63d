"""Who may read and write articles and documents: the one place the app decides it.

Reading follows `Article.objects.visible_to` and `Document.objects.visible_to`: what a person may
not see is a 404 everywhere. Writing: members of a group write its articles; people of a partner
organisation (and the coordination office) write alliance-wide ones; authors, the group's leads
and the coordination office edit; leads and the coordination office unpublish and delete.
"""

from stadtallianz.events import permissions as event_permissions
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.workinggroups.permissions import is_lead_of, is_member

from .models import Article, Document


def is_partner_person(user) -> bool:
    """Someone in an organisation that is an alliance partner."""
    return user.is_authenticated and Membership.objects.filter(
        user=user, organisation__status__in=Organisation.PUBLIC_STATUSES).exists()


def can_write_in(user, group) -> bool:
    """New articles of `group` (None: of the whole alliance)."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    if group is None:
        return is_partner_person(user)
    return group.is_active and is_member(user, group)


def is_author(user, article: Article) -> bool:
    return user.is_authenticated and article.authors.filter(pk=user.pk).exists()


def can_moderate_article(user, article: Article) -> bool:
    """Unpublish and delete: the group's leads and the coordination office."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    group = article.group
    return group is not None and group.is_active and is_lead_of(user, group)


def can_edit_article(user, article: Article) -> bool:
    if not user.is_authenticated:
        return False
    if can_moderate_article(user, article):
        return True
    if article.group is not None and not article.group.is_active:
        return False
    # An author who has left the group (or, for the whole alliance, their partner) no longer
    # writes there.
    return is_author(user, article) and can_write_in(user, article.group)


def can_upload_to(user, *, group=None, event=None, article=None) -> bool:
    """Group documents: the group's members; event documents: whoever plans the event (its
    creator, the group's leads); article documents: whoever edits the article. The coordination
    office everywhere."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    if group is not None:
        return group.is_active and is_member(user, group)
    if event is not None:
        if not event_permissions.can_see(user, event):
            return False
        return event.created_by_id == user.pk or event_permissions.can_edit(user, event)
    if article is not None:
        return can_edit_article(user, article)
    return False


def can_read_private(user, document: Document) -> bool:
    """A private document: whoever it is shared with (`knowledge.access`) and the office."""
    return (user.is_authenticated and document.is_private
            and Document.objects.visible_to(user).filter(pk=document.pk).exists())


def can_add_version(user, document: Document) -> bool:
    """As uploading to the parent; a private document's versions: whoever it is shared with."""
    if document.is_private:
        return can_read_private(user, document)
    return can_upload_to(user, group=document.group, event=document.event,
                         article=document.article)


def can_delete_document(user, document: Document) -> bool:
    """The uploader (while they may still upload there), the parent group's leads and the
    coordination office; a private document: whoever it is shared with."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    if document.is_private:
        return can_read_private(user, document)
    group = document.parent_group
    if group is not None and group.is_active and is_lead_of(user, group):
        return True
    return document.created_by_id == user.pk and can_add_version(user, document)
