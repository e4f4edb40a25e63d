"""The operator's forms: creating and editing a lab, a datastream's privacy and retention,
device tokens (the key shown once, revoking by POST). Every denied path per role: a visitor is
sent to log in, a citizen, a member of the operator (not admin) and another organisation's
admin get 403; the operator's admin and the coordination office may."""

import json

import pytest
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count
from stadtallianz.livinglabs.models import LabToken, LivingLab
from stadtallianz.sensorthings.models import Datastream, Observation

pytestmark = pytest.mark.django_db

DENIED = ["citizen", "partner_member", "other_admin"]
ALLOWED = ["partner_admin", "coordinator"]


def _pages(lab, streams):
    token = LabToken.issue(lab=lab, name="Boje")[0]
    stream = streams["public"]
    return [
        ("get", reverse("livinglabs:edit", args=[lab.slug])),
        ("get", reverse("livinglabs:datastreams", args=[lab.slug])),
        ("get", reverse("livinglabs:datastream_privacy", args=[lab.slug, stream.pk])),
        ("post", reverse("livinglabs:datastream_privacy", args=[lab.slug, stream.pk])),
        ("get", reverse("livinglabs:tokens", args=[lab.slug])),
        ("post", reverse("livinglabs:tokens", args=[lab.slug])),
        ("post", reverse("livinglabs:token_revoke", args=[lab.slug, token.pk])),
    ]


def test_a_visitor_is_sent_to_log_in(client, lab, streams):
    for method, url in [*_pages(lab, streams), ("get", reverse("livinglabs:create"))]:
        response = getattr(client, method)(url, {"name": "x", "privacy_level": "public"})
        assert response.status_code == 302 and "login" in response["Location"], url
    assert not LabToken.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize("who", DENIED)
def test_others_are_refused_every_management_page(request, client_for, lab, streams, who):
    client = client_for(request.getfixturevalue(who))
    for method, url in _pages(lab, streams):
        response = getattr(client, method)(url, {"name": "x", "privacy_level": "restricted",
                                                 "aggregation_window": 3600, "k_threshold": 5})
        assert response.status_code == 403, url
    assert not LabToken.objects.filter(revoked_at__isnull=False).exists()
    assert LabToken.objects.count() == 1
    assert Datastream.objects.get(pk=streams["public"].pk).privacy_level == "public"
    page = client.get(lab.get_absolute_url()).text
    assert reverse("livinglabs:tokens", args=[lab.slug]) not in page


@pytest.mark.parametrize("who", ["citizen", "partner_member"])
def test_only_admins_and_the_coordination_office_create_labs(request, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(
        reverse("livinglabs:create")).status_code == 403


def _lab_form(**changes):
    data = {"name_de": "Reallabor Hafen", "description_de": "Am **Hafen**.",
            "area": json.dumps({"type": "Point", "coordinates": [7.64, 51.95]}),
            "starts_on": "2026-05-01", "state": "planned", "contact_name": "Hafenteam",
            "contact_email": "hafen@example.org", "default_privacy_level": "restricted"}
    data.update(changes)
    return data


def test_an_admin_creates_a_lab_for_their_organisation(client_for, partner_admin, organisation,
                                                       other_admin):
    client = client_for(partner_admin)
    other = other_admin.memberships.get().organisation
    refused = client.post(reverse("livinglabs:create"), _lab_form(operator=other.pk))
    assert refused.status_code == 400 and "operator" in refused.context["form"].errors
    response = client.post(reverse("livinglabs:create"), _lab_form(operator=organisation.pk,
                                                                   partners=[other.pk]))
    lab = LivingLab.objects.get(name_de="Reallabor Hafen")
    assert response.status_code == 302 and response["Location"] == lab.get_absolute_url()
    assert lab.operator == organisation and list(lab.partners.all()) == [other]
    assert lab.created_by == partner_admin
    assert AuditEntry.objects.filter(action="livinglab.created").exists()


@pytest.mark.parametrize("area, message", [
    ("{not json", "JSON"),
    (json.dumps({"type": "LineString", "coordinates": [[7, 51], [8, 52]]}), "LineString"),
    (json.dumps({"type": "Point", "coordinates": [700, 51]}), ""),
])
def test_a_bad_area_is_refused_next_to_the_field(client_for, coordinator, organisation, area,
                                                 message):
    response = client_for(coordinator).post(reverse("livinglabs:create"),
                                            _lab_form(operator=organisation.pk, area=area))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["area"])
    assert message in errors
    assert not LivingLab.objects.filter(name_de="Reallabor Hafen").exists()


def test_the_end_before_the_start_is_refused(client_for, partner_admin, lab):
    response = client_for(partner_admin).post(
        reverse("livinglabs:edit", args=[lab.slug]),
        _lab_form(starts_on="2026-05-01", ends_on="2026-04-01"))
    assert response.status_code == 400 and "ends_on" in response.context["form"].errors


@pytest.mark.parametrize("who", ALLOWED)
def test_the_operator_edits_the_lab(request, client_for, lab, who, make_project):
    project = make_project("Seeprojekt")
    response = client_for(request.getfixturevalue(who)).post(
        reverse("livinglabs:edit", args=[lab.slug]),
        _lab_form(name_de="Reallabor Aasee Nord", learnings_de="Viel gelernt.",
                  projects=[project.pk]))
    assert response.status_code == 302, response.context["form"].errors
    lab.refresh_from_db()
    assert lab.name_de == "Reallabor Aasee Nord" and list(lab.projects.all()) == [project]


def test_the_key_is_shown_once_and_works_then_revoked_it_does_not(client_for, partner_admin,
                                                                  lab):
    client = client_for(partner_admin)
    response = client.post(reverse("livinglabs:tokens", args=[lab.slug]), {"name": "Boje 1"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["issued"]["key"]
    token = LabToken.objects.get(name="Boje 1")
    assert key in response.text and token.username in response.text
    assert response.context["issued"]["secret"] in response.text
    assert LabToken.from_key(key) == token
    listing = client.get(reverse("livinglabs:tokens", args=[lab.slug]))
    assert key not in listing.text and token.username in listing.text
    assert client.post(reverse("livinglabs:token_revoke",
                               args=[lab.slug, token.pk])).status_code == 302
    assert LabToken.from_key(key) is None
    assert client.get(reverse("livinglabs:token_revoke",
                              args=[lab.slug, token.pk])).status_code == 405


def test_a_token_of_another_lab_cannot_be_revoked_here(client_for, partner_admin, lab,
                                                       other_lab):
    token = LabToken.issue(lab=other_lab, name="Fremd")[0]
    response = client_for(partner_admin).post(reverse("livinglabs:token_revoke",
                                                      args=[lab.slug, token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_empty_token_name_is_refused_next_to_the_field(client_for, partner_admin, lab):
    response = client_for(partner_admin).post(reverse("livinglabs:tokens", args=[lab.slug]),
                                              {"name": ""})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert not LabToken.objects.exists()


def test_the_token_page_shows_the_public_broker_address_never_the_bridges_password(
        client_for, partner_admin, lab, settings):
    settings.MQTT_URL = "mqtt://stadtallianz-bridge:TopSecret123@127.0.0.1:1883"
    settings.MQTT_PUBLIC_URL = "mqtt://someone:else@daten.example.org:1884"
    # The address is shown with a new key, which explains how a device logs in.
    page = client_for(partner_admin).post(reverse("livinglabs:tokens", args=[lab.slug]),
                                          {"name": "Boje"})
    text = page.content.decode()
    assert "mqtt://daten.example.org:1884" in text
    assert "TopSecret123" not in text and "someone" not in text


def _privacy(**changes):
    data = {"privacy_level": "restricted", "aggregation_window": 3600, "k_threshold": 5,
            "retention_days": 30}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ALLOWED)
def test_the_operator_sets_privacy_and_retention(request, client_for, lab, streams, who):
    stream = streams["public"]
    response = client_for(request.getfixturevalue(who)).post(
        reverse("livinglabs:datastream_privacy", args=[lab.slug, stream.pk]), _privacy())
    assert response.status_code == 302
    stream.refresh_from_db()
    assert stream.privacy_level == "restricted" and stream.retention_days == 30


def test_aggregating_folds_raw_values_and_there_is_no_way_back(client_for, partner_admin, lab,
                                                              streams):
    client = client_for(partner_admin)
    stream = streams["public"]
    url = reverse("livinglabs:datastream_privacy", args=[lab.slug, stream.pk])
    assert client.post(url, _privacy(privacy_level="aggregated",
                                     retention_days="")).status_code == 302
    assert not Observation.objects.filter(datastream=stream, bucket_count__isnull=True).exists()
    back = client.post(url, _privacy(privacy_level="public"))
    assert back.status_code == 400 and "privacy_level" in back.context["form"].errors
    stream.refresh_from_db()
    assert stream.privacy_level == "aggregated"


def test_the_settings_list_shows_restricted_streams_to_the_operator(client_for, partner_admin,
                                                                   lab, streams):
    text = client_for(partner_admin).get(reverse("livinglabs:datastreams", args=[lab.slug])).text
    assert "Geheimsensor Quokka" in text and "Radzählung" in text


def test_the_token_and_datastream_pages_make_the_same_number_of_queries_for_more_rows(
        client_for, partner_admin, lab, make_datastream):
    client = client_for(partner_admin)
    tokens_url = reverse("livinglabs:tokens", args=[lab.slug])
    streams_url = reverse("livinglabs:datastreams", args=[lab.slug])
    LabToken.issue(lab=lab, name="Erster", created_by=partner_admin)
    make_datastream(lab, name="Erster")
    few = query_count(client.get, tokens_url), query_count(client.get, streams_url)
    for index in range(8):
        LabToken.issue(lab=lab, name=f"Token {index}", created_by=partner_admin)
        make_datastream(lab, name=f"Strom {index}")
    assert (query_count(client.get, tokens_url), query_count(client.get, streams_url)) == few


def test_revoking_and_creating_tokens_need_the_csrf_token(partner_admin, lab):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_admin, backend="django.contrib.auth.backends.ModelBackend")
    token = LabToken.issue(lab=lab, name="Boje")[0]
    assert client.post(reverse("livinglabs:token_revoke",
                               args=[lab.slug, token.pk])).status_code == 403
    assert client.post(reverse("livinglabs:tokens", args=[lab.slug]),
                       {"name": "Neu"}).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None and LabToken.objects.count() == 1


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1969-12-31", "2101-01-01"])
def test_an_implausible_lab_period_is_an_error_next_to_the_field(client_for, partner_admin,
                                                                organisation, value):
    """Issue 11, item 3: the range of plans (2000 to 2100) in the web form too."""
    response = client_for(partner_admin).post(reverse("livinglabs:create"), _lab_form(
        operator=organisation.pk, starts_on=value))
    assert response.status_code == 400
    assert "starts_on" in response.context["form"].errors
    assert not LivingLab.objects.exists()


def test_who_may_operate_a_new_lab_is_one_rule_for_form_and_service(
        partner_admin, coordinator, organisation, other_admin, make_organisation):
    """permissions.operators_for: an admin offers the public partners they administer, the
    coordination office every public partner; the service refuses any other operator itself,
    whatever form or client sent it."""
    from django.core.exceptions import ValidationError

    from stadtallianz.livinglabs import permissions, services
    from stadtallianz.livinglabs.forms import LabForm
    from stadtallianz.partners.models import Organisation

    other = other_admin.memberships.get().organisation
    applicant = make_organisation("Bewerber e.V.", status=Organisation.Status.DRAFT)
    assert list(permissions.operators_for(partner_admin)) == [organisation]
    everyone = set(permissions.operators_for(coordinator))
    assert {organisation, other} <= everyone and applicant not in everyone
    form = LabForm(user=partner_admin)
    assert list(form.fields["operator"].queryset) == [organisation]
    with pytest.raises(ValidationError) as refused:
        services.create_lab(actor=partner_admin, operator=other,
                            data={"name_de": "Reallabor Hafen"}, relations={})
    assert "operator" in refused.value.message_dict
    assert not LivingLab.objects.exists()
