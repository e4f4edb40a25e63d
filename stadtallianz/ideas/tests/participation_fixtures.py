"""People and ideas of the participation tests (comments, support, follow, moderation).

Imported by those test modules with `from .participation_fixtures import *  # noqa: F403`, so
they do not depend on the rest of the app's conftest. The people: `citizen`, `partner_member`,
`coordinator` (root conftest), `lead` and `member` of `group` (working groups' fixtures), and
`author`, who wrote `idea` (in the group, in discussion).
"""

import pytest

from stadtallianz.ideas.models import Comment, Idea
from stadtallianz.workinggroups.tests import fixtures as group_fixtures
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403

__all__ = [*group_fixtures.__all__, "author", "make_idea", "idea", "make_comment", "unconfirmed",
           "as_user"]


@pytest.fixture
def author(make_user):
    return make_user("author@example.org", full_name="Ada Author")


@pytest.fixture
def unconfirmed(make_user):
    """Registered, but the e-mail address is not confirmed yet."""
    return make_user("unconfirmed@example.org", full_name="Udo Unconfirmed",
                     email_confirmed_at=None)


@pytest.fixture
def make_idea(db, author):
    def make(title="Radweg an der Promenade", *, by=None, **fields):
        fields.setdefault("state", Idea.State.DISCUSSION)
        return Idea.objects.create(title=title, description=fields.pop(
            "description", "Ein **sicherer** Radweg."), author=by or author, **fields)

    return make


@pytest.fixture
def idea(make_idea, group):
    return make_idea(working_group=group)


@pytest.fixture
def make_comment(db):
    """A comment written directly (no notifications, counter kept as the service does)."""
    from django.db.models import F

    def make(idea, by, body="Gute Idee!", parent=None, **fields):
        comment = Comment.objects.create(idea=idea, author=by, body=body, parent=parent,
                                         **fields)
        if comment.hidden_at is None:
            Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        return comment

    return make


@pytest.fixture
def as_user(client_for):
    return client_for
