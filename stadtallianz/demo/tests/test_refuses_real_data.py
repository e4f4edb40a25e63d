"""Issue 12, item 3: `stadtallianz demo` refuses a database where real people have accounts
(it would publish a new Münster letter of intent and fictional partners into a running
alliance) and writes nothing there; into an empty or a test database it loads as before."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stadtallianz.accounts.models import User
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["anna.becker@stadt-muenster.de", "info@Stadtwerke.EXAMPLE.de",
                                     "someone@example.org.evil.de"])
def test_the_demo_refuses_a_database_with_real_accounts_and_writes_nothing(make_user, address):
    make_user(address)
    versions, organisations = Version.objects.count(), Organisation.objects.count()
    with pytest.raises(CommandError, match="real account"):
        call_command("demo", stdout=StringIO())
    assert (Version.objects.count(), Organisation.objects.count()) == (versions, organisations)
    assert User.objects.count() == 1


def test_the_demo_loads_where_only_demo_and_example_accounts_exist(make_user):
    make_user("tester@example.org")
    make_user("someone@partner.example")
    call_command("demo", stdout=StringIO())
    assert Organisation.objects.count() > 10
    call_command("demo", stdout=StringIO())  # again: its own accounts are not real ones
