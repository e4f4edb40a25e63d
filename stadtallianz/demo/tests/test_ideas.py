from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from stadtallianz.ideas.models import CoAuthor, Comment, Idea, IdeaVersion, Support
from stadtallianz.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def test_demo_writes_ideas_in_every_state_once():
    call_command("demo", stdout=StringIO())
    ideas = Idea.objects.all()
    assert ideas.count() >= 55
    assert {idea.state for idea in ideas} == set(Idea.State.values)
    assert ideas.filter(latitude__isnull=False).count() >= 20
    assert CoAuthor.objects.filter(state=CoAuthor.State.ACCEPTED).exists()
    assert IdeaVersion.objects.filter(number=2).exists()
    assert Comment.objects.filter(parent__isnull=False).exists() and Support.objects.exists()
    for idea in ideas.annotate(supports_n=Count("supports", distinct=True),
                               comments_n=Count("comments", distinct=True,
                                                filter=Q(comments__hidden_at=None))):
        assert idea.support_count == idea.supports_n and idea.comment_count == idea.comments_n
        assert idea.versions.filter(number=idea.version).exists()
    for idea in ideas.filter(state=Idea.State.ACCEPTED):
        assert idea.project.title_de == idea.title
    assert all(idea.state_reason for idea in ideas.filter(state=Idea.State.DECLINED))
    assert all(idea.merged_into_id for idea in ideas.filter(state=Idea.State.MERGED))
    assert SearchEntry.objects.filter(type=SearchEntry.Type.IDEA).count() == ideas.count()
    # Visitors read a conversation between named people: every author and commenter has a
    # display name of their own, and no full name stands in for one.
    people = {idea.author for idea in ideas} | {c.author for c in Comment.objects.all()}
    names = [person.display_name for person in people]
    assert all(names) and len({name.casefold() for name in names}) == len(names)
    assert not any(person.display_name == person.full_name for person in people)
    count = ideas.count()
    call_command("demo", stdout=StringIO())
    assert Idea.objects.count() == count
