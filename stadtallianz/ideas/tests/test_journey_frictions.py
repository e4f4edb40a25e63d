"""Issue 14, the idea flow without friction: the authors do not support their own idea (service,
page and API); "accepted" is offered wherever the state page promises it (one rule for the
select, the page's text, the idea page's button and the service); the idea an idea is merged
into is found by its title (search field and radio buttons, without script and with htmx)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.testing import query_count
from stadtallianz.ideas import services
from stadtallianz.ideas.models import CoAuthor, Idea, Support
from stadtallianz.ideas.participation import services as participation

from .participation_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
S = Idea.State
URL = "/api/v1/ideas"


# ---------------------------------------------------------------------------------------------
# Supporting one's own idea


def test_the_author_and_co_authors_cannot_support_their_idea(idea, author, citizen, make_user):
    coauthor = make_user("co@example.org", full_name="Cora Co")
    CoAuthor.objects.create(idea=idea, user=coauthor, email=coauthor.email,
                            state=CoAuthor.State.ACCEPTED, accepted_at=timezone.now())
    for person in (author, coauthor):
        with pytest.raises(PermissionDenied) as error:
            participation.support(idea=idea, by=person)
        assert "eigene Idee" in str(error.value)
    assert participation.support(idea=idea, by=citizen) is True
    idea.refresh_from_db()
    assert idea.support_count == 1 and list(Support.objects.values_list("user", flat=True)) == [
        citizen.pk]


def test_the_page_hides_the_support_button_from_the_author(client_for, idea, author, citizen):
    support_url = reverse("ideas:support", kwargs={"pk": idea.pk})
    own = client_for(author).get(idea.get_absolute_url()).content.decode()
    assert support_url not in own
    assert "Das ist Ihre Idee" in own
    other = client_for(citizen).get(idea.get_absolute_url()).content.decode()
    assert support_url in other and "Das ist Ihre Idee" not in other
    # A forged form post is refused as well.
    assert client_for(author).post(support_url).status_code == 403
    assert not Support.objects.exists()


def test_the_api_refuses_the_authors_support_with_403_and_says_why(call, token_for, idea,
                                                                    author, citizen):
    response = call("POST", f"{URL}/{idea.pk}/support?lang=en", key=token_for(author))
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot support your own idea: supports show that "
                                         "other people want it."}
    assert call("POST", f"{URL}/{idea.pk}/support", key=token_for(citizen)).status_code == 200


# ---------------------------------------------------------------------------------------------
# The decision options: one rule


@pytest.mark.parametrize("state, options", [
    (S.SUBMITTED, [S.DISCUSSION, S.DECLINED, S.MERGED]),
    (S.DISCUSSION, [S.ACCEPTED, S.DECLINED, S.MERGED]),
    (S.ACCEPTED, []), (S.DECLINED, []), (S.MERGED, [])])
def test_decision_options_are_the_transitions(make_idea, state, options):
    assert [value for value, _label in services.decision_options(make_idea(state=state))] == [
        str(option) for option in options]


def test_the_state_page_promises_accepting_only_where_it_can_be_chosen(client_for, make_idea,
                                                                        coordinator):
    client = client_for(coordinator)
    for state, offered in [(S.SUBMITTED, False), (S.DISCUSSION, True)]:
        idea = make_idea(f"Idee {state}", state=state)
        response = client.get(reverse("ideas:state", kwargs={"pk": idea.pk}))
        choices = [value for value, _label in response.context["form"].fields["state"].choices]
        page = response.content.decode()
        assert ("accepted" in choices) is offered
        assert ("Die Annahme macht die Idee zu einem Projekt." in page) is offered
        assert ("erst in die Diskussion" in page) is not offered
        assert choices[0] == ""  # a prompt, not the first state preselected
    # Where it is offered, choosing it works (and makes a project).
    response = client.post(reverse("ideas:state", kwargs={"pk": idea.pk}), {"state": "accepted"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == S.ACCEPTED


def test_the_idea_page_offers_the_decision_only_while_there_is_one(client_for, make_idea,
                                                                    coordinator):
    client = client_for(coordinator)
    open_idea, decided = make_idea("Offen"), make_idea("Entschieden", state=S.DECLINED)
    assert reverse("ideas:state", kwargs={"pk": open_idea.pk}) in client.get(
        open_idea.get_absolute_url()).content.decode()
    assert reverse("ideas:state", kwargs={"pk": decided.pk}) not in client.get(
        decided.get_absolute_url()).content.decode()


# ---------------------------------------------------------------------------------------------
# Merging: the target found by its title


@pytest.fixture
def targets(make_idea):
    hidden = make_idea("Radweg Ring (versteckt)", hidden_at=timezone.now())
    merged = make_idea("Radweg Kanal (zusammengeführt)", state=S.MERGED)
    return {"ring": make_idea("Radweg am Ring"), "kanal": make_idea("Radweg am Kanal"),
            "bank": make_idea("Sitzbänke am Hafen"), "hidden": hidden, "merged": merged}


def test_the_search_finds_only_ideas_one_may_merge_into(idea, targets):
    found = services.search_merge_targets(idea, "radweg")
    assert {i.pk for i in found} == {targets["ring"].pk, targets["kanal"].pk}
    assert idea not in found  # "Radweg an der Promenade" itself
    assert [i.pk for i in services.search_merge_targets(idea, "radweg ring")] == [
        targets["ring"].pk]
    assert [i.pk for i in services.search_merge_targets(idea, f"#{targets['bank'].pk}")] == [
        targets["bank"].pk]
    assert services.search_merge_targets(idea, str(targets["hidden"].pk)) == []
    assert services.search_merge_targets(idea, "  ") == []


def test_merging_without_script_search_then_choose(client_for, idea, lead, targets):
    url = reverse("ideas:state", kwargs={"pk": idea.pk})
    client = client_for(lead)
    # The search button: the results as radio buttons, nothing changed, no error shown.
    response = client.post(url, {"state": "merged", "merge_search": "Radweg", "search": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "form-error-summary" not in page
    assert f'name="merged_into" value="{targets["ring"].pk}"' in page
    assert f'value="{targets["kanal"].pk}"' in page
    assert "(versteckt)" not in page and "(zusammengeführt)" not in page
    idea.refresh_from_db()
    assert idea.state == S.DISCUSSION
    # Merged without choosing: the error is at the results.
    response = client.post(url, {"state": "merged", "merge_search": "Radweg"})
    assert response.status_code == 400 and "merged_into" in response.context["form"].errors
    # An idea that may not be chosen (hidden), even when its number is sent.
    response = client.post(url, {"state": "merged", "merge_search": "Radweg",
                                 "merged_into": str(targets["hidden"].pk)})
    assert response.status_code == 400 and "merged_into" in response.context["form"].errors
    response = client.post(url, {"state": "merged", "merge_search": "Radweg",
                                 "merged_into": str(targets["kanal"].pk)})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == S.MERGED and idea.merged_into == targets["kanal"]


def test_merging_with_htmx_search_answers_the_results_only(client_for, idea, lead, targets):
    url = reverse("ideas:state", kwargs={"pk": idea.pk})
    client = client_for(lead)
    response = client.get(url, {"merge_search": "Hafen"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="merge-results"')
    assert "Sitzbänke am Hafen" in body and "Radweg" not in body
    assert "<html" not in body
    empty = client.get(url, {"merge_search": "Seilbahn"}, headers={"HX-Request": "true"})
    assert "Keine Idee" in empty.content.decode()
    # The page has the search field wired for htmx and the button for a search without it.
    page = client.get(url).content.decode()
    assert 'hx-get="' + url + '"' in page and 'name="search"' in page


def test_the_search_takes_as_many_queries_however_many_results(client_for, idea, lead,
                                                               make_idea):
    url = reverse("ideas:state", kwargs={"pk": idea.pk})
    client = client_for(lead)
    make_idea("Radweg 1")

    def search():
        client.get(url, {"merge_search": "Radweg"}, headers={"HX-Request": "true"})

    few = query_count(search)
    for n in range(2, 9):
        make_idea(f"Radweg {n}")
    assert query_count(search) == few


def test_the_api_still_merges_by_number_and_refuses_what_cannot_be_chosen(call, token_for, idea,
                                                                          coordinator, targets):
    key = token_for(coordinator)
    response = call("POST", f"{URL}/{idea.pk}/state",
                    {"state": "merged", "merged_into": targets["merged"].pk}, key=key)
    assert response.status_code == 422
    response = call("POST", f"{URL}/{idea.pk}/state",
                    {"state": "merged", "merged_into": targets["ring"].pk}, key=key)
    assert response.status_code == 200 and response.json()["merged_into"] == targets["ring"].pk


def test_digits_int_cannot_read_are_no_500(client_for, idea, lead, targets):
    # "²" is a digit to str.isdigit() but not a number to int(): no result, not a crash.
    assert services.search_merge_targets(idea, "²") == []
    url = reverse("ideas:state", kwargs={"pk": idea.pk})
    response = client_for(lead).post(url, {"state": "merged", "merge_search": "Radweg",
                                           "merged_into": "²"})
    assert response.status_code == 400 and "merged_into" in response.context["form"].errors
    versions = reverse("ideas:versions", kwargs={"pk": idea.pk})
    assert client_for(lead).get(versions, {"to": "²", "from": "²"}).status_code == 200
