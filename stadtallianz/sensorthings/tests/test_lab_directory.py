"""SensorThings asks about labs, their insiders and device tokens only through the directory
the living-labs app registers (sensorthings/labs.py): what the directory answers, that the
Caller takes a person's insider labs from it, and that a missing registration is a clear error
rather than a silently empty answer."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings import labs
from stadtallianz.sensorthings.auth import Caller
from stadtallianz.sensorthings.models import PrivacyLevel

pytestmark = pytest.mark.django_db


def test_the_directory_answers_for_tokens_from_the_labs_app(lab, other_lab):
    directory = labs.directory()
    mine, key = LabToken.issue(lab=lab, name="Messboje")
    theirs, _key = LabToken.issue(lab=other_lab, name="Zählstelle")
    revoked, revoked_key = LabToken.issue(lab=lab, name="Alt")
    LabToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())

    assert directory.token_of_key(key).pk == mine.pk
    assert directory.token_of_key(revoked_key) is None
    username, secret = key[:12], key[13:]
    assert directory.authenticate(username, secret).pk == mine.pk
    assert directory.authenticate(username, "wrong") is None

    assert [t.pk for t in directory.active_tokens()] == [
        t.pk for t in sorted([mine, theirs], key=lambda t: t.username)]
    assert [t.pk for t in directory.active_tokens({lab.pk})] == [mine.pk]
    names = {mine.username, theirs.username, revoked.username, "lab_unknown"}
    assert directory.labs_of_tokens(names, active_only=True) == {
        mine.username: lab.pk, theirs.username: other_lab.pk}
    assert directory.labs_of_tokens(names, active_only=False)[revoked.username] == lab.pk

    now = timezone.now()
    directory.mark_used(mine, now)
    mine.refresh_from_db()
    assert mine.last_used_at == now


def test_the_directory_answers_for_labs_and_insiders(lab, other_lab, partner_admin, citizen):
    directory = labs.directory()
    assert directory.default_privacy_level(lab.pk) == PrivacyLevel.PUBLIC
    assert directory.default_privacy_level(other_lab.pk) == PrivacyLevel.RESTRICTED
    # The operator's admin is an insider of the lab, a citizen of none; the Caller asks.
    assert set(Caller(partner_admin).insider_labs.values_list("pk", flat=True)) == {lab.pk}
    assert not Caller(citizen).insider_labs.exists()


def test_without_a_registered_directory_sensorthings_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(labs, "_directory", None)
    with pytest.raises(ImproperlyConfigured, match="SENSORTHINGS_LAB_MODEL"):
        labs.directory()
