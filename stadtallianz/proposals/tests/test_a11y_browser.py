"""The pages of joint applications in a real browser, in German and English: the list, an
application page with budget, checklist and history, the forms (with errors linked to their
fields), the pipeline and the public totals pass axe-core without serious or critical findings,
and the strict Content Security Policy blocks nothing."""

from importlib import import_module

import pytest
from django.apps import apps

from conftest import DEMO_PASSWORD
from tests.browser.conftest import (  # noqa: F401
    browser,
    login,
    page,
    sweep,
    unlinked_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(db):
    """A transactional test flushed the reference data (focus areas of the calls)."""
    import_module("stadtallianz.core.migrations.0002_reference_data").load(apps, None)


@pytest.mark.parametrize("language", ["de", "en"])
def test_application_pages_are_accessible(page, live_server, reference_data,  # noqa: F811
                                          application, partner_admin, coordinator, language):
    login(page, live_server, partner_admin.email, DEMO_PASSWORD, language)
    member = application.members.get(role="coordinator")
    pk = application.pk
    assert sweep(page, live_server.url, language, [
        "/funding/applications/", f"/funding/applications/{pk}/",
        f"/funding/applications/{pk}/edit/", f"/funding/applications/{pk}/members/new/",
        f"/funding/applications/{pk}/members/{member.pk}/budget/",
        "/funding/applications/new/", "/funding/applications/acquired/"]) == {}
    page.goto(f"{live_server.url}/{language}/funding/applications/{pk}/members/{member.pk}"
              "/budget/")
    page.fill("input[name=personnel_amount]", "-5")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert unlinked_errors(page, ["personnel_amount"]) == {}
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pipeline_is_accessible(page, live_server, reference_data, application,  # noqa: F811
                                    coordinator, language):
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    assert sweep(page, live_server.url, language, ["/funding/applications/pipeline/"]) == {}
