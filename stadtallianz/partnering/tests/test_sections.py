"""A project's, an idea's and a call's page show their open partner searches (a section
partnering adds to those pages, core/sections.py); a closed search is not among them."""

import pytest
from django.urls import reverse

from stadtallianz.partnering import services

pytestmark = pytest.mark.django_db


def test_the_project_page_shows_its_open_partner_search(client, notice, project):
    page = client.get(reverse("projects:detail", kwargs={"slug": project.slug})).content.decode()
    assert "Partner für Datenplattform gesucht" in page
    assert f"?project={project.slug}" in page


def test_the_idea_page_has_the_partner_search_section(client, idea):
    page = client.get(reverse("ideas:detail", kwargs={"pk": idea.pk})).content.decode()
    assert 'id="partner-search-heading"' in page and f"?idea={idea.pk}" in page
    assert "Keine offene Partnersuche." in page


def test_the_call_page_shows_the_search_for_it_until_it_is_closed(
        client, partner_admin, notice, funding_call):
    notice.call = funding_call
    notice.save()
    url = reverse("funding:call_detail", kwargs={"slug": funding_call.slug})
    assert "Partner für Datenplattform gesucht" in client.get(url).content.decode()
    services.notice_close(actor=partner_admin, notice=notice)
    page = client.get(url).content.decode()
    assert "Partner für Datenplattform gesucht" not in page
    assert "Keine offene Partnersuche." in page
