import pytest
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.discussions import services
from stadtallianz.discussions.models import Post, PostReport, PostRevision, Thread

pytestmark = pytest.mark.django_db
PUBLIC = Thread.Visibility.PUBLIC
MEMBERS = Thread.Visibility.MEMBERS
OUTSIDERS = [None, "citizen", "other_member", "other_lead"]
INSIDERS = ["member", "lead", "coordinator"]


def thread_urls(thread):
    post = thread.posts.first()
    kw = {"slug": thread.group.slug, "pk": thread.pk}
    pkw = {**kw, "post_pk": post.pk}
    return [reverse("discussions:thread", kwargs=kw), reverse("discussions:reply", kwargs=kw),
            reverse("discussions:pin", kwargs=kw),
            reverse("discussions:post_edit", kwargs=pkw),
            reverse("discussions:post_report", kwargs=pkw),
            reverse("discussions:post_hide", kwargs=pkw)]


@pytest.mark.parametrize("role", ["citizen", "other_member", "other_lead"])
def test_members_only_thread_is_404_for_logged_in_outsiders_everywhere(role, as_role,
                                                                       private_thread):
    """A citizen or another group's member gets 404 on every page of a members-only thread,
    for GET and POST, and the thread is not in the list."""
    client = as_role(role)
    urls = thread_urls(private_thread)
    for url in urls[:1] + urls[3:]:
        assert client.get(url).status_code == 404, url
    for url in urls:
        assert client.post(url, {"body": "x", "reason": "x", "pinned": "1"}).status_code == 404
    listing = client.get(reverse("discussions:list", kwargs={"slug": "mobilitaet"}))
    assert listing.status_code == 200 and "Interne Planung" not in listing.text
    assert not Post.objects.filter(body="x").exists() and not PostReport.objects.exists()


def test_members_only_thread_is_404_or_login_for_visitor(client, private_thread):
    """A visitor gets 404 on the thread page and the login page for every action on it."""
    urls = thread_urls(private_thread)
    assert client.get(urls[0]).status_code == 404
    for url in urls[1:]:
        response = client.post(url, {"body": "x"})
        assert response.status_code == 302 and "/login/" in response["Location"]
    listing = client.get(reverse("discussions:list", kwargs={"slug": "mobilitaet"}))
    assert "Interne Planung" not in listing.text


@pytest.mark.parametrize("role", INSIDERS)
def test_members_only_thread_readable_by_member_lead_coordinator(role, as_role,
                                                                 private_thread):
    """Members, leads and the coordinator read members-only threads and see them listed."""
    client = as_role(role)
    assert client.get(private_thread.get_absolute_url()).status_code == 200
    listing = client.get(reverse("discussions:list", kwargs={"slug": "mobilitaet"}))
    assert "Interne Planung" in listing.text


@pytest.mark.parametrize("role", OUTSIDERS + INSIDERS)
def test_public_thread_readable_by_everyone(role, as_role, public_thread):
    """Every role reads a public thread; only members, leads and coordinator see the reply form."""
    response = as_role(role).get(public_thread.get_absolute_url())
    assert response.status_code == 200 and "Wer macht mit?" in response.text
    assert ('name="body"' in response.text) == (role in INSIDERS)


@pytest.mark.parametrize("role", ["citizen", "other_member", "other_lead"])
def test_outsider_cannot_reply_to_public_thread(role, as_role, public_thread):
    """Reading is not taking part: a non-member's reply is 403 and nothing is stored."""
    response = as_role(role).post(reverse("discussions:reply",
                                          kwargs={"slug": "mobilitaet", "pk": public_thread.pk}),
                                  {"body": "Hallo"})
    assert response.status_code == 403 and public_thread.posts.count() == 1


def test_member_replies_and_empty_reply_shows_error(client_for, member, public_thread):
    """A reply is posted; an empty one returns the page with the error next to the field."""
    client = client_for(member)
    url = reverse("discussions:reply", kwargs={"slug": "mobilitaet", "pk": public_thread.pk})
    response = client.post(url, {"body": "Ich bin dabei"})
    assert response.status_code == 302 and public_thread.posts.count() == 2
    response = client.post(url, {"body": ""})
    assert response.status_code == 400 and 'id="id_body_error"' in response.text
    assert public_thread.posts.count() == 2


def test_new_thread_form(client_for, member, citizen, group):
    """A member starts a thread; a citizen gets 403; a missing title is shown at the field."""
    url = reverse("discussions:new", kwargs={"slug": "mobilitaet"})
    assert client_for(citizen).get(url).status_code == 403
    client = client_for(member)
    response = client.post(url, {"title": "", "visibility": PUBLIC, "body": "B"})
    assert response.status_code == 400 and 'id="id_title_error"' in response.text
    response = client.post(url, {"title": "Neu", "visibility": MEMBERS, "body": "**fett**"})
    thread = Thread.objects.get(title="Neu")
    assert response.status_code == 302 and thread.visibility == MEMBERS
    assert "<strong>fett</strong>" in client.get(thread.get_absolute_url()).text


def test_markdown_is_sanitised(client_for, member, group):
    """Raw HTML and scripts in a post do not survive."""
    thread = services.thread_create(group=group, title="X", visibility=PUBLIC, by=member,
                                    body="<script>alert(1)</script><img src=x onerror=alert(1)>")
    text = client_for(member).get(thread.get_absolute_url()).text
    assert "<script>alert" not in text and "<img src=x onerror" not in text
    assert "&lt;script&gt;" in text or "alert(1)" not in text


def test_edit_page_shows_history_and_only_author_edits(client_for, member, lead,
                                                       public_thread):
    """The author edits and sees the earlier versions; a lead gets 403."""
    post = public_thread.posts.get()
    url = reverse("discussions:post_edit", kwargs={"slug": "mobilitaet",
                                                   "pk": public_thread.pk, "post_pk": post.pk})
    assert client_for(lead).get(url).status_code == 403
    client = client_for(member)
    assert client.post(url, {"body": "Neue Fassung"}).status_code == 302
    assert PostRevision.objects.get().body == "Wer macht mit?"
    page = client.get(url).text
    assert "Wer macht mit?" in page and "Neue Fassung" in page


def test_hidden_post_shows_reason_to_moderators_and_placeholder_to_others(
        client_for, lead, member, citizen, coordinator, public_thread):
    """A hidden post shows who hid it and why to moderators, and only a placeholder to others."""
    post = public_thread.posts.get()
    url = reverse("discussions:post_hide", kwargs={"slug": "mobilitaet",
                                                   "pk": public_thread.pk, "post_pk": post.pk})
    assert client_for(member).post(url, {"reason": "Spam"}).status_code == 403
    response = client_for(lead).post(url, {"reason": ""})
    assert response.status_code == 400 and 'id="id_reason_error"' in response.text
    assert client_for(lead).post(url, {"reason": "Werbung"}).status_code == 302
    for user in (lead, coordinator):
        text = client_for(user).get(public_thread.get_absolute_url()).text
        assert "Lena Lead" in text and "Werbung" in text and "Wer macht mit?" in text
    for user in (member, citizen, None):
        text = client_for(user).get(public_thread.get_absolute_url()).text
        assert "Werbung" not in text and "Wer macht mit?" not in text


def test_report_and_moderation_queue(client_for, citizen, lead, member, coordinator,
                                     public_thread):
    """A citizen reports a public post; leads and the coordinator see it in the queue and
    close it; members get 403."""
    post = public_thread.posts.get()
    url = reverse("discussions:post_report", kwargs={"slug": "mobilitaet",
                                                     "pk": public_thread.pk, "post_pk": post.pk})
    assert client_for(citizen).post(url, {"reason": ""}).status_code == 400
    assert client_for(citizen).post(url, {"reason": "Falsche Fakten"}).status_code == 302
    queue = reverse("discussions:moderation", kwargs={"slug": "mobilitaet"})
    assert client_for(member).get(queue).status_code == 403
    assert "/login/" in client_for(None).get(queue)["Location"]
    for user in (lead, coordinator):
        assert "Falsche Fakten" in client_for(user).get(queue).text
    report = PostReport.objects.get()
    close = reverse("discussions:report_close", kwargs={"slug": "mobilitaet",
                                                        "report_pk": report.pk})
    assert client_for(member).post(close).status_code == 403
    assert client_for(lead).post(close).status_code == 302
    report.refresh_from_db()
    assert report.state == PostReport.State.CLOSED
    assert "Falsche Fakten" not in client_for(lead).get(queue).text


def test_pin_puts_thread_first(client_for, lead, member, group):
    """A pinned thread comes first although others are more recent; members cannot pin."""
    old = services.thread_create(group=group, title="Alt", body="b", visibility=PUBLIC,
                                 by=member)
    services.thread_create(group=group, title="Neuer", body="b", visibility=PUBLIC, by=member)
    pin = reverse("discussions:pin", kwargs={"slug": "mobilitaet", "pk": old.pk})
    assert client_for(member).post(pin, {"pinned": "1"}).status_code == 403
    assert client_for(lead).post(pin, {"pinned": "1"}).status_code == 302
    text = client_for(None).get(reverse("discussions:list", kwargs={"slug": "mobilitaet"})).text
    assert text.index("Alt") < text.index("Neuer")


def test_list_query_count_constant_and_paginated(client_for, member, group):
    """The list costs the same queries with 2 or 40 threads, and shows 20 per page."""
    client = client_for(member)
    url = reverse("discussions:list", kwargs={"slug": "mobilitaet"})
    for n in range(2):
        services.thread_create(group=group, title=f"T{n}", body="b", visibility=MEMBERS,
                               by=member)
    few = query_count(client.get, url)
    for n in range(2, 40):
        services.thread_create(group=group, title=f"T{n}", body="b", visibility=PUBLIC,
                               by=member)
    assert query_count(client.get, url) == few
    assert client.get(url).text.count('class="thread-title"') == 20
    assert client.get(url + "?page=2").text.count('class="thread-title"') == 20


def test_thread_page_query_count_constant(client_for, member, lead, public_thread):
    """The thread page's query count does not grow with the number of posts."""
    client = client_for(lead)
    few = query_count(client.get, public_thread.get_absolute_url())
    for n in range(15):
        services.post_reply(thread=public_thread, body=f"Antwort {n}", by=member)
    assert query_count(client.get, public_thread.get_absolute_url()) == few


def test_unknown_group_or_thread_is_404(client, public_thread):
    """A thread under another group's slug, or an unknown group, is 404."""
    assert client.get(reverse("discussions:list", kwargs={"slug": "nope"})).status_code == 404
    assert client.get(reverse("discussions:thread", kwargs={"slug": "andere",
                                                            "pk": public_thread.pk})
                      ).status_code == 404


def test_latest_discussions_tag_respects_visibility(rf, citizen, member, private_thread,
                                                    public_thread):
    """The group-page tag lists members-only threads to members only."""
    from django.template import Context, Template
    template = Template("{% load discussions %}{% latest_discussions group %}")
    for user, sees_private in ((citizen, False), (member, True)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "group": public_thread.group}))
        assert "Radwege am Ring" in html
        assert ("Interne Planung" in html) == sees_private


def test_thread_page_query_count_constant_for_members_only_thread(client_for, member,
                                                                  private_thread):
    """A member reading a members-only thread full of their own posts: queries stay constant."""
    client = client_for(member)
    few = query_count(client.get, private_thread.get_absolute_url())
    for n in range(15):
        services.post_reply(thread=private_thread, body=f"Antwort {n}", by=member)
    response = client.get(private_thread.get_absolute_url())
    assert response.text.count(">Bearbeiten<") == 16
    assert query_count(client.get, private_thread.get_absolute_url()) == few


def test_hidden_post_cannot_be_reported_nor_its_text_read(client_for, citizen, lead,
                                                          public_thread):
    """The report page of a hidden post is 404, so its text is not shown there."""
    post = public_thread.posts.get()
    services.post_hide(post=post, reason="Spam", by=lead)
    url = reverse("discussions:post_report", kwargs={"slug": "mobilitaet",
                                                     "pk": public_thread.pk, "post_pk": post.pk})
    response = client_for(citizen).get(url)
    assert response.status_code == 404 and "Wer macht mit?" not in response.text
    assert client_for(citizen).post(url, {"reason": "x"}).status_code == 404
    assert not PostReport.objects.exists()


def test_archived_group_threads_are_read_only(client_for, member, lead, group, public_thread):
    """In an archived group nobody starts a thread or replies; threads stay readable."""
    from stadtallianz.workinggroups.models import WorkingGroup
    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    client = client_for(member)
    assert client.get(reverse("discussions:new", kwargs={"slug": "mobilitaet"})
                      ).status_code == 403
    reply = reverse("discussions:reply", kwargs={"slug": "mobilitaet", "pk": public_thread.pk})
    assert client.post(reply, {"body": "Noch was"}).status_code == 403
    page = client.get(public_thread.get_absolute_url())
    assert page.status_code == 200 and 'name="body"' not in page.text
    assert ">Bearbeiten<" not in page.text


@pytest.mark.parametrize("state", ["requested", "invited"])
def test_pending_members_do_not_see_members_only_threads(state, make_user, client_for, group,
                                                         private_thread):
    """Someone whose request or invitation is pending is not yet a member: 404."""
    from stadtallianz.workinggroups.models import GroupMembership
    person = make_user("pending@example.org", full_name="Paula Pending")
    GroupMembership.objects.create(group=group, user=person, state=state)
    assert client_for(person).get(private_thread.get_absolute_url()).status_code == 404


def test_moderation_queue_query_count_constant(client_for, lead, citizen, member, group,
                                               public_thread):
    """The moderation queue costs the same queries with one or many open reports."""
    client = client_for(lead)
    url = reverse("discussions:moderation", kwargs={"slug": "mobilitaet"})
    services.post_report(post=public_thread.posts.get(), reason="Grund 0", by=citizen)
    few = query_count(client.get, url)
    for n in range(1, 12):
        thread = services.thread_create(group=group, title=f"T{n}", body="b",
                                        visibility=PUBLIC, by=member)
        services.post_report(post=thread.posts.get(), reason=f"Grund {n}", by=citizen)
    assert query_count(client.get, url) == few
    assert client.get(url).text.count("Grund ") == 12


def test_malformed_input_is_answered_at_the_field(client_for, member, group, public_thread):
    """A too-long title, an unknown visibility and a bad page number are handled, nothing
    is stored half-way."""
    client = client_for(member)
    url = reverse("discussions:new", kwargs={"slug": "mobilitaet"})
    response = client.post(url, {"title": "x" * 201, "visibility": "secret", "body": "b"})
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.text and 'id="id_visibility_error"' in response.text
    assert Thread.objects.count() == 1
    listing = reverse("discussions:list", kwargs={"slug": "mobilitaet"})
    assert client.get(listing + "?page=abc").status_code == 200
    assert client.get(listing + "?page=999").status_code == 200
