"""Fixtures for back-office tests: people in each role and pending applications."""

import pytest

from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.partners.models import Membership, Organisation


@pytest.fixture
def person(citizen, partner_member, partner_admin, other_admin, coordinator, superuser):
    people = {"visitor": None, "citizen": citizen, "member": partner_member,
              "other_admin": other_admin, "admin": partner_admin, "coordinator": coordinator,
              "superuser": superuser}
    return people.__getitem__


@pytest.fixture
def make_application(make_organisation, make_user):
    """make_application(name) creates a draft organisation whose admin has signed."""
    counter = {"n": 0}

    def make(name=None, **fields):
        counter["n"] += 1
        organisation = make_organisation(name, status=Organisation.Status.DRAFT, **fields)
        n = counter["n"]
        admin = make_user(f"applicant{n}@example.org", full_name=f"Applicant {n}")
        Membership.objects.create(user=admin, organisation=organisation, role=Membership.Role.ADMIN)
        return letter_services.signature_create(
            organisation=organisation, version=Version.objects.current(), by=admin,
            signatory_name=f"Signatory {counter['n']}", signatory_function="Managing director",
            authority_confirmed=True)

    return make
