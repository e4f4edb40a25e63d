import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.partners.models import Membership, Organisation

from .conftest import ALLOWED, DENIED, assert_denied, image_bytes


def url(organisation) -> str:
    return reverse("partners:edit", kwargs={"slug": organisation.slug})


def valid_data(**overrides) -> dict:
    data = {"name": "Stadtwerke Neu", "type": "company", "description_de": "Neu",
            "description_en": "New", "website": "https://example.org", "street": "Hafenweg 1",
            "postal_code": "48155", "city": "Münster", "latitude": "51.95", "longitude": "7.64"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("role", "expected"), DENIED)
def test_edit_is_denied(role, expected, as_role, organisation):
    """Only the organisation's admins and the coordinator may open or post the edit form."""
    client = as_role(role)
    assert_denied(client.get(url(organisation)), expected)
    assert_denied(client.post(url(organisation), valid_data()), expected)
    organisation.refresh_from_db()
    assert organisation.name == "Stadtwerke Beispielstadt"


def test_edit_of_a_hidden_organisation_is_404_for_outsiders(as_role, make_organisation, citizen):
    """A citizen cannot learn that a draft organisation exists through its edit page."""
    draft = make_organisation("Hidden", status=Organisation.Status.DRAFT)
    assert as_role("citizen").get(url(draft)).status_code == 404


@pytest.mark.parametrize("role", ALLOWED)
def test_admin_and_coordinator_edit_the_profile(role, as_role, organisation):
    """A partner admin or the coordinator saves all fields; the change is audited."""
    area = FocusArea.objects.create(slug="energy-test", name_de="Energie")
    client = as_role(role)
    assert client.get(url(organisation)).status_code == 200
    response = client.post(url(organisation), valid_data(focus_areas=[area.pk]))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Stadtwerke Neu" and organisation.city == "Münster"
    assert str(organisation.latitude) == "51.950000"
    assert list(organisation.focus_areas.all()) == [area]
    entry = AuditEntry.objects.get(action="partner.profile.changed")
    assert entry.before["name"] == "Stadtwerke Beispielstadt"
    assert entry.after["name"] == "Stadtwerke Neu"
    assert entry.after["focus_areas"] == ["energy-test"]


@pytest.mark.parametrize(("field", "value"), [("latitude", "91"), ("longitude", "-180.5")])
def test_coordinates_out_of_range_are_refused(field, value, as_role, partner_admin, organisation):
    """A latitude beyond ±90 or longitude beyond ±180 is an error next to the field."""
    response = as_role("partner_admin").post(url(organisation), valid_data(**{field: value}))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Stadtwerke Beispielstadt"


def test_png_logo_is_stored_under_a_safe_name(as_role, partner_admin, organisation):
    """A real PNG is accepted and stored with the extension of its actual format."""
    logo = SimpleUploadedFile("my logo.PNG", image_bytes("PNG"), content_type="image/png")
    response = as_role("partner_admin").post(url(organisation), valid_data(logo=logo))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith(f"logos/{organisation.slug}")
    assert organisation.logo.name.endswith(".png")


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_jpeg_and_webp_logos_are_accepted(image_format, as_role, partner_admin, organisation):
    """JPEG and WebP are allowed formats too."""
    extension = {"JPEG": "jpg", "WEBP": "webp"}[image_format]
    logo = SimpleUploadedFile(f"logo.{extension}", image_bytes(image_format))
    response = as_role("partner_admin").post(url(organisation), valid_data(logo=logo))
    assert response.status_code == 302


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
BAD_LOGOS = {
    "text named png": ("logo.png", b"this is not an image", "image/png", "invalid_image"),
    "svg": ("logo.svg", SVG, "image/svg+xml", "invalid_image"),
    "svg named png": ("logo.png", SVG, "image/png", "invalid_image"),
    "gif": ("logo.gif", image_bytes("GIF"), "image/gif", "format"),
    "too large": ("big.png", image_bytes("PNG", size=(1500, 1500)) + b"\0" * (2 * 1024 * 1024),
                  "image/png", "too_large"),
}


@pytest.mark.parametrize("case", BAD_LOGOS)
def test_bad_logo_is_refused_and_nothing_is_saved(case, as_role, partner_admin, organisation):
    """A non-image, an SVG, another format or a file over 2 MB is refused; no field is saved."""
    name, content, content_type, code = BAD_LOGOS[case]
    logo = SimpleUploadedFile(name, content, content_type=content_type)
    response = as_role("partner_admin").post(url(organisation), valid_data(logo=logo))
    assert response.status_code == 200
    assert 'id="id_logo_error"' in response.content.decode()
    assert code in [error.code for error in response.context["form"].errors.as_data()["logo"]]
    organisation.refresh_from_db()
    assert organisation.name == "Stadtwerke Beispielstadt"
    assert not organisation.logo
    assert not AuditEntry.objects.filter(action="partner.profile.changed").exists()


def test_member_of_hidden_organisation_gets_403_not_404(as_role, make_organisation, make_user,
                                                        client_for):
    """A member of a draft organisation sees it exists but may not edit it."""
    draft = make_organisation("Draft", status=Organisation.Status.DRAFT)
    member = make_user("draftmember@example.org")
    Membership.objects.create(user=member, organisation=draft, role=Membership.Role.MEMBER)
    assert client_for(member).get(url(draft)).status_code == 403


def _upload_logo(client, organisation, name="logo.png") -> str:
    logo = SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")
    assert client.post(url(organisation), valid_data(logo=logo)).status_code == 302
    organisation.refresh_from_db()
    return organisation.logo.name


def test_a_replaced_logo_file_is_deleted_after_the_save(as_role, partner_admin, organisation,
                                                        django_capture_on_commit_callbacks):
    """Uploading a new logo removes the old file from storage once the change is committed."""
    client = as_role("partner_admin")
    with django_capture_on_commit_callbacks(execute=True):
        old_name = _upload_logo(client, organisation)
    storage = organisation.logo.storage
    assert storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        new_name = _upload_logo(client, organisation, "other.png")
    assert new_name != old_name
    assert storage.exists(new_name)
    assert not storage.exists(old_name)


def test_a_cleared_logo_file_is_deleted_after_the_save(as_role, partner_admin, organisation,
                                                       django_capture_on_commit_callbacks):
    """Removing the logo with the clear box removes its file too."""
    client = as_role("partner_admin")
    with django_capture_on_commit_callbacks(execute=True):
        old_name = _upload_logo(client, organisation)
    storage = organisation.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(organisation), valid_data(**{"logo-clear": "on"}))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert not organisation.logo
    assert not storage.exists(old_name)


def test_the_old_logo_stays_when_the_save_rolls_back(partner_admin, organisation,
                                                     django_capture_on_commit_callbacks):
    """If the transaction that replaced the logo rolls back, the old file is kept: the profile
    still points at it."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from stadtallianz.partners import services

    organisation.logo.save("old.png", ContentFile(image_bytes("PNG")))
    old_name = organisation.logo.name
    storage = organisation.logo.storage
    new_logo = SimpleUploadedFile("new.png", image_bytes("PNG"), content_type="image/png")
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        services.organisation_update(organisation=organisation, by=partner_admin,
                                     data={"logo": new_logo})
        raise RuntimeError("a later step of the same transaction failed")
    assert callbacks == []
    assert storage.exists(old_name)
    assert Organisation.objects.get(pk=organisation.pk).logo.name == old_name
