"""The letter of intent through the API: the current version and its signatories."""

import pytest
from django.utils import timezone

from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db


def sign(organisation, version, state, **fields):
    fields.setdefault("reviewed_at", timezone.now() if state == Signature.State.CONFIRMED else None)
    return Signature.objects.create(
        organisation=organisation, version=version, signatory_name="Petra Private",
        signatory_function="Geschäftsführerin", authority_confirmed=True, state=state, **fields)


def test_the_current_version_is_the_newest_published(client, coordinator):
    """A draft version is not current; the text comes as Markdown and as sanitised HTML."""
    Version.objects.create(number=2, title_de="Entwurf", title_en="Draft", text_de="x", text_en="x")
    body = client.get("/api/v1/letter-of-intent", {"lang": "en"}).json()
    assert body["number"] == 1
    assert body["title"] == body["title_en"]
    assert body["text"] == body["text_en"] and body["text_de"]
    assert body["text_html"].startswith("<") and "<script" not in body["text_html"]
    assert body["published_at"]


def test_without_a_published_version_the_letter_is_404(client):
    """Before anything is published there is no current letter."""
    Version.objects.update(published_at=None)
    assert client.get("/api/v1/letter-of-intent").status_code == 404


def test_signatories_are_the_public_partners_with_confirmed_signatures(client, make_organisation):
    """Pending, rejected and withdrawn signatures are not listed, nor non-public organisations;
    the signing person's name is not published."""
    version = Version.objects.current()
    partner = make_organisation("B Partner")
    resigning = make_organisation("A Resigning", status=Organisation.Status.RESIGN_REQUIRED)
    pending = make_organisation("C Pending", status=Organisation.Status.PENDING)
    withdrawn = make_organisation("D Withdrawn", status=Organisation.Status.WITHDRAWN)
    sign(partner, version, Signature.State.CONFIRMED)
    sign(resigning, version, Signature.State.CONFIRMED)
    sign(pending, version, Signature.State.PENDING)
    sign(withdrawn, version, Signature.State.WITHDRAWN)
    response = client.get("/api/v1/letter-of-intent/signatories")
    body = response.json()
    assert body["count"] == 2
    listed = [item["organisation"]["slug"] for item in body["items"]]
    assert listed == [resigning.slug, partner.slug]
    assert body["items"][0]["version"] == 1 and body["items"][0]["confirmed_at"]
    assert "Petra" not in response.content.decode()


def test_signatories_are_paginated(client, make_organisation):
    """limit and offset page through the signatories."""
    version = Version.objects.current()
    for letter in "ABC":
        sign(make_organisation(f"{letter} Partner"), version, Signature.State.CONFIRMED)
    body = client.get("/api/v1/letter-of-intent/signatories", {"limit": 1, "offset": 2}).json()
    assert body["count"] == 3
    assert [item["organisation"]["name"] for item in body["items"]] == ["C Partner"]
