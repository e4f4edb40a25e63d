"""The lab's rejected device messages on its token page (sensorthings/deadletters.py): shown to
those who manage the lab's tokens, escaped, the newest 50, never another lab's; nobody else sees
them (a visitor is sent to log in, a member of the operator, a citizen and another organisation's
admin get 403)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings import deadletters
from stadtallianz.sensorthings.models import RejectedMessage

pytestmark = pytest.mark.django_db

HOSTILE = b'{"result": "<script>alert(1)</script>\\ud800", "x": "\x00\xff"}'


def _reject(datastream, payload=HOSTILE, reason="The message is refused (limit: characters).",
            age=timedelta(0), times=1):
    deadletters.record([deadletters.Rejection(
        topic=f"ingest/v1.1/Datastreams({datastream.pk})/Observations", payload=payload,
        reason=reason, datastream_id=datastream.pk, received_at=timezone.now() - age)
        for _time in range(times)])


def _page(client, lab):
    return client.get(reverse("livinglabs:tokens", args=[lab.slug]))


@pytest.mark.parametrize("who", ["partner_admin", "coordinator"])
def test_the_lab_managers_see_its_rejected_messages_escaped(request, client_for, lab, other_lab,
                                                          make_datastream, who):
    token = LabToken.issue(lab=lab, name="Boje")[0]
    mine, foreign = make_datastream(lab), make_datastream(other_lab)
    _reject(mine)
    _reject(foreign, payload=b'{"other lab": "secret-of-the-other-lab"}')
    response = _page(client_for(request.getfixturevalue(who)), lab)
    assert response.status_code == 200
    page = response.text
    assert 'id="rejected-messages"' in page
    assert f"ingest/v1.1/Datastreams({mine.pk})/Observations" in page
    assert token.username in page and "limit: characters" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "\\x00" in page and "\ufffd" in page  # NUL and the broken byte, made visible
    assert "secret-of-the-other-lab" not in page


def test_the_newest_fifty_in_a_constant_number_of_queries(client_for, partner_admin, lab,
                                                          make_datastream):
    stream = make_datastream(lab)
    client = client_for(partner_admin)
    _reject(stream, reason="first", age=timedelta(hours=1))
    _page(client, lab)
    with CaptureQueriesContext(connection) as few:
        _page(client, lab)
    _reject(stream, reason="older", age=timedelta(minutes=30), times=5)
    _reject(stream, reason="newest", times=deadletters.SHOWN_ON_TOKEN_PAGE)
    with CaptureQueriesContext(connection) as many:
        response = _page(client, lab)
    assert len(many) == len(few)
    rows = response.context["rejected"]
    assert len(rows) == deadletters.SHOWN_ON_TOKEN_PAGE
    assert {row.reason for row in rows} == {"newest"}


def test_a_message_of_an_aggregated_datastream_shows_no_excerpt(client_for, partner_admin, lab,
                                                                make_datastream):
    stream = make_datastream(lab, privacy_level="aggregated", aggregation_window=3600)
    # A result no page shows otherwise (a plain "17" was once found in a random CSRF token).
    _reject(stream, payload=b'{"result": 98765.4321, "phenomenonTime": "x"}')
    assert RejectedMessage.objects.get().excerpt == ""
    page = _page(client_for(partner_admin), lab).text
    assert "phenomenonTime" not in page and "98765" not in page


def test_german_and_english(client_for, partner_admin, lab):
    client = client_for(partner_admin)
    german = client.get(f"/de/living-labs/{lab.slug}/tokens/").text
    english = client.get(f"/en/living-labs/{lab.slug}/tokens/").text
    assert "Abgewiesene Gerätenachrichten" in german and "Keine abgewiesenen Nachrichten." in german
    assert "Rejected device messages" in english and "No rejected messages." in english


def test_a_visitor_is_sent_to_log_in(client, lab, make_datastream):
    _reject(make_datastream(lab))
    response = _page(client, lab)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["citizen", "partner_member", "other_admin"])
def test_others_do_not_see_the_rejected_messages(request, client_for, lab, make_datastream, who):
    _reject(make_datastream(lab), payload=b'{"result": "only-for-the-operators"}')
    response = _page(client_for(request.getfixturevalue(who)), lab)
    assert response.status_code == 403
    assert b"only-for-the-operators" not in response.content
