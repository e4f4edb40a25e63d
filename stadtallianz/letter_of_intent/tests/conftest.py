"""Fixtures for letter-of-intent tests: versions, organisations in each state, signing."""

import pytest

from stadtallianz.letter_of_intent import services
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.partners.models import Membership, Organisation


@pytest.fixture
def version_1(db):
    return Version.objects.get(number=1)


@pytest.fixture
def applicant(make_organisation):
    """An organisation that registered but has not signed yet."""
    return make_organisation("Quartier Verein", status=Organisation.Status.DRAFT,
                             type=Organisation.Type.ASSOCIATION)


@pytest.fixture
def applicant_admin(make_user, applicant):
    user = make_user("applicant-admin@example.org", full_name="Alex Applicant",
                     preferred_language="en")
    Membership.objects.create(user=user, organisation=applicant, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def sign():
    def do(organisation, by, version=None, **fields):
        fields.setdefault("signatory_name", "Alex Applicant")
        fields.setdefault("signatory_function", "Chair")
        fields.setdefault("authority_confirmed", True)
        return services.signature_create(organisation=organisation,
                                         version=version or Version.objects.current(),
                                         by=by, **fields)
    return do


@pytest.fixture
def partner_on_v1(applicant, applicant_admin, coordinator, sign):
    """The applicant, signed and confirmed on version 1."""
    signature = sign(applicant, applicant_admin)
    services.signature_confirm(signature=signature, by=coordinator)
    applicant.refresh_from_db()
    return applicant


@pytest.fixture
def version_2(coordinator, version_1):
    """A draft of version 2 (not yet published)."""
    return services.version_create(by=coordinator, title_de="Absichtserklärung 2",
                                   title_en="Letter of intent 2", text_de="## Neu\n\nText zwei.",
                                   text_en="## New\n\nText two.")
