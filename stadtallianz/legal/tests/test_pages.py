"""The legal pages (issue 14): in both languages at their own addresses, linked from every
page's footer, in the sitemap, edited by the coordination office as versions with an audit
entry, Markdown sanitised, and a constant number of queries whatever the number of versions."""

import pytest
from django.urls import reverse
from django.utils import translation

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count
from stadtallianz.legal import services
from stadtallianz.legal.models import DocumentVersion

pytestmark = pytest.mark.django_db

PATHS = {
    "de": {"imprint": "/de/impressum/", "privacy": "/de/datenschutz/",
           "accessibility": "/de/barrierefreiheit/"},
    "en": {"imprint": "/en/imprint/", "privacy": "/en/privacy/",
           "accessibility": "/en/accessibility/"},
}
HEADINGS = {
    "de": {"imprint": "Impressum", "privacy": "Datenschutzerklärung",
           "accessibility": "Erklärung zur Barrierefreiheit"},
    "en": {"imprint": "Imprint", "privacy": "Privacy notice",
           "accessibility": "Accessibility statement"},
}


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", ["imprint", "privacy", "accessibility"])
def test_each_page_has_its_address_and_default_text_in_each_language(client, language, kind):
    with translation.override(language):
        assert reverse(f"legal:{kind}") == PATHS[language][kind]
    response = client.get(PATHS[language][kind])
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1 class=\"kern-heading-x-large\">{HEADINGS[language][kind]}</h1>" in html
    # The default text in the page's language, with the configured names filled in.
    version = DocumentVersion.objects.get(kind=kind)
    assert "{office}" not in version.text_de + version.text_en
    marker = {"de": {"imprint": "Angaben gemäß", "privacy": "Ihre Rechte",
                     "accessibility": "Schlichtungsverfahren"},
              "en": {"imprint": "Information according to", "privacy": "Your rights",
                     "accessibility": "Enforcement procedure"}}[language][kind]
    assert marker in html
    # Each language has its own address: this one under the other prefix is no page.
    other = "en" if language == "de" else "de"
    assert client.get(PATHS[language][kind].replace(f"/{language}/", f"/{other}/")
                      ).status_code == 404


def test_the_accessibility_statement_follows_the_eu_model(client):
    text = services.current("accessibility").text_de
    for section in ("Stand der Vereinbarkeit", "Nicht barrierefreie Inhalte",
                    "Erstellung dieser Erklärung", "Feedback und Kontakt",
                    "Schlichtungsverfahren", "§ 16 BGG", "BITV 2.0"):
        assert section in text
    english = services.current("accessibility").text_en
    for section in ("Compliance status", "Non-accessible content",
                    "Preparation of this statement", "Feedback and contact",
                    "Enforcement procedure"):
        assert section in english


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_links_the_legal_pages_in_its_footer(client, language):
    html = client.get(f"/{language}/").content.decode()
    footer = html[html.index("<footer"):]
    for path in PATHS[language].values():
        assert f'href="{path}"' in footer


def test_the_sitemap_lists_the_pages_in_both_languages(client):
    xml = client.get("/sitemap.xml").content.decode()
    for paths in PATHS.values():
        for path in paths.values():
            assert f"{path}</loc>" in xml


def test_the_coordination_office_saves_a_new_version_with_an_audit_entry(client_for,
                                                                        coordinator):
    client = client_for(coordinator)
    assert client.get("/de/legal/privacy/edit/").status_code == 200
    response = client.post("/de/legal/privacy/edit/", {
        "text_de": "## Neu\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        "text_en": "## New", "material_change": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/de/datenschutz/"
    latest = services.current("privacy")
    assert (latest.number, latest.material_change, latest.created_by) == (2, True, coordinator)
    entry = AuditEntry.objects.get(action="legal.page.saved")
    assert entry.after == {"kind": "privacy", "number": 2, "material_change": True}
    html = client.get("/de/datenschutz/").content.decode()
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html
    assert "Version 2" in html
    assert client.get("/en/privacy/").content.decode().count("<h2>New</h2>") == 1


def test_a_material_change_is_only_for_the_privacy_notice(coordinator):
    version = services.page_save(kind="imprint", by=coordinator, text_de="a", text_en="b",
                                 material_change=True)
    assert version.material_change is False


def test_an_empty_text_is_an_error_next_to_the_field(client_for, coordinator):
    response = client_for(coordinator).post("/en/legal/imprint/edit/",
                                            {"text_de": "  ", "text_en": "Imprint"})
    assert response.status_code == 200
    assert "text_de" in response.context["form"].errors
    assert 'id="id_text_de_error"' in response.content.decode()
    assert not DocumentVersion.objects.filter(kind="imprint", number=2).exists()


@pytest.mark.parametrize("who", [None, "citizen", "partner_admin"])
def test_only_the_coordination_office_edits(request, client_for, who):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    response = client.post("/de/legal/imprint/edit/", {"text_de": "x", "text_en": "y"})
    if user is None:
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert not DocumentVersion.objects.filter(kind="imprint", number__gte=2).exists()


def test_the_service_refuses_others(citizen):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.page_save(kind="imprint", by=citizen, text_de="x", text_en="y")


@pytest.mark.parametrize("kind", ["imprint", "privacy", "accessibility"])
def test_a_page_costs_the_same_queries_however_many_versions(client, client_for, coordinator,
                                                             kind):
    url = reverse(f"legal:{kind}")
    client.get(url)  # the first access makes version 1
    few = query_count(client.get, url)
    for n in range(5):
        services.page_save(kind=kind, by=coordinator, text_de=f"Text {n}", text_en=f"Text {n}")
    assert query_count(client.get, url) == few
    editor = client_for(coordinator)
    edit_url = reverse("legal:edit", kwargs={"kind": kind})
    editor.get(edit_url)
    few_edit = query_count(editor.get, edit_url)
    services.page_save(kind=kind, by=coordinator, text_de="more", text_en="more")
    assert query_count(editor.get, edit_url) == few_edit


@pytest.mark.parametrize(("language", "other"), [("de", "en"), ("en", "de")])
@pytest.mark.parametrize("kind", ["imprint", "privacy", "accessibility"])
def test_the_language_switch_opens_the_page_at_its_address_in_the_other_language(
        client, language, other, kind):
    """The header's language switch sends the page's address; the legal pages' addresses are
    translated (/de/impressum/, /en/imprint/), so the switch must translate it, not strip the
    prefix (which led to /en/impressum/, a 404)."""
    import re

    page = client.get(PATHS[language][kind]).content.decode()
    form = re.search(r'<form class="language-switch.*?</form>', page, re.S).group(0)
    next_url = re.search(r'name="next" value="([^"]*)"', form).group(1)
    response = client.post(reverse("set_language"), {"language": other, "next": next_url},
                           follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == PATHS[other][kind]


def test_the_language_switch_of_a_missing_page_keeps_the_path_under_the_other_prefix(client):
    page = client.get("/de/gibt-es-nicht/?a=1").content.decode()
    assert 'name="next" value="/en/gibt-es-nicht/?a=1"' in page
    page = client.get("/en/partners/?q=Rad").content.decode()
    assert 'name="next" value="/de/partners/?q=Rad"' in page
