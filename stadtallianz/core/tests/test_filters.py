"""The tag filters that ideas, knowledge and projects share (core/filters.py): each list finds
an item by focus area, principle and SDG, once, and filtering costs the page no query."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.core.testing import query_count
from stadtallianz.ideas.listing import filter_ideas
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge.models import Article
from stadtallianz.knowledge.views import filter_articles
from stadtallianz.projects.models import Project, ProjectSDG
from stadtallianz.projects.queries import filter_projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    areas = list(FocusArea.objects.order_by("position")[:2])
    principles = list(Principle.objects.order_by("number")[:2])
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
    return areas, principles, goals


def _tag(item, areas, principles, goals):
    item.focus_areas.set(areas)
    item.principles.set(principles)
    if isinstance(item, Project):
        for goal in goals:
            ProjectSDG.objects.create(project=item, goal=goal)
    else:
        item.sdgs.set(goals)


@pytest.fixture
def items(citizen, tags):
    """Per list a tagged item (two of each tag, so a join would list it twice) and an
    untagged one."""
    areas, principles, goals = tags
    made = {}
    for name, make in [
        ("ideas", lambda title: Idea.objects.create(title=title, description="x",
                                                   author=citizen)),
        ("knowledge", lambda title: Article.objects.create(
            title=title, slug=title.lower(), body="x", state=Article.State.PUBLISHED,
            published_at=timezone.now())),
        ("projects", lambda title: Project.objects.create(title_de=title, slug=title.lower())),
    ]:
        tagged, untagged = make("Markiert"), make("Ohne")
        _tag(tagged, areas, principles, goals)
        made[name] = (tagged, untagged)
    return made


FILTER = {"ideas": filter_ideas, "knowledge": filter_articles, "projects": filter_projects}


def _queries(tags, name):
    """The values each list takes: ideas name a principle by number, the others by slug."""
    areas, principles, goals = tags
    principle = principles[1].number if name == "ideas" else principles[1].slug
    return [{"focus_area": areas[1].slug}, {"principle": principle},
            {"sdg": goals[1].number}, {"sdg": str(goals[1].number), "focus_area": areas[0].slug},
            {"focus_area": "", "principle": None, "sdg": None, "sort": "newest", "page": "2"}]


@pytest.mark.parametrize("name", ["ideas", "knowledge", "projects"])
def test_each_list_finds_its_tagged_item_once(items, tags, name):
    tagged, untagged = items[name]
    model = type(tagged)
    *by_tag, all_off = _queries(tags, name)
    for values in by_tag:
        found = list(FILTER[name](model.objects.all(), **values).values_list("pk", flat=True))
        assert found == [tagged.pk], values
        query = str(FILTER[name](model.objects.all(), **values).query).upper()
        assert "DISTINCT" not in query
    # Empty values are off; keys that are not filters (sort, page) are ignored.
    assert set(FILTER[name](model.objects.all(), **all_off)) == {tagged, untagged}
    assert not FILTER[name](model.objects.all(), focus_area="unbekannt").exists()


@pytest.mark.parametrize("name", ["ideas", "knowledge", "projects"])
def test_filtering_a_list_page_costs_no_query(client, items, tags, name):
    """The tag filters are subqueries of the page's one list query."""
    url = reverse(f"{name}:list")
    areas, principles, goals = tags
    principle = principles[1].number if name == "ideas" else principles[1].slug
    plain = query_count(client.get, url)
    filtered = query_count(client.get, url, {"focus_area": areas[1].slug,
                                             "principle": principle, "sdg": goals[1].number})
    assert filtered == plain
    response = client.get(url, {"focus_area": areas[1].slug, "principle": principle,
                                "sdg": goals[1].number})
    page = response.content.decode()
    assert "Markiert" in page and "Ohne" not in page
