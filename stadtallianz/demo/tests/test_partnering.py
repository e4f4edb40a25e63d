from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.demo import partnering as demo
from stadtallianz.demo.accounts import DEMO_DOMAIN
from stadtallianz.partnering import queries, reveal
from stadtallianz.partnering.models import Interest, Notice

pytestmark = pytest.mark.django_db


def test_demo_writes_notices_in_every_state_with_interests_once():
    call_command("demo", stdout=StringIO())  # the funding demo's calls, then the notices
    notices = Notice.objects.all()
    assert notices.count() == len(demo.NOTICES)
    assert {notice.state for notice in notices} == set(Notice.State.values)
    assert notices.filter(call__isnull=False).count() >= 4
    assert notices.filter(idea__isnull=False).count() >= 3
    assert {i.state for i in Interest.objects.all()} == set(Interest.State.values)
    assert not Interest.objects.filter(person__isnull=True).exists()
    assert not notices.filter(created_by__isnull=True).exists()
    # Archived ones are expired; open ones are listed.
    assert all(not n.is_open for n in notices.filter(state="archived"))
    assert Notice.objects.public().count() >= 8
    counts = (Notice.objects.count(), Interest.objects.count())
    assert demo.load() == 0
    assert counts == (Notice.objects.count(), Interest.objects.count())


def test_the_demo_accounts_see_both_sides():
    from stadtallianz.accounts.models import User

    call_command("demo", stdout=StringIO())
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    member = User.objects.get(email=f"mitglied@{DEMO_DOMAIN}")
    mine = list(queries.my_notices(admin))
    assert len(mine) == 2 and any(notice.pending_count for notice in mine)
    shown = queries.my_interests(member)
    assert any(item.owner_contact is not None for item in shown)
    assert any(item.state == "pending" and item.owner_contact is None for item in shown)
    # Before acceptance the owner sees no person of the interested organisation.
    pending = Interest.objects.filter(notice__created_by=admin, state="pending").first()
    assert reveal.shown(admin, pending).contact is None
