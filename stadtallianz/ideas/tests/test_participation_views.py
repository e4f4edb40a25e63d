"""The participation part of the idea page and its forms, per role: with and without htmx,
denied paths, bad input, and a query count that does not grow with the comments."""

import pytest
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.ideas import moderation
from stadtallianz.ideas.models import Comment, Follow, Idea, IdeaReport, Support
from stadtallianz.ideas.participation import services as participation

from .participation_fixtures import *  # noqa: F403

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"ideas:{name}", kwargs=kwargs)


def detail(idea):
    return idea.get_absolute_url()


# ---------------------------------------------------------------------------------------------
# The idea page


def test_visitor_reads_comments_without_names_and_is_asked_to_log_in(client, idea, citizen,
                                                                      make_comment):
    top = make_comment(idea, citizen, "Ein **guter** Vorschlag")
    make_comment(idea, citizen, "Eine Antwort", parent=top)
    page = client.get(detail(idea)).content.decode()
    assert "<strong>guter</strong>" in page and "Eine Antwort" in page
    assert "Clara Citizen" not in page
    assert "2 Kommentare" in page
    assert "/login/?next=" in page
    assert f'action="{url("comment_create", pk=idea.pk)}"' not in page
    assert url("support", pk=idea.pk) not in page


def test_citizen_sees_the_forms_and_names(as_user, idea, citizen, make_comment):
    make_comment(idea, citizen, "Mein Kommentar")
    page = as_user(citizen).get(detail(idea)).content.decode()
    for name in ("comment_create", "support", "follow", "report"):
        assert url(name, pk=idea.pk) in page
    assert "Clara Citizen" in page
    assert url("hide", pk=idea.pk) not in page and url("moderation") not in page


def test_unconfirmed_person_is_told_to_confirm(as_user, idea, unconfirmed):
    page = as_user(unconfirmed).get(detail(idea)).content.decode()
    assert url("support", pk=idea.pk) not in page
    assert url("comment_create", pk=idea.pk) not in page


def test_markdown_is_sanitised(as_user, idea, citizen):
    as_user(citizen).post(url("comment_create", pk=idea.pk),
                          {"body": "<script>alert(1)</script> [x](javascript:alert(2))"})
    page = as_user(citizen).get(detail(idea)).content.decode()
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page
    assert 'href="javascript' not in page


def test_hidden_comment_shows_the_reason_in_its_place(as_user, client, idea, citizen, lead,
                                                      coordinator, partner_member,
                                                      make_comment):
    comment = make_comment(idea, citizen, "Böser Text")
    make_comment(idea, partner_member, "Antwort bleibt", parent=comment)
    moderation.hide_comment(comment=comment, reason="Beleidigung", by=coordinator)
    for viewer in (client, as_user(citizen), as_user(partner_member)):
        page = viewer.get(detail(idea)).content.decode()
        assert "Böser Text" not in page and "Beleidigung" in page
        assert "Antwort bleibt" in page
    for moderator in (lead, coordinator):
        page = as_user(moderator).get(detail(idea)).content.decode()
        assert "Böser Text" in page
        assert url("comment_unhide", pk=idea.pk, comment_pk=comment.pk) in page


def test_comments_are_paginated_and_the_page_query_count_does_not_grow(
        as_user, idea, citizen, partner_member, make_comment):
    viewer = as_user(partner_member)

    def add(n):
        for i in range(n):
            top = make_comment(idea, citizen, f"Kommentar {i}")
            make_comment(idea, partner_member, f"Antwort {i}", parent=top)

    add(3)
    few = query_count(viewer.get, detail(idea))
    add(40)
    many = query_count(viewer.get, detail(idea))
    assert many == few
    first = viewer.get(detail(idea)).content.decode()
    assert "Kommentar 39" in first and "Kommentar 0<" not in first
    assert "?page=2" in first
    last = viewer.get(detail(idea) + "?page=3").content.decode()
    assert "Kommentar 0<" in last and "Antwort 0<" in last


def test_detail_context_query_count_is_constant(rf, idea, citizen, make_comment, lead):
    from django.contrib.auth.models import AnonymousUser

    def context_for(user):
        request = rf.get(detail(idea))
        request.user = user

        def run():
            ctx = participation.detail_context(request, idea)["participation"]
            list(ctx["page"])

        return query_count(run)

    for _i in range(5):
        make_comment(idea, citizen, "x", parent=make_comment(idea, lead))
    # count, comments, replies; plus the moderator check and one for supported, following and
    # whether the person is a co-author (the authors do not support their own idea)
    assert context_for(AnonymousUser()) == 3
    assert context_for(citizen) == 5


# ---------------------------------------------------------------------------------------------
# Comment forms


def test_comment_without_javascript(as_user, idea, citizen, author):
    response = as_user(citizen).post(url("comment_create", pk=idea.pk), {"body": "Prima"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == detail(idea) + f"#comment-{comment.pk}"
    idea.refresh_from_db()
    assert idea.comment_count == 1


def test_comment_with_htmx_returns_the_comments_part(as_user, idea, citizen):
    response = as_user(citizen).post(url("comment_create", pk=idea.pk), {"body": "Mit htmx"},
                                     **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="idea-comments"' in page
    assert "Mit htmx" in page and "<html" not in page and 'role="status"' in page


def test_reply_without_javascript(as_user, idea, citizen, partner_member, make_comment):
    top = make_comment(idea, citizen)
    as_user(partner_member).post(url("comment_create", pk=idea.pk),
                                 {"body": "Antwort", "parent": top.pk})
    assert Comment.objects.get(body="Antwort").parent == top


def test_empty_comment_shows_the_error_next_to_the_field(as_user, idea, citizen):
    response = as_user(citizen).post(url("comment_create", pk=idea.pk), {"body": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_body_error"' in page and 'aria-invalid="true"' in page
    response = as_user(citizen).post(url("comment_create", pk=idea.pk), {"body": " "}, **HTMX)
    assert 'id="id_body_error"' in response.content.decode()
    assert not Comment.objects.exists()


def test_reply_to_an_unknown_comment_is_an_error(as_user, idea, make_idea, citizen,
                                                  make_comment):
    elsewhere = make_comment(make_idea("Andere"), citizen)
    response = as_user(citizen).post(url("comment_create", pk=idea.pk),
                                     {"body": "x", "parent": elsewhere.pk})
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_visitor_is_sent_to_log_in_and_unconfirmed_refused(client, as_user, idea, unconfirmed):
    response = client.post(url("comment_create", pk=idea.pk), {"body": "x"})
    assert response.status_code == 302 and "login" in response.url
    assert as_user(unconfirmed).post(url("comment_create", pk=idea.pk),
                                     {"body": "x"}).status_code == 403
    assert client.get(url("comment_create", pk=idea.pk)).status_code == 302
    assert not Comment.objects.exists()


def test_author_edits_a_comment_and_it_shows_as_edited(as_user, idea, citizen, make_comment):
    comment = make_comment(idea, citizen, "Alt")
    edit = url("comment_edit", pk=idea.pk, comment_pk=comment.pk)
    assert as_user(citizen).get(edit).status_code == 200
    assert as_user(citizen).post(edit, {"body": ""}).status_code == 400
    response = as_user(citizen).post(edit, {"body": "Neu"})
    assert response.status_code == 302
    page = as_user(citizen).get(detail(idea)).content.decode()
    assert "Neu" in page and "(bearbeitet" in page


@pytest.mark.parametrize("role", ["partner_member", "lead", "coordinator"])
def test_others_do_not_edit_a_comment(as_user, request, idea, citizen, make_comment, role):
    comment = make_comment(idea, citizen, "Alt")
    edit = url("comment_edit", pk=idea.pk, comment_pk=comment.pk)
    viewer = as_user(request.getfixturevalue(role))
    assert viewer.get(edit).status_code == 403
    assert viewer.post(edit, {"body": "Fremd"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Alt"


def test_comment_of_another_idea_is_not_found(as_user, idea, make_idea, citizen, make_comment):
    other = make_comment(make_idea("Andere"), citizen)
    assert as_user(citizen).get(url("comment_edit", pk=idea.pk,
                                    comment_pk=other.pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Support and follow


def test_support_and_withdraw_without_javascript(as_user, idea, citizen):
    viewer = as_user(citizen)
    response = viewer.post(url("support", pk=idea.pk))
    assert response.status_code == 302 and response.url == detail(idea) + "#participation"
    idea.refresh_from_db()
    assert idea.support_count == 1
    page = viewer.get(detail(idea)).content.decode()
    assert url("unsupport", pk=idea.pk) in page and "1 Unterstützung" in page
    viewer.post(url("unsupport", pk=idea.pk))
    idea.refresh_from_db()
    assert idea.support_count == 0 and not Support.objects.exists()


def test_support_with_htmx_swaps_the_buttons(as_user, idea, citizen):
    response = as_user(citizen).post(url("support", pk=idea.pk), **HTMX)
    page = response.content.decode()
    assert 'id="idea-participation-actions"' in page and "<html" not in page
    assert url("unsupport", pk=idea.pk) in page and 'role="status"' in page


def test_supporting_a_declined_idea_explains_why_not(as_user, make_idea, citizen):
    idea = make_idea(state=Idea.State.DECLINED)
    viewer = as_user(citizen)
    assert url("support", pk=idea.pk) not in viewer.get(detail(idea)).content.decode()
    response = viewer.post(url("support", pk=idea.pk), follow=True)
    assert "eingereicht oder in Diskussion" in response.content.decode()
    response = viewer.post(url("support", pk=idea.pk), **HTMX)
    assert 'role="status"' in response.content.decode()
    assert not Support.objects.exists()


def test_support_is_a_post(as_user, idea, citizen):
    assert as_user(citizen).get(url("support", pk=idea.pk)).status_code == 405


def test_follow_and_unfollow(as_user, idea, citizen):
    viewer = as_user(citizen)
    viewer.post(url("follow", pk=idea.pk))
    assert Follow.objects.filter(user=citizen).exists()
    assert url("unfollow", pk=idea.pk) in viewer.get(detail(idea)).content.decode()
    viewer.post(url("unfollow", pk=idea.pk), **HTMX)
    assert not Follow.objects.exists()


@pytest.mark.parametrize("name", ["support", "unsupport", "follow", "unfollow"])
def test_visitor_and_unconfirmed_do_not_support_or_follow(client, as_user, idea, unconfirmed,
                                                          name):
    response = client.post(url(name, pk=idea.pk))
    assert response.status_code == 302 and "login" in response.url
    if name in ("support", "follow"):
        assert as_user(unconfirmed).post(url(name, pk=idea.pk)).status_code == 403
    assert not Support.objects.exists() and not Follow.objects.exists()


# ---------------------------------------------------------------------------------------------
# Reports and moderation pages


def test_report_an_idea_and_a_comment(as_user, idea, citizen, partner_member, make_comment):
    comment = make_comment(idea, citizen, "Werbetext")
    viewer = as_user(partner_member)
    assert viewer.get(url("report", pk=idea.pk)).status_code == 200
    assert viewer.post(url("report", pk=idea.pk), {"reason": ""}).status_code == 400
    assert viewer.post(url("report", pk=idea.pk), {"reason": "Spam"}).status_code == 302
    page = url("comment_report", pk=idea.pk, comment_pk=comment.pk)
    assert "Werbetext" in viewer.get(page).content.decode()
    assert viewer.post(page, {"reason": "Werbung"}).status_code == 302
    again = viewer.post(page, {"reason": "Nochmal"})
    assert again.status_code == 400 and "bereits gemeldet" in again.content.decode()
    assert IdeaReport.objects.count() == 2


def test_hidden_comment_has_no_report_page(as_user, idea, citizen, coordinator, make_comment):
    comment = make_comment(idea, coordinator, "Geheim")
    moderation.hide_comment(comment=comment, reason="x", by=coordinator)
    page = url("comment_report", pk=idea.pk, comment_pk=comment.pk)
    assert as_user(citizen).get(page).status_code == 404


def test_visitor_is_sent_to_log_in_to_report(client, idea):
    response = client.get(url("report", pk=idea.pk))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("role", ["citizen", "partner_member", "lead", "author"])
def test_only_the_coordination_office_sees_the_queue(as_user, request, role):
    assert as_user(request.getfixturevalue(role)).get(url("moderation")).status_code == 403


def test_visitor_is_sent_to_log_in_for_the_queue(client):
    response = client.get(url("moderation"))
    assert response.status_code == 302 and "login" in response.url


def test_coordinator_works_through_the_queue(as_user, idea, make_idea, citizen,
                                             partner_member, coordinator, make_comment):
    comment = make_comment(idea, citizen, "Böser *Kommentar*")
    other = make_idea("Werbeidee", description="Kaufen Sie **jetzt**")
    on_comment = moderation.report(idea=idea, comment=comment, reason="Beleidigend",
                                   by=partner_member)
    on_idea = moderation.report(idea=other, reason="Werbung", by=partner_member)
    viewer = as_user(coordinator)
    page = viewer.get(url("moderation")).content.decode()
    assert "Böser <em>Kommentar</em>" in page and "Kaufen Sie <strong>jetzt</strong>" in page
    assert "Beleidigend" in page and "Werbung" in page and "Max Member" in page
    hide = url("comment_hide", pk=idea.pk, comment_pk=comment.pk)
    assert viewer.post(hide, {"reason": "", "next": "queue"}).status_code == 400
    response = viewer.post(hide, {"reason": "Beleidigung", "next": "queue"})
    assert response.status_code == 302 and response.url == url("moderation")
    response = viewer.post(url("report_close", report_pk=on_idea.pk))
    assert response.status_code == 302
    for report in (on_comment, on_idea):
        report.refresh_from_db()
        assert report.state == IdeaReport.State.CLOSED
    assert "Beleidigend" not in viewer.get(url("moderation")).content.decode()


def test_queue_query_count_does_not_grow(as_user, idea, make_idea, citizen, coordinator,
                                         partner_member, make_comment):
    viewer = as_user(coordinator)

    def add(n):
        for i in range(n):
            other = make_idea(f"Idee {i}")
            moderation.report(idea=other, reason="a", by=citizen)
            moderation.report(idea=other, comment=make_comment(other, partner_member),
                              reason="b", by=citizen)

    add(2)
    few = query_count(viewer.get, url("moderation"))
    add(15)
    assert query_count(viewer.get, url("moderation")) == few


def test_coordinator_hides_and_unhides_an_idea(as_user, client, idea, coordinator):
    viewer = as_user(coordinator)
    assert viewer.get(url("hide", pk=idea.pk)).status_code == 200
    assert viewer.post(url("hide", pk=idea.pk), {"reason": ""}).status_code == 400
    response = viewer.post(url("hide", pk=idea.pk), {"reason": "Werbung"})
    assert response.status_code == 302
    assert client.get(detail(idea)).status_code == 404
    assert "Werbung" in viewer.get(detail(idea)).content.decode()
    viewer.post(url("unhide", pk=idea.pk))
    assert client.get(detail(idea)).status_code == 200


@pytest.mark.parametrize("role", ["citizen", "partner_member", "lead", "author"])
def test_others_do_not_hide_ideas(as_user, request, idea, role):
    viewer = as_user(request.getfixturevalue(role))
    assert viewer.get(url("hide", pk=idea.pk)).status_code == 403
    assert viewer.post(url("hide", pk=idea.pk), {"reason": "x"}).status_code == 403
    assert viewer.post(url("unhide", pk=idea.pk)).status_code == 403
    idea.refresh_from_db()
    assert not idea.is_hidden


def test_lead_of_the_group_hides_and_unhides_a_comment(as_user, idea, lead, citizen,
                                                       make_comment):
    comment = make_comment(idea, citizen)
    viewer = as_user(lead)
    hide = url("comment_hide", pk=idea.pk, comment_pk=comment.pk)
    assert viewer.post(hide, {"reason": "Spam"}).status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden
    viewer.post(url("comment_unhide", pk=idea.pk, comment_pk=comment.pk))
    comment.refresh_from_db()
    assert not comment.is_hidden


@pytest.mark.parametrize("role", ["citizen", "partner_member", "member", "other_lead"])
def test_others_do_not_hide_comments(as_user, request, idea, role, citizen, make_comment):
    comment = make_comment(idea, citizen)
    viewer = as_user(request.getfixturevalue(role))
    hide = url("comment_hide", pk=idea.pk, comment_pk=comment.pk)
    assert viewer.get(hide).status_code == 403
    assert viewer.post(hide, {"reason": "x"}).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_everything_below_a_hidden_idea_is_not_found_for_others(as_user, client, idea,
                                                                citizen, coordinator,
                                                                make_comment):
    comment = make_comment(idea, citizen)
    moderation.hide_idea(idea=idea, reason="Spam", by=coordinator)
    viewer = as_user(citizen)
    for name in ("comment_create", "support", "unsupport", "follow", "unfollow"):
        assert viewer.post(url(name, pk=idea.pk), {"body": "x"}).status_code == 404
    assert viewer.get(url("report", pk=idea.pk)).status_code == 404
    for name in ("comment_edit", "comment_report", "comment_hide"):
        assert viewer.get(url(name, pk=idea.pk, comment_pk=comment.pk)).status_code == 404
    assert Comment.objects.count() == 1
