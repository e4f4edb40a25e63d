"""The person's data of issue 15's apps: the export holds the calls they follow, their
deadline feed (without its key), their partner searches and interests with their messages and
the suggestions they hid; the erasure takes their name out of what they wrote to other
partners, and out of the notification that told the interested side who had posted."""

import pytest

from stadtallianz.accounts.services import account_delete
from stadtallianz.funding.models import Call, CallFollow, DeadlineFeed, Programme
from stadtallianz.matchmaking.models import Dismissal, Kind
from stadtallianz.notifications.models import Notification
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.partners.models import Membership
from stadtallianz.privacy.collect import categories

from .conftest import EMAIL

NAME = "Quirin Xylander"

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding_data(quirin, make_organisation, make_user):
    quirin.full_name = NAME
    quirin.save()
    programme = Programme.objects.create(funder="Land NRW", level=Programme.Level.STATE,
                                         name_de="Digitale Modellregionen", slug="dmr")
    call = Call.objects.create(programme=programme, slug="quartiersdaten",
                               title_de="Quartiersdaten", state=Call.State.OPEN)
    CallFollow.objects.create(call=call, user=quirin)
    DeadlineFeed.objects.create(user=quirin, key_hash="f" * 64)
    own = make_organisation("Zebrafink Labor")
    Membership.objects.create(user=quirin, organisation=own, role=Membership.Role.ADMIN)
    other = make_organisation("Fremde Hochschule")
    stranger = make_user("stranger@example.org", full_name="Stella Fremd")
    Membership.objects.create(user=stranger, organisation=other, role=Membership.Role.ADMIN)
    mine = Notice.objects.create(organisation=own, created_by=quirin, call=call,
                                 title_de="Partner für Quartiersdaten",
                                 description_de=f"Fragen an {NAME}, Zebrafink Labor.")
    theirs = Notice.objects.create(organisation=other, created_by=stranger, call=call,
                                   title_de="Sensorik gesucht")
    interest = Interest.objects.create(notice=theirs, organisation=own, person=quirin,
                                       message=f"Wir messen gern mit. Gruß, {NAME}")
    answered = Interest.objects.create(notice=mine, organisation=other, person=stranger,
                                       message="Wir auch.", state=Interest.State.ACCEPTED)
    told = Notification.objects.create(
        recipient=stranger, kind="partnering", key=f"partnering-answered:{answered.pk}",
        subject="Ihr Interesse wurde angenommen",
        body=f"Ansprechperson: {NAME} ({EMAIL})")
    Dismissal.objects.create(user=quirin, subject_kind=Kind.CALL, subject_id=call.pk,
                             object_kind=Kind.ORGANISATION, object_id=other.pk)
    return {"call": call, "mine": mine, "interest": interest, "told": told}


def test_the_export_holds_the_funding_partner_search_and_suggestion_rows(quirin, funding_data):
    data = categories(quirin)
    assert [row["call__slug"] for row in data["funding"]["followed_calls"]] == ["quartiersdaten"]
    feed = list(data["funding"]["deadline_feed"])
    assert len(feed) == 1 and "key_hash" not in feed[0]
    notices = data["partner_search"]["partner_search_notices"]
    assert [row["title_de"] for row in notices] == ["Partner für Quartiersdaten"]
    interests = data["partner_search"]["partner_search_interests"]
    assert [row["message"] for row in interests] == [f"Wir messen gern mit. Gruß, {NAME}"]
    assert len(data["suggestions"]["matchmaking_hidden_suggestions"]) == 1
    # Nobody else's rows: the other organisation's notice and interest are not in it.
    assert "Sensorik gesucht" not in str(list(notices))
    assert "Wir auch." not in str(list(interests))


def test_erasure_takes_the_name_out_of_what_the_person_wrote_to_partners(quirin, funding_data):
    account_delete(user=quirin, by=quirin)
    interest = Interest.objects.get(pk=funding_data["interest"].pk)
    assert interest.person is None and NAME not in interest.message
    assert interest.message.startswith("Wir messen gern mit.")  # the organisation's answer stays
    notice = Notice.objects.get(pk=funding_data["mine"].pk)
    assert notice.created_by is None and NAME not in notice.description_de
    told = Notification.objects.get(pk=funding_data["told"].pk)
    assert NAME not in told.body and EMAIL not in told.body
    assert not CallFollow.objects.exists() and not DeadlineFeed.objects.exists()
    assert not Dismissal.objects.exists()
