import pytest

from stadtallianz.accounts.models import ApiToken, public_name
from stadtallianz.core.testing import query_count
from stadtallianz.discussions import services
from stadtallianz.discussions.models import Thread

pytestmark = pytest.mark.django_db
THREADS = "/api/v1/discussions/groups/mobilitaet/threads"


@pytest.mark.parametrize("role,sees_private", [
    (None, False), ("citizen", False), ("other_member", False), ("other_lead", False),
    ("member", True), ("lead", True), ("coordinator", True)])
def test_thread_list_and_detail_respect_visibility(role, sees_private, as_role,
                                                   public_thread, private_thread):
    """Each role lists public threads; members-only ones (list, detail, posts) only members,
    leads and the coordinator, for everyone else they are 404."""
    client = as_role(role)
    titles = [t["title"] for t in client.get(THREADS).json()["items"]]
    assert "Radwege am Ring" in titles
    assert ("Interne Planung" in titles) == sees_private
    for url in (f"/api/v1/discussions/threads/{private_thread.pk}",
                f"/api/v1/discussions/threads/{private_thread.pk}/posts"):
        assert client.get(url).status_code == (200 if sees_private else 404)
    assert client.get(f"/api/v1/discussions/threads/{public_thread.pk}").status_code == 200


def test_bearer_token_member_sees_members_only_thread(client, member, private_thread):
    """A member calling with a personal token reads the members-only thread."""
    _token, key = ApiToken.issue(user=member, name="t")
    response = client.get(f"/api/v1/discussions/threads/{private_thread.pk}/posts",
                          headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_posts_hide_text_of_hidden_post_and_names_from_visitors(client, client_for, lead,
                                                                public_thread):
    """A hidden post has no text in the API; visitors get public display names, logged-in
    callers names."""
    post = public_thread.posts.get()
    services.post_reply(thread=public_thread, body="**Zweite**", by=lead)
    services.post_hide(post=post, reason="Spam", by=lead)
    items = client.get(f"/api/v1/discussions/threads/{public_thread.pk}/posts").json()["items"]
    assert items[0]["hidden"] and items[0]["body"] is None and items[0]["body_html"] is None
    assert items[1]["body_html"].strip() == "<p><strong>Zweite</strong></p>"
    assert [item["author"] for item in items] == [public_name(post.author), public_name(lead)]
    items = client_for(lead).get(
        f"/api/v1/discussions/threads/{public_thread.pk}/posts").json()["items"]
    assert items[1]["author"] == "Lena Lead"


def test_unknown_group_or_thread_is_404(client):
    """Unknown group and unknown thread are 404."""
    assert client.get("/api/v1/discussions/groups/nope/threads").status_code == 404
    assert client.get("/api/v1/discussions/threads/999").status_code == 404


def test_list_and_posts_query_count_constant(client_for, member, group, public_thread):
    """The API lists cost the same queries with few or many threads and posts."""
    client = client_for(member)
    posts = f"/api/v1/discussions/threads/{public_thread.pk}/posts"
    few_threads, few_posts = query_count(client.get, THREADS), query_count(client.get, posts)
    for n in range(25):
        services.thread_create(group=group, title=f"T{n}", body="b",
                               visibility=Thread.Visibility.MEMBERS, by=member)
        services.post_reply(thread=public_thread, body=f"A{n}", by=member)
    assert query_count(client.get, THREADS) == few_threads
    assert query_count(client.get, posts) == few_posts
    page = client.get(THREADS + "?limit=10&offset=20").json()
    assert page["count"] == 26 and len(page["items"]) == 6
