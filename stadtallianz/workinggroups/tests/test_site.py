"""The working groups in the site around them: navigation, sitemap and demo data."""

from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.core.models import FocusArea
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

pytestmark = pytest.mark.django_db


def test_the_main_navigation_links_the_working_groups(client):
    content = client.get("/en/working-groups/").content.decode()
    assert '<a href="/en/working-groups/" aria-current="page">Working groups</a>' in content
    assert '<a href="/de/working-groups/">Arbeitsgruppen</a>' in client.get("/de/").content.decode()


def test_the_sitemap_lists_every_group_in_both_languages(client, group, make_group):
    make_group("Archiv", slug="archiv", state=WorkingGroup.State.ARCHIVED)
    content = client.get("/sitemap.xml").content.decode()
    for language in ("de", "en"):
        assert f"/{language}/working-groups/</loc>" in content
        assert f"/{language}/working-groups/mobilitaet/</loc>" in content
        assert f"/{language}/working-groups/archiv/</loc>" in content


def _demo():
    call_command("demo", stdout=StringIO())


def test_the_demo_has_about_ten_groups_with_leads_members_and_organisations():
    """Each demo group has focus areas, a lead, further members and member organisations;
    together they cover every focus area, and running the demo again adds nothing."""
    _demo()
    groups = list(WorkingGroup.objects.prefetch_related("focus_areas"))
    assert 8 <= len(groups) <= 12
    covered = set()
    for group in groups:
        areas = {area.slug for area in group.focus_areas.all()}
        assert areas
        covered |= areas
        active = group.memberships.filter(state=GroupMembership.State.ACTIVE)
        assert active.filter(role=GroupMembership.Role.LEAD).exists()
        assert active.filter(role=GroupMembership.Role.MEMBER).exists()
        assert group.organisations.exists()
        assert all(organisation.is_public for organisation in group.organisations.all())
    assert covered == set(FocusArea.objects.values_list("slug", flat=True))
    assert WorkingGroup.objects.filter(state=WorkingGroup.State.ARCHIVED).exists()
    counts = (WorkingGroup.objects.count(), GroupMembership.objects.count())
    _demo()
    assert (WorkingGroup.objects.count(), GroupMembership.objects.count()) == counts
