"""Contact details stay hidden until the notice's owner accepts: per role, on the page, in the
API and in the notifications; after acceptance both sides see each other's contact person."""

import pytest
from django.urls import reverse

from stadtallianz.notifications.models import Notification
from stadtallianz.partnering import reveal, services

pytestmark = pytest.mark.django_db

INTERESTED_NAME, INTERESTED_EMAIL = "Olga Other", "other-member@example.org"
OWNER_NAME, OWNER_EMAIL = "Anna Admin", "admin@example.org"


def page(client, user, notice) -> str:
    client.force_login(user)
    response = client.get(reverse("partnering:detail", kwargs={"pk": notice.pk}),
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def api_interests(client, token_for, user, notice):
    return client.get(f"/api/v1/partner-search/{notice.pk}/interests",
                      HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")


def test_before_acceptance_the_owner_sees_organisation_and_message_only(
        client, token_for, interest, notice, partner_admin, other_organisation):
    html = page(client, partner_admin, notice)
    assert other_organisation.name in html and "Wir haben Fahrgastdaten." in html
    assert INTERESTED_NAME not in html and INTERESTED_EMAIL not in html
    answer = api_interests(client, token_for, partner_admin, notice).json()
    assert answer[0]["organisation"]["name"] == other_organisation.name
    assert answer[0]["message"] == "Wir haben Fahrgastdaten."
    assert answer[0]["contact"] is None and answer[0]["owner_contact"] is None
    assert INTERESTED_EMAIL not in str(answer) and INTERESTED_NAME not in str(answer)


def test_the_owners_notification_names_no_person(interest, partner_admin):
    notification = Notification.objects.get(recipient=partner_admin)
    text = notification.subject + notification.body
    assert interest.organisation.name in text and "Wir haben Fahrgastdaten." in text
    assert INTERESTED_NAME not in text and INTERESTED_EMAIL not in text


def test_before_acceptance_the_interested_side_sees_no_owner_contact(
        client, token_for, interest, notice, other_member, other_admin):
    for person in (other_member, other_admin):
        html = page(client, person, notice)
        assert "Wir haben Fahrgastdaten." in html
        assert OWNER_NAME not in html and OWNER_EMAIL not in html
        answer = api_interests(client, token_for, person, notice).json()
        assert len(answer) == 1 and answer[0]["owner_contact"] is None


def test_outsiders_see_nothing_of_interests(client, token_for, interest, notice,
                                            outsider_admin, citizen, partner_member):
    """A third partner, a citizen, a visitor and a plain member of the owner organisation (no
    owner) see neither the message nor any person; the API refuses them the list."""
    for person in (outsider_admin, citizen, partner_member):
        html = page(client, person, notice)
        assert "Wir haben Fahrgastdaten." not in html and INTERESTED_EMAIL not in html
        assert api_interests(client, token_for, person, notice).status_code == 403
    client.logout()
    html = client.get(reverse("partnering:detail", kwargs={"pk": notice.pk})).content.decode()
    assert "Wir haben Fahrgastdaten." not in html
    assert client.get(f"/api/v1/partner-search/{notice.pk}/interests").status_code == 401


def test_the_office_sees_organisation_and_message_but_no_person(client, token_for, interest,
                                                                notice, coordinator):
    html = page(client, coordinator, notice)
    assert "Wir haben Fahrgastdaten." in html and INTERESTED_EMAIL not in html
    services.interest_answer(actor=coordinator, interest=interest, accept=True)
    answer = api_interests(client, token_for, coordinator, notice).json()
    assert answer[0]["state"] == "accepted"
    assert answer[0]["contact"] is None and answer[0]["owner_contact"] is None


def test_after_acceptance_both_sides_see_each_others_contact(
        client, token_for, interest, notice, partner_admin, other_member, other_organisation):
    other_organisation.phone = "+49 251 12345"
    other_organisation.save()
    services.interest_answer(actor=partner_admin, interest=interest, accept=True)
    owner_html = page(client, partner_admin, notice)
    assert INTERESTED_NAME in owner_html and INTERESTED_EMAIL in owner_html
    assert "+49 251 12345" in owner_html
    interested_html = page(client, other_member, notice)
    assert OWNER_NAME in interested_html and OWNER_EMAIL in interested_html
    answer = api_interests(client, token_for, partner_admin, notice).json()[0]
    assert answer["contact"] == {"name": INTERESTED_NAME, "email": INTERESTED_EMAIL,
                                 "phone": "+49 251 12345"}
    answer = api_interests(client, token_for, other_member, notice).json()[0]
    assert answer["owner_contact"]["email"] == OWNER_EMAIL
    # The person who expressed interest is told, with the owner's contact person.
    notification = Notification.objects.get(recipient=other_member)
    assert OWNER_EMAIL in notification.body and OWNER_NAME in notification.body


def test_a_declined_interest_reveals_nothing(client, interest, notice, partner_admin,
                                             other_member):
    services.interest_answer(actor=partner_admin, interest=interest, accept=False)
    assert INTERESTED_EMAIL not in page(client, partner_admin, notice)
    assert OWNER_EMAIL not in page(client, other_member, notice)
    notification = Notification.objects.get(recipient=other_member)
    assert OWNER_EMAIL not in notification.body and OWNER_NAME not in notification.body


def test_my_page_reveals_by_the_same_rule(client, interest, partner_admin, other_member):
    client.force_login(other_member)
    html = client.get(reverse("partnering:mine")).content.decode()
    assert "Partner für Datenplattform gesucht" in html and OWNER_EMAIL not in html
    services.interest_answer(actor=partner_admin, interest=interest, accept=True)
    html = client.get(reverse("partnering:mine")).content.decode()
    assert OWNER_EMAIL in html


def test_the_rule_itself(interest, partner_admin, other_member, outsider_admin):
    assert reveal.shown(outsider_admin, interest) is None
    owner_view = reveal.shown(partner_admin, interest)
    assert owner_view.viewer_is_owner and owner_view.contact is None
    services.interest_answer(actor=partner_admin, interest=interest, accept=True)
    interest.refresh_from_db()
    assert reveal.shown(partner_admin, interest).contact.email == INTERESTED_EMAIL
    assert reveal.shown(other_member, interest).owner_contact.email == OWNER_EMAIL
