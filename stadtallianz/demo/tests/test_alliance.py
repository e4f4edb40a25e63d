from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.accounts.models import User
from stadtallianz.core.models import AuditEntry
from stadtallianz.demo.accounts import DEMO_PASSWORD
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event, Registration
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Membership, Offer, Organisation

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [f"{name}@demo.stadtallianz.de"
               for name in ("koordination", "admin", "mitglied", "buerger", "superuser")]


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def table_sizes() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Organisation, User, Membership, Offer, Signature, Version, AuditEntry,
                          Event, Registration, Thread, Post)}


def test_demo_can_run_twice_and_the_second_run_changes_nothing():
    """Running the demo loader again neither fails nor adds, removes or changes anything."""
    run_demo()
    first = table_sizes()
    updated = dict(Organisation.objects.values_list("slug", "updated_at"))
    run_demo()
    assert table_sizes() == first
    assert dict(Organisation.objects.values_list("slug", "updated_at")) == updated
    assert AuditEntry.objects.filter(action="demo.loaded").count() == 1


def test_demo_has_partners_of_every_type_and_every_status():
    """At least 40 organisations, each of the 7 types and each of the 6 statuses present."""
    run_demo()
    assert Organisation.objects.count() >= 40
    types = Counter(Organisation.objects.values_list("type", flat=True))
    statuses = Counter(Organisation.objects.values_list("status", flat=True))
    assert set(types) == set(Organisation.Type.values)
    assert set(statuses) == set(Organisation.Status.values)
    assert statuses["partner"] > len(Organisation.objects.all()) / 2
    for organisation in Organisation.objects.prefetch_related("focus_areas"):
        assert organisation.description_de and organisation.description_en
        assert organisation.city == "Münster" and organisation.has_location
        assert 51.90 < float(organisation.latitude) < 52.02
        assert 7.55 < float(organisation.longitude) < 7.72
        assert organisation.focus_areas.exists()
        assert organisation.is_public == (organisation.partner_since is not None)


def test_demo_signatures_match_each_organisations_status():
    """Partners signed the current version; those asked to re-sign only an earlier one;
    pending, rejected and withdrawn organisations have a signature in that state."""
    run_demo()
    current = Version.objects.current()
    assert current.number == 2
    S = Organisation.Status
    for organisation in Organisation.objects.prefetch_related("signatures__version"):
        signatures = list(organisation.signatures.all())
        confirmed = [s.version.number for s in signatures if s.state == Signature.State.CONFIRMED]
        if organisation.status == S.PARTNER:
            assert confirmed == [current.number]
        elif organisation.status == S.RESIGN_REQUIRED:
            assert confirmed and max(confirmed) < current.number
        elif organisation.status == S.PENDING:
            assert [s.state for s in signatures] == [Signature.State.PENDING]
        elif organisation.status == S.REJECTED:
            assert signatures[0].state == Signature.State.REJECTED
            assert signatures[0].rejection_reason
        elif organisation.status == S.WITHDRAWN:
            assert signatures[0].state == Signature.State.WITHDRAWN
            assert signatures[0].withdrawn_at
        else:
            assert signatures == []


def test_demo_organisations_have_people_and_offers_and_needs_in_every_category():
    """Every organisation has an admin and at most four generated people; offers and needs
    cover every category."""
    run_demo()
    demo_accounts = User.objects.filter(email__endswith="@demo.stadtallianz.de")
    for organisation in Organisation.objects.all():
        people = organisation.memberships.exclude(user__in=demo_accounts)
        assert 1 <= people.count() <= 4
        assert people.filter(role=Membership.Role.ADMIN).exists()
    for kind in Offer.Kind.values:
        assert set(Offer.objects.filter(kind=kind).values_list("category", flat=True)) == set(
            Offer.Category.values)


def test_demo_accounts_exist_for_each_role():
    """Coordinator, partner admin, partner member, citizen and superuser accounts are created."""
    run_demo()
    accounts = {user.email: user for user in User.objects.filter(email__in=DEMO_EMAILS)}
    assert accounts["koordination@demo.stadtallianz.de"].is_coordinator
    assert accounts["superuser@demo.stadtallianz.de"].is_superuser
    admin = accounts["admin@demo.stadtallianz.de"].memberships.get()
    member = accounts["mitglied@demo.stadtallianz.de"].memberships.get()
    assert admin.role == Membership.Role.ADMIN and admin.organisation.is_public
    assert member.role == Membership.Role.MEMBER and member.organisation == admin.organisation
    assert not accounts["buerger@demo.stadtallianz.de"].memberships.exists()


def test_demo_in_production_mode_prints_no_credentials_and_sets_no_known_password(settings):
    """With DEBUG off the password is never printed and does not open the demo accounts."""
    settings.DEBUG = False
    output = run_demo()
    assert DEMO_PASSWORD not in output
    assert "password" not in output.split("DEBUG is off")[0].lower()
    for user in User.objects.filter(email__in=DEMO_EMAILS):
        assert not user.has_usable_password()
        assert not user.check_password(DEMO_PASSWORD)


def test_demo_in_debug_mode_prints_the_credentials_table(settings):
    """On a developer's machine the table lists each demo e-mail and the password that works."""
    settings.DEBUG = True
    output = run_demo()
    for email in DEMO_EMAILS:
        assert email in output
    assert DEMO_PASSWORD in output
    assert User.objects.get(email="admin@demo.stadtallianz.de").check_password(DEMO_PASSWORD)


def test_demo_scale_adds_synthetic_organisations_once():
    """--scale N makes sure N synthetic organisations exist; a second run adds none."""
    output = run_demo("--scale", "30")
    assert "30 / 30" in output
    synthetic = Organisation.objects.filter(slug__startswith="synthetic-")
    assert synthetic.count() == 30
    assert set(synthetic.values_list("type", flat=True)) == set(Organisation.Type.values)
    assert synthetic.filter(focus_areas__isnull=False).distinct().count() == 30
    run_demo("--scale", "30")
    assert synthetic.count() == 30
    run_demo("--scale", "35")
    assert synthetic.count() == 35


def test_demo_groups_have_past_and_upcoming_meetings_a_waiting_list_and_threads():
    """Each active group shows a meeting with minutes, one to register for (already full, with
    a waiting list) and a discussion; some discussions are for members only."""
    from django.utils import timezone

    from stadtallianz.workinggroups.models import WorkingGroup

    run_demo()
    now = timezone.now()
    for group in WorkingGroup.objects.filter(state=WorkingGroup.State.ACTIVE):
        events = list(group.events.all())
        assert any(event.starts_at < now and event.minutes for event in events), group.slug
        assert any(event.starts_at > now for event in events), group.slug
        assert group.threads.filter(posts__isnull=False).exists(), group.slug
    assert Registration.objects.filter(state=Registration.State.WAITING).exists()
    assert set(Thread.objects.values_list("visibility", flat=True)) == {"public", "members"}



def test_every_demo_organisation_has_a_generated_logo_a_summary_and_a_contact(settings):
    """The cards look real after `make run`: an SVG logo made from the name (stored as the
    organisation's logo file), a one-line summary and a public contact."""
    run_demo()
    for organisation in Organisation.objects.all():
        assert organisation.logo.name == f"logos/{organisation.slug}.svg"
        svg = (settings.MEDIA_ROOT / organisation.logo.name).read_text()
        assert svg.startswith("<?xml") and "<script" not in svg
        assert 0 < len(organisation.summary) <= 160
        assert organisation.contact_email == f"kontakt@{organisation.slug}.example"
        assert organisation.phone and organisation.contact_name and organisation.contact_role
    logos = {(settings.MEDIA_ROOT / o.logo.name).read_text() for o in Organisation.objects.all()}
    assert len(logos) == Organisation.objects.count()  # generated per name, not one copied file
