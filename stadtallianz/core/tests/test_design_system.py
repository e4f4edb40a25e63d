"""The design system (issue 14): the deployment's theme and its contrast check, the error
summary's links, the select prompt of every form, the styleguide, the error pages."""

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

import stadtallianz
from stadtallianz.core import theme
from stadtallianz.core.context_processors import site

ROOT = Path(__file__).resolve().parents[3]


# The theme ---------------------------------------------------------------------------------

def test_a_theme_colour_is_normalised_and_its_contrast_checked():
    assert theme.checked_colour("THEME_PRIMARY_COLOR", "#005A8C") == "#005a8c"
    assert theme.checked_colour("THEME_PRIMARY_COLOR", "036") == "#003366"
    assert round(theme.contrast("#005a8c"), 2) == 7.39
    assert theme.contrast("#000000") == pytest.approx(21)


@pytest.mark.parametrize("value", ["#ffdd00", "#7fb2d9", "#ffffff"])
def test_a_light_theme_colour_is_refused_with_a_darker_one_that_passes(value):
    with pytest.raises(ImproperlyConfigured) as refused:
        theme.checked_colour("THEME_ACCENT_COLOR", value)
    message = str(refused.value)
    assert "THEME_ACCENT_COLOR" in message and "4.5:1" in message
    suggestion = re.search(r"passes: (#[0-9a-f]{6})", message).group(1)
    assert theme.contrast(suggestion) >= 4.5
    assert theme.checked_colour("THEME_ACCENT_COLOR", suggestion) == suggestion


@pytest.mark.parametrize("value", ["blue", "#12345", "rgb(0,0,0)", "#00zz00"])
def test_a_theme_colour_that_is_no_hex_colour_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="must be a hex colour"):
        theme.checked_colour("THEME_PRIMARY_COLOR", value)


def _start(**environment) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "true", **environment}
    return subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_platform_refuses_to_start_with_a_theme_colour_of_too_little_contrast():
    refused = _start(THEME_PRIMARY_COLOR="#66ccff")
    assert refused.returncode != 0
    assert "THEME_PRIMARY_COLOR=#66ccff has a contrast of" in refused.stderr
    assert _start(THEME_PRIMARY_COLOR="#1d4f91", THEME_ACCENT_COLOR="#8a4b00").returncode == 0


def test_the_theme_stylesheet_carries_the_colours_and_is_cached_by_its_version(client, settings):
    settings.THEME_PRIMARY_COLOR, settings.THEME_ACCENT_COLOR = "#1d4f91", "#8a4b00"
    version = theme.version("#1d4f91", "#8a4b00")
    response = client.get(f"/theme.css?v={version}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    body = response.content.decode()
    assert "--kern-color-action-default: #1d4f91;" in body
    assert "--sa-color-accent: #8a4b00;" in body
    assert "immutable" in response["Cache-Control"]
    # An old version's URL is not kept for a year.
    assert "immutable" not in client.get("/theme.css?v=old")["Cache-Control"]


@pytest.mark.django_db
def test_every_page_links_the_theme_logo_and_favicon_of_the_deployment(client, settings):
    settings.THEME_PRIMARY_COLOR = "#1d4f91"
    settings.SITE_LOGO = "https://stadt.example/logo.svg"
    settings.FAVICON = "core/img/stadtallianz-logo.svg"
    page = client.get("/de/").content.decode()
    assert f'/theme.css?v={theme.version("#1d4f91", settings.THEME_ACCENT_COLOR)}' in page
    assert 'src="https://stadt.example/logo.svg"' in page
    assert re.search(r'<link rel="icon" href="[^"]*core/img/stadtallianz-logo\.svg"', page)
    assert "vendor/%40kern-ux/native/dist/kern.min.css" in page
    assert "vendor/%40kern-ux/native/dist/fonts/fira-sans.css" in page
    assert 'data-kern-theme="light"' in page


def test_the_coordination_office_is_named_by_the_deployment_or_in_the_readers_language(settings):
    request = RequestFactory().get("/")
    settings.COORDINATION_OFFICE_NAME = ""
    with translation.override("de"):
        assert site(request)["COORDINATION_OFFICE_NAME"] == "Koordinierungsstelle"
    with translation.override("en"):
        assert site(request)["COORDINATION_OFFICE_NAME"] == "coordination office"
    settings.COORDINATION_OFFICE_NAME = "Stabsstelle Smart City"
    with translation.override("en"):
        assert site(request)["COORDINATION_OFFICE_NAME"] == "Stabsstelle Smart City"


def test_the_default_map_attribution_is_in_the_readers_language(settings):
    settings.MAP_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
    with translation.override("de"):
        attribution = site(RequestFactory().get("/"))["MAP_TILE_ATTRIBUTION"]
    assert attribution == "© OpenStreetMap-Mitwirkende"
    settings.MAP_TILE_ATTRIBUTION = "© Stadt Münster"
    with translation.override("de"):
        assert site(RequestFactory().get("/"))["MAP_TILE_ATTRIBUTION"] == "© Stadt Münster"


# The error summary ---------------------------------------------------------------------------

class PlaceForm(forms.Form):
    name = forms.CharField(label="Name of the place")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")],
                             widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The place is outside the city.")


def _summary(**context) -> str:
    with translation.override("en"):
        return render_to_string("core/includes/form_errors.html", context)


def test_the_error_summary_links_each_field_error_to_its_field_and_lists_the_forms_own():
    form = PlaceForm(data={}, prefix="place")
    assert not form.is_valid()
    html = _summary(form=form)
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "data-error-summary" in html
    assert '<a href="#id_place-name">Name of the place: This field is required.</a>' in html
    # A group of radio buttons is linked by its first button, which its label names.
    assert '<a href="#id_place-kind_0">Kind: This field is required.</a>' in html
    assert "<li>The place is outside the city.</li>" in html
    # A hidden field has nothing to link to: its error is said as the form's.
    assert "Token: This field is required." in html and 'href="#id_place-token"' not in html


def test_the_error_summary_joins_several_forms_and_is_empty_for_valid_or_unbound_ones():
    first, second = PlaceForm(data={}, prefix="first"), PlaceForm(data={}, prefix="second")
    html = _summary(forms=[first, second])
    assert 'href="#id_first-name"' in html and 'href="#id_second-name"' in html
    assert html.count('class="form-error-summary"') == 1
    assert "form-error-summary" not in _summary(form=PlaceForm(prefix="new"))
    assert "form-error-summary" not in _summary()


def test_the_styleguides_example_summary_does_not_take_the_focus():
    html = _summary(form=PlaceForm(data={}), example=True)
    assert "form-error-summary" in html and "data-error-summary" not in html


# The select prompt -------------------------------------------------------------------------

def test_a_select_starts_with_a_prompt_in_the_readers_language():
    class Choice(forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("x", "X")])
        typed = forms.TypedChoiceField(choices=[("", "---------"), (1, "One")], coerce=int)

    with translation.override("de"):
        html = str(Choice())
    assert html.count("<option value=\"\" selected>– Bitte wählen –</option>") == 2
    assert "---------" not in html
    with translation.override("en"):
        assert "– Please choose –" in str(Choice())


DASHES_ONLY = re.compile(r'<option value=""[^>]*>\s*[-–—]+\s*</option>')


@pytest.mark.django_db
def test_no_form_of_any_app_shows_dashes_as_its_empty_choice():
    """Every form of every app that can be built without arguments: ModelChoiceFields, model
    fields with choices and TypedChoiceFields with a blank start with the prompt."""
    prompted, checked = set(), 0
    with translation.override("de"):
        for module in pkgutil.iter_modules(stadtallianz.__path__):
            try:
                forms_module = importlib.import_module(f"stadtallianz.{module.name}.forms")
            except ModuleNotFoundError:
                continue
            for name, cls in inspect.getmembers(forms_module, inspect.isclass):
                if not issubclass(cls, forms.BaseForm) or cls.__module__ != forms_module.__name__:
                    continue
                try:
                    html = str(cls())
                except TypeError:  # needs arguments (a user, an idea …)
                    continue
                checked += 1
                assert "---------" not in html, f"{forms_module.__name__}.{name}"
                # Nor an empty choice of dashes of its own ("—", "-").
                assert not DASHES_ONLY.search(html), f"{forms_module.__name__}.{name}"
                if "– Bitte wählen –" in html:
                    prompted.add(f"{module.name}.{name}")
    assert checked >= 20
    assert {"partners.OfferForm", "partners.OrganisationCreateForm",
            "projects.PhasePeriodForm"} <= prompted, prompted


# The styleguide and the error pages ----------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("de", "Designsystem"),
                                                   ("en", "Design system")])
def test_the_styleguide_shows_the_components_and_is_not_indexed(client, language, heading):
    response = client.get(f"/{language}/styleguide/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page and '<meta name="robots" content="noindex">' in page
    for component in ("kern-card", "kern-badge--success", "kern-alert--danger", "table-stack",
                      'class="table-scroll" role="region" tabindex="0"', "form-error-summary",
                      'aria-current="page"', 'role="tablist"', "<dialog", "empty-state",
                      "swatch--primary", "menu-button"):
        assert component in page, component
    assert ("Seite 2 von 7" if language == "de" else "Page 2 of 7") in page


@pytest.mark.django_db
def test_the_styleguide_is_not_in_the_sitemap(client):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>" in sitemap and "styleguide" not in sitemap


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title", "link"), [
    ("de", "Seite nicht gefunden", "Zur Startseite"),
    ("en", "Page not found", "Go to the home page"),
])
def test_the_404_page_has_the_layout_and_speaks_the_language_of_its_path(
        client, settings, language, title, link):
    settings.DEBUG = False
    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}"' in page and f"<h1>{title}</h1>" in page
    assert link in page and 'class="site-header"' in page and 'class="site-footer"' in page
    assert 'id="not-found-q"' in page  # a search to go on from


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("de", "Zugriff verweigert"),
                                                 ("en", "Access denied")])
def test_the_403_page_has_the_layout_and_names_the_coordination_office(
        client, citizen, settings, language, title):
    settings.DEBUG = False
    settings.COORDINATION_OFFICE_NAME = "Stabsstelle Smart City"
    client.force_login(citizen)
    response = client.get(f"/{language}/backoffice/")
    assert response.status_code == 403
    page = response.content.decode()
    assert f"<h1>{title}</h1>" in page and 'class="site-header"' in page
    assert "Stabsstelle Smart City" in page


@pytest.mark.parametrize(("language", "title"), [("de", "Serverfehler"), ("en", "Server error")])
def test_the_500_page_stands_alone_without_the_database(language, title):
    """Django renders it without a request context; it must need neither the context processors
    nor the database (the error may be that the database is gone): this test has no database,
    and any query would fail it."""
    from django.views.defaults import server_error

    request = RequestFactory().get(f"/{language}/")
    with translation.override(language):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}"' in page and f"<h1>{title}</h1>" in page
    assert "kern.min.css" in page and "/theme.css" in page and 'class="site-header"' in page


def test_a_select_rendered_in_python_starts_with_the_prompt_too():
    """projects.forms.PlainSelect renders its options without the option template (hundreds
    of organisations); its empty choice says what to do as well (the consortium's invitation
    showed "---------")."""
    from stadtallianz.projects.forms import PlainSelect

    class Invite(forms.Form):
        organisation = forms.ChoiceField(widget=PlainSelect,
                                         choices=[("", "---------"), ("1", "Stadtwerke")])

    with translation.override("de"):
        html = str(Invite())
    assert "– Bitte wählen –" in html and not DASHES_ONLY.search(html)
    assert '<option value="1">Stadtwerke</option>' in html
