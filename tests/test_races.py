"""Two requests at once: the second one waits for the first and then fails cleanly (or adapts),
never with a database error. Needs PostgreSQL: only it lets two connections write at once."""

import pytest
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.partners import services as partner_services
from stadtallianz.partners.models import Organisation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]

VERSION_TEXT = {"title_de": "Neu", "title_en": "New", "text_de": "Text", "text_en": "Text"}


def test_two_new_versions_at_once_give_one_draft(coordinator):
    """When two drafts are created at the same time, the second is refused as "there is already
    a draft" instead of failing on the version number."""
    thread, errors = in_open_transaction(
        lambda: letter_services.version_create(by=coordinator, **VERSION_TEXT))
    with pytest.raises(letter_services.TransitionError):
        letter_services.version_create(by=coordinator, **VERSION_TEXT)
    thread.join()
    assert errors == []
    assert Version.objects.filter(published_at__isnull=True).count() == 1


def test_two_organisations_with_one_name_at_once_get_two_slugs(citizen, make_user):
    """Two people registering the same name at the same moment both succeed, with two slugs."""
    other = make_user("other@example.org")
    thread, errors = in_open_transaction(
        lambda: partner_services.organisation_create(by=other, name="Radhaus", type="startup"))
    mine = partner_services.organisation_create(by=citizen, name="Radhaus", type="startup")
    thread.join()
    assert errors == []
    assert mine.slug == "radhaus-2"
    assert sorted(Organisation.objects.values_list("slug", flat=True)) == ["radhaus", "radhaus-2"]
