"""A person with a bit of everything, for the export and erasure tests: `quirin` (real name,
display name, address) in `group`, who signed the letter of intent for an organisation, wrote
an idea, comments, a thread and posts (mentioning the group's lead), supports an idea, is
registered for a meeting, has an API token, and whose words reached others as notifications.
"""

import pytest
from django.utils import timezone

from stadtallianz.accounts.models import ApiToken
from stadtallianz.accounts.services import account_update_profile
from stadtallianz.discussions import services as discussions
from stadtallianz.discussions.models import Thread
from stadtallianz.events import services as events
from stadtallianz.events.models import Event
from stadtallianz.ideas.participation import services as participation
from stadtallianz.ideas.tests.fixtures import *  # noqa: F403
from stadtallianz.legal import services as legal
from stadtallianz.legal.models import Kind
from stadtallianz.letter_of_intent import services as letter
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.workinggroups.models import GroupMembership

NAME, DISPLAY, EMAIL = "Quirin Xylander", "Zebrafink", "quirin.xylander@example.org"
PERSONAL = [NAME, DISPLAY, EMAIL, "Xylander"]


@pytest.fixture
def quirin(make_user):
    return make_user(EMAIL, full_name="Quirin X.", display_name=DISPLAY)


@pytest.fixture
def scenario(quirin, writer, lead, member, group, submit, make_organisation, make_user,
             coordinator, make_event):
    """Everything quirin did; returns the objects the tests look at."""
    account_update_profile(user=quirin, by=quirin, full_name=NAME, preferred_language="de",
                           display_name=DISPLAY)
    GroupMembership.objects.create(group=group, user=quirin)
    organisation = make_organisation("Quartier Verein", status=Organisation.Status.DRAFT,
                                     type=Organisation.Type.ASSOCIATION)
    Membership.objects.create(user=quirin, organisation=organisation, role=Membership.Role.ADMIN)
    co_admin = make_user("co-admin@example.org", full_name="Conny Coadmin")
    Membership.objects.create(user=co_admin, organisation=organisation,
                              role=Membership.Role.ADMIN)
    signature = letter.signature_create(
        organisation=organisation, version=Version.objects.current(), by=quirin,
        signatory_name=NAME, signatory_function="Vorsitz", authority_confirmed=True)
    letter.signature_confirm(signature=signature, by=coordinator)

    own_idea = submit("Bänke am Aasee", by=quirin, working_group=group)
    others_idea = submit("Radweg an der Promenade", by=writer, working_group=group)
    participation.comment_create(idea=own_idea, body="Gute Idee!", by=writer)
    participation.support(idea=own_idea, by=writer)
    answered = participation.comment_create(idea=others_idea, body="Bin dafür.", by=quirin)
    participation.comment_create(idea=others_idea, body="Danke!", by=writer, parent=answered)
    lone = participation.comment_create(idea=others_idea, body="Noch ein Gedanke.", by=quirin)
    participation.support(idea=others_idea, by=quirin)

    thread = discussions.thread_create(group=group, title="Radwege am Ring", body="Wer macht mit?",
                                       visibility=Thread.Visibility.PUBLIC, by=lead)
    reply = discussions.post_reply(thread=thread, body="Ich! @[Lena Lead], wann?", by=quirin)
    discussions.post_reply(thread=thread, body=f"Danke @[{NAME}], am Montag.", by=lead)
    own_thread = discussions.thread_create(group=group, title="Sitzbänke", body="Nur ich hier.",
                                           visibility=Thread.Visibility.PUBLIC, by=quirin)
    event = make_event(group=group, visibility=Event.Visibility.PUBLIC, capacity=10)
    events.registration_register(event=event, by=quirin)
    ApiToken.issue(user=quirin, name="Skript")
    legal.consent_give(user=quirin, version=legal.current(Kind.PRIVACY))
    # A partner's published dataset that names quirin as its contact (issue 16).
    dataset = Dataset.objects.create(
        kind=Dataset.Kind.PARTNER, slug="quartiersdaten", state=Dataset.State.PUBLISHED,
        title_de="Quartiersdaten", description_de="Zählungen im Quartier.",
        publisher=make_organisation("Stadtwerke Daten"), contact_name=NAME, contact_email=EMAIL,
        issued=timezone.now(), modified=timezone.now())
    return {"dataset": dataset, "organisation": organisation, "signature": signature,
            "own_idea": own_idea, "others_idea": others_idea, "answered": answered, "lone": lone,
            "thread": thread, "reply": reply, "own_thread": own_thread, "event": event,
            "co_admin": co_admin}
