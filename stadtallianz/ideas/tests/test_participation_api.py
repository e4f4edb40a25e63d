"""Comments, support, follow, reports and moderation through the API: every endpoint for every
role, denied paths (401, 403, 404), bad input (422 naming the field), states (409) and query
counts of the lists."""

import pytest

from stadtallianz.accounts.models import public_name
from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import field_errors, query_count
from stadtallianz.ideas import moderation
from stadtallianz.ideas.models import Comment, Follow, Idea, IdeaReport, Support
from stadtallianz.ideas.participation import services as participation

from .participation_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
URL = "/api/v1/ideas"
ROLES = ["citizen", "partner_member", "lead", "coordinator", "author"]


@pytest.fixture
def key_for(request, token_for):
    def get(role):
        return None if role is None else token_for(request.getfixturevalue(role))

    return get


# ---------------------------------------------------------------------------------------------
# Reading comments


def test_comments_list_with_replies_names_only_for_logged_in(call, key_for, idea, citizen,  # noqa: F811
                                                            partner_member, make_comment):
    top = make_comment(idea, citizen, "Oben **fett**")
    make_comment(idea, partner_member, "Antwort", parent=top)
    newer = make_comment(idea, partner_member, "Neuer")
    answer = call("GET", f"{URL}/{idea.pk}/comments").json()
    assert answer["count"] == 2
    assert [c["id"] for c in answer["items"]] == [newer.pk, top.pk]
    first = answer["items"][1]
    assert first["author"] == public_name(citizen)
    assert first["body_html"].strip() == "<p>Oben <strong>fett</strong></p>"
    assert [r["body"] for r in first["replies"]] == ["Antwort"]
    logged_in = call("GET", f"{URL}/{idea.pk}/comments", key=key_for("citizen")).json()
    assert logged_in["items"][1]["author"] == "Clara Citizen"
    replies = call("GET", f"{URL}/comments/{top.pk}/replies").json()
    assert replies["count"] == 1 and replies["items"][0]["parent"] == top.pk


def test_comments_list_query_count_does_not_grow(call, idea, citizen, partner_member,  # noqa: F811
                                                 make_comment):
    def add(n):
        for _i in range(n):
            top = make_comment(idea, citizen)
            make_comment(idea, partner_member, parent=top)
            make_comment(idea, citizen, parent=top)

    add(2)
    few = query_count(call, "GET", f"{URL}/{idea.pk}/comments?limit=50")
    add(30)
    assert query_count(call, "GET", f"{URL}/{idea.pk}/comments?limit=50") == few


def test_hidden_comment_keeps_its_place_without_text(call, key_for, idea, citizen,  # noqa: F811
                                                     coordinator, make_comment):
    comment = make_comment(idea, citizen, "Beleidigung XYZ")
    moderation.hide_comment(comment=comment, reason="Unhöflich", by=coordinator)
    for role in (None, "citizen", "partner_member", "author"):
        item = call("GET", f"{URL}/{idea.pk}/comments", key=key_for(role)).json()["items"][0]
        assert item["hidden"] is True and item["hidden_reason"] == "Unhöflich"
        assert item["body"] is None and item["body_html"] is None
    for role in ("coordinator", "lead"):
        item = call("GET", f"{URL}/{idea.pk}/comments", key=key_for(role)).json()["items"][0]
        assert item["body"] == "Beleidigung XYZ"


def test_unknown_idea_is_404(call):  # noqa: F811
    assert call("GET", f"{URL}/999999/comments").status_code == 404
    assert call("GET", f"{URL}/comments/999999/replies").status_code == 404


# ---------------------------------------------------------------------------------------------
# Writing comments


@pytest.mark.parametrize("role", ROLES)
def test_every_confirmed_person_comments_and_replies(call, key_for, idea, role,  # noqa: F811
                                                     citizen, make_comment):
    key = key_for(role)
    response = call("POST", f"{URL}/{idea.pk}/comments", {"body": "Gute Idee"}, key=key)
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "Gute Idee" and response.json()["replies"] == []
    top = make_comment(idea, citizen)
    reply = call("POST", f"{URL}/{idea.pk}/comments", {"body": "Ja", "parent": top.pk}, key=key)
    assert reply.status_code == 201 and reply.json()["parent"] == top.pk
    idea.refresh_from_db()
    assert idea.comment_count == 3


def test_visitor_and_unconfirmed_are_refused(call, token_for, idea, unconfirmed):  # noqa: F811
    assert call("POST", f"{URL}/{idea.pk}/comments", {"body": "x"}).status_code == 401
    response = call("POST", f"{URL}/{idea.pk}/comments", {"body": "x"},
                    key=token_for(unconfirmed))
    assert response.status_code == 403 and "bestätigte" in response.json()["detail"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body, field", [({}, "body"), ({"body": ""}, "body"),
                                         ({"body": "x" * 10001}, "body"),
                                         ({"body": "a\x00b"}, "body"),
                                         ({"body": "   "}, "body"),
                                         ({"body": "x", "parent": 999999}, "parent"),
                                         ({"body": "x", "parent": "eins"}, "parent")])
def test_bad_comment_input_is_422_naming_the_field(call, key_for, idea, body, field):  # noqa: F811
    response = call("POST", f"{URL}/{idea.pk}/comments", body, key=key_for("citizen"))
    assert field_errors(response) == {field}
    assert not Comment.objects.exists()


def test_author_edits_own_comment_others_403(call, key_for, idea, citizen,  # noqa: F811
                                             make_comment):
    comment = make_comment(idea, citizen, "Alt")
    path = f"{URL}/comments/{comment.pk}"
    assert call("PATCH", path, {"body": "Neu"}).status_code == 401
    for role in ("partner_member", "lead", "coordinator"):
        assert call("PATCH", path, {"body": "Fremd"}, key=key_for(role)).status_code == 403
    assert field_errors(call("PATCH", path, {"body": ""}, key=key_for("citizen"))) == {"body"}
    response = call("PATCH", path, {"body": "Neu"}, key=key_for("citizen"))
    assert response.status_code == 200
    assert response.json()["body"] == "Neu" and response.json()["edited_at"] is not None


# ---------------------------------------------------------------------------------------------
# Support and follow


def test_support_unsupport_and_the_callers_flags(call, key_for, idea):  # noqa: F811
    key = key_for("citizen")
    state = call("GET", f"{URL}/{idea.pk}/participation", key=key).json()
    assert state == {"idea": idea.pk, "support_count": 0, "comment_count": 0,
                     "supported": False, "following": False}
    for _twice in range(2):
        answer = call("POST", f"{URL}/{idea.pk}/support", key=key)
        assert answer.status_code == 200
        assert answer.json()["supported"] is True and answer.json()["support_count"] == 1
    assert call("GET", f"{URL}/{idea.pk}/participation").json()["supported"] is False
    answer = call("DELETE", f"{URL}/{idea.pk}/support", key=key).json()
    assert answer["supported"] is False and answer["support_count"] == 0
    answer = call("POST", f"{URL}/{idea.pk}/follow", key=key).json()
    assert answer["following"] is True
    assert call("DELETE", f"{URL}/{idea.pk}/follow", key=key).json()["following"] is False
    assert not Support.objects.exists() and not Follow.objects.exists()


def test_supporting_a_decided_idea_is_409_with_the_reason(call, key_for, make_idea):  # noqa: F811
    idea = make_idea(state=Idea.State.ACCEPTED)
    response = call("POST", f"{URL}/{idea.pk}/support?lang=en", key=key_for("citizen"))
    assert response.status_code == 409
    assert "submitted or in discussion" in response.json()["detail"]


def test_support_and_follow_need_a_confirmed_account(call, token_for, idea,  # noqa: F811
                                                     unconfirmed):
    for method in ("POST", "DELETE"):
        for what in ("support", "follow"):
            assert call(method, f"{URL}/{idea.pk}/{what}").status_code == 401
    for what in ("support", "follow"):
        assert call("POST", f"{URL}/{idea.pk}/{what}",
                    key=token_for(unconfirmed)).status_code == 403


def test_session_write_needs_the_csrf_token(client_for, idea, citizen):
    from django.test import Client

    session = Client(enforce_csrf_checks=True)
    session.force_login(citizen)
    assert session.post(f"{URL}/{idea.pk}/support").status_code == 403
    assert not Support.objects.exists()


# ---------------------------------------------------------------------------------------------
# Reports and moderation


def test_report_an_idea_and_a_comment_once(call, key_for, idea, citizen,  # noqa: F811
                                           make_comment):
    comment = make_comment(idea, citizen)
    key = key_for("partner_member")
    response = call("POST", f"{URL}/{idea.pk}/report", {"reason": "Spam"}, key=key)
    assert response.status_code == 201 and response.json()["comment"] is None
    assert call("POST", f"{URL}/{idea.pk}/report", {"reason": "Spam"},
                key=key).status_code == 409
    response = call("POST", f"{URL}/comments/{comment.pk}/report", {"reason": "Böse"}, key=key)
    assert response.status_code == 201 and response.json()["comment"] == comment.pk
    assert field_errors(call("POST", f"{URL}/{idea.pk}/report", {"reason": ""},
                             key=key_for("citizen"))) == {"reason"}
    assert call("POST", f"{URL}/{idea.pk}/report", {"reason": "x"}).status_code == 401
    assert IdeaReport.objects.count() == 2


@pytest.mark.parametrize("role", [None, "citizen", "partner_member", "lead", "author"])
def test_only_the_coordination_office_moderates_ideas(call, key_for, idea, role,  # noqa: F811
                                                      citizen):
    report = moderation.report(idea=idea, reason="Spam", by=citizen)
    expected = 401 if role is None else 403
    key = key_for(role)
    assert call("GET", f"{URL}/moderation/reports", key=key).status_code == expected
    assert call("POST", f"{URL}/moderation/reports/{report.pk}/close",
                key=key).status_code == expected
    assert call("POST", f"{URL}/{idea.pk}/hide", {"reason": "x"}, key=key).status_code == expected
    assert call("POST", f"{URL}/{idea.pk}/unhide", key=key).status_code == expected
    idea.refresh_from_db()
    report.refresh_from_db()
    assert not idea.is_hidden and report.state == IdeaReport.State.OPEN


def test_coordinator_queue_hide_unhide_close(call, key_for, idea, make_idea, citizen,  # noqa: F811
                                             partner_member, make_comment):
    key = key_for("coordinator")
    comment = make_comment(idea, citizen, "Beleidigung")
    on_comment = moderation.report(idea=idea, comment=comment, reason="böse", by=partner_member)
    other = make_idea("Werbung", description="Kaufen!")
    on_idea = moderation.report(idea=other, reason="Spam", by=partner_member)
    queue = call("GET", f"{URL}/moderation/reports", key=key).json()
    assert queue["count"] == 2
    assert [(i["id"], i["content"], i["reporter"]) for i in queue["items"]] == [
        (on_comment.pk, "Beleidigung", "Max Member"), (on_idea.pk, "Kaufen!", "Max Member")]
    response = call("POST", f"{URL}/comments/{comment.pk}/hide", {"reason": "Unhöflich"}, key=key)
    assert response.status_code == 200 and response.json()["hidden"] is True
    assert call("POST", f"{URL}/comments/{comment.pk}/hide", {"reason": "x"},
                key=key).status_code == 409
    response = call("POST", f"{URL}/{other.pk}/hide", {"reason": ""}, key=key)
    assert field_errors(response) == {"reason"}
    response = call("POST", f"{URL}/{other.pk}/hide", {"reason": "Werbung"}, key=key)
    assert response.json() == {"id": other.pk, "hidden": True, "hidden_reason": "Werbung"}
    assert call("GET", f"{URL}/moderation/reports", key=key).json()["count"] == 0
    assert call("POST", f"{URL}/{other.pk}/unhide", key=key).json()["hidden"] is False
    assert call("POST", f"{URL}/comments/{comment.pk}/unhide", key=key).json()["hidden"] is False
    again = moderation.report(idea=other, reason="Spam", by=citizen)
    response = call("POST", f"{URL}/moderation/reports/{again.pk}/close", key=key)
    assert response.status_code == 200 and response.json()["state"] == "closed"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"idea.hidden", "idea.unhidden", "idea.comment.hidden", "idea.comment.unhidden",
            "idea.report.closed"} <= actions


def test_queue_query_count_does_not_grow(call, key_for, make_idea, citizen,  # noqa: F811
                                         partner_member, make_comment):
    key = key_for("coordinator")

    def add(n):
        for i in range(n):
            idea = make_idea(f"Idee {i}")
            moderation.report(idea=idea, reason="a", by=citizen)
            moderation.report(idea=idea, comment=make_comment(idea, partner_member),
                              reason="b", by=citizen)

    add(2)
    call("GET", f"{URL}/moderation/reports", key=key)  # the token's first use is written
    few = query_count(call, "GET", f"{URL}/moderation/reports", key=key)
    add(15)
    assert query_count(call, "GET", f"{URL}/moderation/reports", key=key) == few


def test_group_lead_hides_comments_of_the_groups_ideas_only(call, key_for, idea, make_idea,  # noqa: F811
                                                            citizen, make_comment):
    key = key_for("lead")
    mine = make_comment(idea, citizen)
    elsewhere = make_comment(make_idea("Ohne Gruppe"), citizen)
    assert call("POST", f"{URL}/comments/{mine.pk}/hide", {"reason": "Spam"},
                key=key).status_code == 200
    assert call("POST", f"{URL}/comments/{elsewhere.pk}/hide", {"reason": "Spam"},
                key=key).status_code == 403
    for role in ("other_lead", "member", "citizen"):
        assert call("POST", f"{URL}/comments/{elsewhere.pk}/hide", {"reason": "Spam"},
                    key=key_for(role)).status_code == 403


def test_everything_below_a_hidden_idea_is_404_for_others(call, key_for, idea, citizen,  # noqa: F811
                                                          coordinator, make_comment):
    comment = make_comment(idea, citizen)
    participation.support(idea=idea, by=citizen)
    moderation.hide_idea(idea=idea, reason="Spam", by=coordinator)
    requests = [("GET", f"{URL}/{idea.pk}/comments", None),
                ("GET", f"{URL}/{idea.pk}/participation", None),
                ("GET", f"{URL}/comments/{comment.pk}/replies", None),
                ("POST", f"{URL}/{idea.pk}/comments", {"body": "x"}),
                ("PATCH", f"{URL}/comments/{comment.pk}", {"body": "x"}),
                ("POST", f"{URL}/{idea.pk}/support", None),
                ("DELETE", f"{URL}/{idea.pk}/support", None),
                ("POST", f"{URL}/{idea.pk}/follow", None),
                ("POST", f"{URL}/{idea.pk}/report", {"reason": "x"}),
                ("POST", f"{URL}/comments/{comment.pk}/report", {"reason": "x"})]
    for role in ("citizen", "partner_member", "lead"):
        for method, path, body in requests:
            response = call(method, path, body, key=key_for(role))
            assert response.status_code == 404, (role, method, path)
    for method, path, _body in requests[:3]:
        assert call(method, path).status_code == 404
    # Its authors and the coordination office still read it, but nobody writes on it.
    for role in ("author", "coordinator"):
        assert call("GET", f"{URL}/{idea.pk}/comments", key=key_for(role)).status_code == 200
        assert call("POST", f"{URL}/{idea.pk}/comments", {"body": "x"},
                    key=key_for(role)).status_code == 403


def test_lead_of_an_archived_group_gets_no_hidden_reply_through_unhide(call, key_for, idea,  # noqa: F811
                                                                        group, citizen,
                                                                        coordinator,
                                                                        make_comment):
    from stadtallianz.workinggroups.models import WorkingGroup

    top = make_comment(idea, citizen, "Oben")
    reply = make_comment(idea, citizen, "Geheime Antwort Numbat", parent=top)
    moderation.hide_comment(comment=reply, reason="Spam", by=coordinator)
    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    key = key_for("lead")
    for path, body in ((f"comments/{reply.pk}/unhide", None),
                       (f"comments/{top.pk}/hide", {"reason": "Spam"})):
        response = call("POST", f"{URL}/{path}", body, key=key)
        assert response.status_code == 403
        assert "Numbat" not in response.content.decode()
    assert Comment.objects.get(pk=reply.pk).is_hidden
    assert not Comment.objects.get(pk=top.pk).is_hidden
