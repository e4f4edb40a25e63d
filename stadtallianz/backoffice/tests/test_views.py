"""Back-office pages: dashboard, applications review, organisations list, versions, focus areas."""

import pytest
from django.core import mail
from django.urls import reverse

from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Organisation

Status = Organisation.Status


def test_dashboard_counts(client_for, coordinator, organisation, make_application):
    """The dashboard shows counts by status, pending applications and recent audit entries."""
    make_application("Bewerber eV")
    response = client_for(coordinator).get(reverse("backoffice:dashboard"))
    counts = {value: count for value, _label, count in response.context["status_counts"]}
    assert counts["partner"] == 1 and counts["pending"] == 1 and counts["draft"] == 0
    queues = {queue.key: queue for queue in response.context["queues"]}
    assert queues["applications"].count == 1
    assert [e.action for e in response.context["recent_entries"]] == ["partner.signature.submitted"]


def test_applications_list_pending_signatures(client_for, coordinator, make_application):
    """The list shows pending signatures with organisation, signatory, version and date."""
    signature = make_application("Bewerber eV")
    response = client_for(coordinator).get(reverse("backoffice:applications"))
    content = response.content.decode()
    assert list(response.context["page"].object_list) == [signature]
    assert "Bewerber eV" in content and "Signatory 1" in content


def test_applications_query_count_is_constant(client_for, coordinator, make_application):
    """The applications list makes as many queries for 2 as for 12 applications."""
    client = client_for(coordinator)
    url = reverse("backoffice:applications")
    for _ in range(2):
        make_application()
    few = query_count(client.get, url)
    for _ in range(10):
        make_application()
    assert query_count(client.get, url) == few


def test_confirming_over_http(client_for, coordinator, make_application,
                              django_capture_on_commit_callbacks):
    """The coordinator confirms; the organisation is a partner and its admins are e-mailed."""
    signature = make_application("Bewerber eV")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            reverse("backoffice:application_confirm", kwargs={"pk": signature.pk}))
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED
    assert signature.organisation.status == Status.PARTNER
    assert mail.outbox[0].to == [signature.signed_by.email]


def test_confirming_a_non_pending_signature_over_http(client_for, coordinator, make_application):
    """Confirming twice is refused with a message; the reviewed data stays as it was."""
    signature = make_application()
    client = client_for(coordinator)
    client.post(reverse("backoffice:application_confirm", kwargs={"pk": signature.pk}))
    signature.refresh_from_db()
    reviewed_at = signature.reviewed_at
    response = client.post(reverse("backoffice:application_confirm", kwargs={"pk": signature.pk}),
                           follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    signature.refresh_from_db()
    assert signature.reviewed_at == reviewed_at
    assert AuditEntry.objects.filter(action="partner.signature.confirmed").count() == 1


def test_rejecting_without_reason_shows_the_error_at_the_field(client_for, coordinator,
                                                               make_application):
    """A rejection without reason re-renders the form with the error next to the field."""
    signature = make_application()
    response = client_for(coordinator).post(
        reverse("backoffice:application_reject", kwargs={"pk": signature.pk}), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    assert 'id="id_reason_error"' in response.content.decode()
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


def test_rejecting_over_http(client_for, coordinator, make_application,
                             django_capture_on_commit_callbacks):
    """A rejection with reason marks the organisation rejected and mails the reason."""
    signature = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            reverse("backoffice:application_reject", kwargs={"pk": signature.pk}),
            {"reason": "Bitte Vertretungsberechtigung nachweisen."})
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.state == Signature.State.REJECTED
    assert signature.organisation.status == Status.REJECTED
    assert "Bitte Vertretungsberechtigung nachweisen." in mail.outbox[0].body


def test_partners_filter_and_search(client_for, coordinator, organisation, make_organisation,
                                    make_application):
    """Organisations are filtered by status and type and found by name."""
    make_organisation("Forschungsinstitut Nord", type=Organisation.Type.RESEARCH)
    make_application("Bewerber eV")
    client = client_for(coordinator)
    url = reverse("backoffice:partners")

    def names(**params):
        return [o.name for o in client.get(url, params).context["page"].object_list]

    assert names() == ["Bewerber eV", "Forschungsinstitut Nord", "Stadtwerke Beispielstadt"]
    assert names(status="pending") == ["Bewerber eV"]
    assert names(type="research") == ["Forschungsinstitut Nord"]
    assert names(q="stadtwerke") == ["Stadtwerke Beispielstadt"]
    assert names(status="bogus") == names()


def test_partners_list_is_paginated_with_constant_queries(client_for, coordinator,
                                                         make_organisation, make_application):
    """The list shows 50 a page and its query count does not grow with the rows."""
    client = client_for(coordinator)
    url = reverse("backoffice:partners")
    make_application()
    for _ in range(2):
        make_organisation()
    few = query_count(client.get, url)
    for _ in range(60):
        make_organisation()
    make_application()
    assert query_count(client.get, url) == few
    response = client.get(url, {"page": 2})
    assert len(response.context["page"].object_list) == 64 - 50
    # The design system's numbered pagination (issue 14: one component everywhere).
    html = response.content.decode()
    assert 'class="pagination-nav"' in html and 'href="?page=1"' in html


def test_audit_filters(client_for, coordinator, make_application, organisation):
    """The audit log filters by area, person and date."""
    make_application()
    client = client_for(coordinator)
    client.post(reverse("backoffice:focus_area_create"),
                {"slug": "kultur", "name_de": "Kultur", "name_en": "Culture", "position": 9,
                 "is_active": "on"})
    url = reverse("backoffice:audit")

    def actions(**params):
        return [e.action for e in client.get(url, params).context["page"].object_list]

    assert actions(action="partner.") == ["partner.signature.submitted"]
    assert actions(person="coordinator@") == ["core.focus_area.created"]
    assert actions(person="Cora Coord") == ["core.focus_area.created"]
    assert actions(date_from="2000-01-01", date_to="2000-01-02") == []
    assert len(actions(date_from="2000-01-01")) == 2
    response = client.get(url, {"date_from": "2020-01-02", "date_to": "2020-01-01"})
    assert response.context["form"].errors["date_to"]


def test_audit_list_query_count_is_constant(client_for, coordinator, make_application):
    """The audit list makes as many queries for few entries as for many."""
    client = client_for(coordinator)
    url = reverse("backoffice:audit")
    make_application()
    client.get(url)  # the first load caches the filter's object types; both counts below hit it
    few = query_count(client.get, url)
    for _ in range(8):
        make_application()
    assert query_count(client.get, url) == few


def test_dashboard_query_count_is_constant(client_for, coordinator, make_application):
    """The dashboard does not make a query per organisation or entry."""
    client = client_for(coordinator)
    url = reverse("backoffice:dashboard")
    make_application()
    few = query_count(client.get, url)
    for _ in range(8):
        make_application()
    assert query_count(client.get, url) == few


def test_version_draft_preview_publish(client_for, coordinator, organisation, partner_admin,
                                       django_capture_on_commit_callbacks):
    """The coordinator drafts, previews, edits and publishes; partners are asked to re-sign."""
    client = client_for(coordinator)
    response = client.post(reverse("backoffice:version_create"),
                           {"title_de": "Absichtserklärung", "title_en": "Letter",
                            "text_de": "## Ziel\n\nNeu.", "text_en": "## Aim\n\nNew."})
    assert response.status_code == 302
    version = Version.objects.get(number=2)
    assert not version.is_published
    preview = client.get(reverse("backoffice:version_preview", kwargs={"number": 2}))
    assert "<h3>Ziel</h3>" in preview.content.decode()
    client.post(reverse("backoffice:version_edit", kwargs={"number": 2}),
                {"title_de": "Absichtserklärung 2", "title_en": "Letter 2",
                 "text_de": "Neu.", "text_en": "New."})
    version.refresh_from_db()
    assert version.title_de == "Absichtserklärung 2"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:version_publish", kwargs={"number": 2}))
    version.refresh_from_db()
    organisation.refresh_from_db()
    assert version.is_published and version.published_by == coordinator
    assert organisation.status == Status.RESIGN_REQUIRED
    assert [m.to for m in mail.outbox] == [[partner_admin.email]]
    # A published version is no longer editable.
    response = client.post(reverse("backoffice:version_edit", kwargs={"number": 2}),
                           {"title_de": "x", "title_en": "x", "text_de": "x", "text_en": "x"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.title_de == "Absichtserklärung 2"


def test_version_form_errors(client_for, coordinator):
    """Missing fields are reported next to them and no version is created."""
    response = client_for(coordinator).post(reverse("backoffice:version_create"), {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title_de", "title_en", "text_de", "text_en"}
    assert Version.objects.count() == 1


def test_a_second_draft_is_refused(client_for, coordinator):
    """While a draft exists, another cannot be created."""
    client = client_for(coordinator)
    data = {"title_de": "a", "title_en": "b", "text_de": "c", "text_en": "d"}
    client.post(reverse("backoffice:version_create"), data)
    response = client.post(reverse("backoffice:version_create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Version.objects.count() == 2


def test_focus_areas_add_and_edit(client_for, coordinator):
    """The coordinator adds and edits focus areas; each change is in the audit log."""
    client = client_for(coordinator)
    response = client.post(reverse("backoffice:focus_area_create"),
                           {"slug": "kultur", "name_de": "Kultur", "name_en": "Culture",
                            "description_de": "", "description_en": "", "position": 9,
                            "is_active": "on"})
    assert response.status_code == 302
    area = FocusArea.objects.get(slug="kultur")
    client.post(reverse("backoffice:focus_area_edit", kwargs={"pk": area.pk}),
                {"slug": "kultur", "name_de": "Kultur und Kreativwirtschaft", "name_en": "Culture",
                 "position": 9})
    area.refresh_from_db()
    assert area.name_de == "Kultur und Kreativwirtschaft"
    assert area.is_active is False
    entry = AuditEntry.objects.get(action="core.focus_area.changed")
    assert entry.before == {"name_de": "Kultur", "is_active": True}
    assert entry.after == {"name_de": "Kultur und Kreativwirtschaft", "is_active": False}
    listing = client.get(reverse("backoffice:focus_areas"))
    assert "Kultur und Kreativwirtschaft" in listing.content.decode()


def test_focus_area_duplicate_slug(client_for, coordinator):
    """A short name already in use is reported at the field."""
    existing = FocusArea.objects.first()
    response = client_for(coordinator).post(reverse("backoffice:focus_area_create"),
                                            {"slug": existing.slug, "name_de": "X", "position": 1})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]


@pytest.mark.parametrize("name", ["focus_areas", "versions"])
def test_reference_lists_query_count(client_for, coordinator, name):
    """The versions and focus-area lists use one query for their rows."""
    client = client_for(coordinator)
    url = reverse(f"backoffice:{name}")
    few = query_count(client.get, url)
    for n in range(5):
        FocusArea.objects.create(slug=f"extra-{n}", name_de=f"Extra {n}")
    assert query_count(client.get, url) == few
