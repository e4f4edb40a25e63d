"""The services: submission, edits with versions and optimistic locking, images, co-authors and
state changes, each with its permission and its refusals."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import in_open_transaction
from stadtallianz.ideas import images, services
from stadtallianz.ideas.models import CoAuthor, Follow, Idea, IdeaImage, IdeaVersion
from stadtallianz.notifications.models import Notification
from stadtallianz.projects.models import Project

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
S = Idea.State


def test_a_citizen_submits_an_idea_follows_it_and_it_is_version_one(submit, citizen):
    idea = submit("Bänke am Aasee", by=citizen, place_name="Aasee", latitude="51.95",
                  longitude="7.61")
    assert idea.author == citizen and idea.version == 1 and idea.state == S.SUBMITTED
    version = idea.versions.get()
    assert version.number == 1 and version.title == "Bänke am Aasee"
    assert version.details["place_name"] == "Aasee"
    assert Follow.objects.filter(idea=idea, user=citizen).exists()
    assert AuditEntry.objects.filter(action="idea.created").count() == 1


@pytest.mark.parametrize("who", ["unconfirmed", "visitor"])
def test_only_confirmed_registered_people_submit(submit, request, who):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "visitor" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        submit(by=user)
    assert not Idea.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"latitude": "95", "longitude": "7"}, "latitude"),
    ({"latitude": "51", "longitude": None}, "longitude"),
    ({"description": "x" * 20001}, "description"),
])
def test_bad_input_names_the_field_and_writes_nothing(submit, data, field):
    title = data.pop("title", "Titel")
    with pytest.raises(ValidationError) as error:
        submit(title, **data)
    assert field in error.value.error_dict
    assert not Idea.objects.exists() and not IdeaVersion.objects.exists()


def test_an_archived_working_group_is_refused(submit, make_group):
    from stadtallianz.workinggroups.models import WorkingGroup

    archived = make_group("Alt", slug="alt", state=WorkingGroup.State.ARCHIVED)
    with pytest.raises(ValidationError) as error:
        submit(working_group=archived)
    assert "working_group" in error.value.error_dict


def test_an_idea_keeps_its_group_once_archived(idea, writer, group):
    from stadtallianz.workinggroups.models import WorkingGroup

    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    idea.refresh_from_db()
    services.idea_update(idea=idea, by=writer, data={"title": "Neu", "working_group": group},
                         base_version=1)
    idea.refresh_from_db()
    assert idea.title == "Neu" and idea.working_group == group


def test_every_saved_edit_is_a_new_version(idea, writer):
    services.idea_update(idea=idea, by=writer, data={"title": "Radweg überall"},
                         base_version=1)
    idea.refresh_from_db()
    assert idea.version == 2 and idea.title == "Radweg überall"
    assert list(idea.versions.values_list("number", "author")) == [(2, writer.pk), (1, writer.pk)]
    assert AuditEntry.objects.filter(action="idea.changed").count() == 1


def test_an_edit_that_changes_nothing_makes_no_version(idea, writer):
    services.idea_update(idea=idea, by=writer, data={"title": idea.title}, base_version=1)
    idea.refresh_from_db()
    assert idea.version == 1 and idea.versions.count() == 1


def test_an_edit_on_an_old_version_is_refused_with_the_differing_fields(idea, writer,
                                                                        coordinator):
    services.idea_update(idea=idea, by=coordinator, data={"title": "Vom Büro"}, base_version=1)
    with pytest.raises(services.EditConflict) as conflict:
        services.idea_update(idea=idea, by=writer,
                             data={"title": "Von mir", "description": idea.description},
                             base_version=1)
    assert conflict.value.idea.version == 2
    assert conflict.value.fields == {"title": {"yours": "Von mir", "current": "Vom Büro"}}
    idea.refresh_from_db()
    assert idea.title == "Vom Büro" and idea.versions.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_editors_on_the_same_version_cannot_both_save(idea, writer, coordinator):
    """The row is locked while the version is compared: the second editor waits and is then
    refused, never silently overwriting the first."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    thread, errors = in_open_transaction(lambda: services.idea_update(
        idea=idea, by=coordinator, data={"title": "Erster"}, base_version=1))
    with pytest.raises(services.EditConflict):
        services.idea_update(idea=idea, by=writer, data={"title": "Zweiter"}, base_version=1)
    thread.join()
    assert not errors
    idea.refresh_from_db()
    assert idea.title == "Erster" and idea.version == 2


@pytest.mark.parametrize("role, allowed", [
    ("writer", True), ("coordinator", True), ("citizen", False), ("lead", False),
    ("partner_member", False), ("member", False)])
def test_who_edits(idea, request, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        services.idea_update(idea=idea, by=user, data={"title": "Neu"}, base_version=1)
    else:
        with pytest.raises(PermissionDenied):
            services.idea_update(idea=idea, by=user, data={"title": "Neu"}, base_version=1)


def test_an_accepted_co_author_edits_an_invited_one_does_not(idea, writer, citizen):
    coauthor = services.coauthor_invite(idea=idea, by=writer, email="CITIZEN@example.org")
    with pytest.raises(PermissionDenied):
        services.idea_update(idea=idea, by=citizen, data={"title": "Neu"}, base_version=1)
    services.coauthor_respond(coauthor=coauthor, by=citizen, accept=True)
    services.idea_update(idea=idea, by=citizen, data={"title": "Neu"}, base_version=1)
    assert Follow.objects.filter(idea=idea, user=citizen).exists()


def test_authors_no_longer_edit_a_decided_idea(idea, writer, coordinator):
    services.change_state(idea=idea, by=coordinator, state=S.DECLINED, reason="Kein Platz.")
    with pytest.raises(PermissionDenied):
        services.idea_update(idea=idea, by=writer, data={"title": "Neu"}, base_version=1)


def test_co_author_invitations(idea, writer, citizen, partner_member, coordinator):
    coauthor = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    note = Notification.objects.get(recipient=citizen, kind="idea-coauthor-invited")
    assert note.url == coauthor.get_respond_url()
    for email, code in [("kein-at", "invalid"), (writer.email.upper(), "author"),
                        (citizen.email, "duplicate")]:
        with pytest.raises(ValidationError) as error:
            services.coauthor_invite(idea=idea, by=writer, email=email)
        assert error.value.error_dict["email"][0].code == code
    with pytest.raises(PermissionDenied):
        services.coauthor_invite(idea=idea, by=partner_member, email=coordinator.email)
    with pytest.raises(PermissionDenied):
        services.coauthor_respond(coauthor=coauthor, by=partner_member, accept=True)
    services.coauthor_respond(coauthor=coauthor, by=citizen, accept=True)
    with pytest.raises(ValidationError):
        services.coauthor_respond(coauthor=coauthor, by=citizen, accept=False)
    with pytest.raises(PermissionDenied):
        services.coauthor_remove(coauthor=coauthor, by=partner_member)
    services.coauthor_remove(coauthor=coauthor, by=writer)
    assert not CoAuthor.objects.exists()


def test_an_unknown_address_is_invited_like_a_known_one_but_nobody_is_told(
        idea, writer, citizen):
    unknown = services.coauthor_invite(idea=idea, by=writer, email="  Nobody@Example.org ")
    known = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    assert unknown.state == known.state == CoAuthor.State.INVITED
    assert (unknown.user, unknown.email) == (None, "nobody@example.org")
    assert known.user == citizen and known.email == citizen.email
    assert unknown.shown_as == "nobody@example.org" and known.shown_as == citizen.email
    assert Notification.objects.filter(kind="idea-coauthor-invited").count() == 1
    with pytest.raises(ValidationError) as error:  # the same refusal for both, too
        services.coauthor_invite(idea=idea, by=writer, email="nobody@example.org")
    assert error.value.error_dict["email"][0].code == "duplicate"
    services.coauthor_respond(coauthor=known, by=citizen, accept=True)
    known.refresh_from_db()
    assert known.shown_as == citizen.full_name


def test_open_invitations_per_idea_and_invitations_per_day_are_limited(
        idea, submit, writer, monkeypatch):
    monkeypatch.setattr(services, "COAUTHOR_OPEN_MAX", 2)
    monkeypatch.setattr(services, "COAUTHOR_DAILY_MAX", 3)
    first = services.coauthor_invite(idea=idea, by=writer, email="a@example.org")
    services.coauthor_invite(idea=idea, by=writer, email="b@example.org")
    with pytest.raises(ValidationError) as error:
        services.coauthor_invite(idea=idea, by=writer, email="c@example.org")
    assert error.value.error_dict["email"][0].code == "too_many_open"
    services.coauthor_remove(coauthor=first, by=writer)  # frees a place on the idea ...
    services.coauthor_invite(idea=idea, by=writer, email="c@example.org")
    with pytest.raises(ValidationError) as error:  # ... but not in the day's count
        services.coauthor_invite(idea=submit("Zweite"), by=writer, email="d@example.org")
    assert error.value.error_dict["email"][0].code == "too_many_today"
    AuditEntry.objects.filter(action="idea.coauthor_invited").update(
        created_at=timezone.now() - timedelta(days=1, minutes=1))
    services.coauthor_invite(idea=submit("Dritte"), by=writer, email="d@example.org")


def test_declining_an_invitation_removes_it(idea, writer, citizen):
    coauthor = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    assert services.coauthor_respond(coauthor=coauthor, by=citizen, accept=False) is None
    assert not CoAuthor.objects.exists()
    assert Notification.objects.filter(recipient=writer, kind="idea-coauthor-answered").exists()


@pytest.mark.parametrize("path", [
    [S.DISCUSSION, S.ACCEPTED], [S.DISCUSSION, S.DECLINED], [S.DECLINED], [S.DISCUSSION]])
def test_legal_transitions(idea, coordinator, path):
    for state in path:
        services.change_state(idea=idea, by=coordinator, state=state, reason="Begründung.")
    idea.refresh_from_db()
    assert idea.state == path[-1] and idea.state_changed_at is not None
    assert AuditEntry.objects.filter(action="idea.state_changed").count() == len(path)


@pytest.mark.parametrize("first, then", [
    (S.DECLINED, S.ACCEPTED), (S.DECLINED, S.DISCUSSION), (None, S.ACCEPTED),
    (None, S.SUBMITTED), (S.DISCUSSION, S.SUBMITTED)])
def test_illegal_transitions_are_refused_with_a_clear_message(idea, coordinator, first, then):
    if first:
        services.change_state(idea=idea, by=coordinator, state=first, reason="Grund.")
    with pytest.raises(ValidationError) as error:
        services.change_state(idea=idea, by=coordinator, state=then, reason="Grund.")
    assert not hasattr(error.value, "error_dict")
    assert "kann nicht" in error.value.messages[0]
    assert not Project.objects.exists()


def test_declining_needs_a_public_reason(idea, coordinator):
    with pytest.raises(ValidationError) as error:
        services.change_state(idea=idea, by=coordinator, state=S.DECLINED, reason="  ")
    assert "reason" in error.value.error_dict
    idea.refresh_from_db()
    assert idea.state == S.SUBMITTED


def test_merging_needs_another_visible_idea(idea, submit, coordinator):
    other = submit("Anderer Radweg")
    for target, code in [(None, "required"), (idea, "self")]:
        with pytest.raises(ValidationError) as error:
            services.change_state(idea=idea, by=coordinator, state=S.MERGED, merged_into=target)
        assert error.value.error_dict["merged_into"][0].code == code
    services.change_state(idea=idea, by=coordinator, state=S.MERGED, merged_into=other)
    idea.refresh_from_db()
    assert idea.merged_into == other and list(other.merged_ideas.all()) == [idea]
    with pytest.raises(ValidationError) as error:
        services.change_state(idea=other, by=coordinator, state=S.MERGED, merged_into=idea)
    assert error.value.error_dict["merged_into"][0].code == "invalid_target"


def test_accepting_makes_a_project_and_notifies_authors_co_authors_and_followers(
        idea, writer, citizen, partner_member, lead):
    coauthor = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    services.coauthor_respond(coauthor=coauthor, by=citizen, accept=True)
    Follow.objects.create(idea=idea, user=partner_member)
    services.change_state(idea=idea, by=lead, state=S.DISCUSSION)
    services.change_state(idea=idea, by=lead, state=S.ACCEPTED, reason="Machen wir.")
    project = Project.objects.get(origin_idea=idea)
    assert project.title_de == idea.title
    told = set(Notification.objects.filter(kind="idea-state-changed")
               .values_list("recipient__email", flat=True))
    assert told == {writer.email, citizen.email, partner_member.email}


@pytest.mark.parametrize("role, allowed", [
    ("coordinator", True), ("lead", True), ("other_lead", False), ("member", False),
    ("writer", False), ("citizen", False), ("partner_admin", False)])
def test_who_decides(idea, request, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        services.change_state(idea=idea, by=user, state=S.DISCUSSION)
    else:
        with pytest.raises(PermissionDenied):
            services.change_state(idea=idea, by=user, state=S.DISCUSSION)


def test_images_are_checked_by_their_content(idea, writer, png, citizen):
    image = images.image_add(idea=idea, by=writer, upload=png(), alt_text="Ein Radweg")
    assert image.image.name.endswith(".png") and image.alt_text == "Ein Radweg"
    for upload, field in [(png("fake.png", b"not an image"), "image"),
                          (png(), "alt_text")]:
        with pytest.raises(ValidationError) as error:
            images.image_add(idea=idea, by=writer, upload=upload,
                               alt_text="" if field == "alt_text" else "x")
        assert field in error.value.error_dict
    with pytest.raises(PermissionDenied):
        images.image_add(idea=idea, by=citizen, upload=png(), alt_text="x")
    assert IdeaImage.objects.count() == 1
    images.image_delete(image=image, by=writer)
    assert not IdeaImage.objects.exists()


def photo_with_gps(size=(40, 20), image_format="JPEG") -> bytes:
    """A photo as a phone takes it: EXIF with a GPS position, the camera, and the orientation
    "turn 90° clockwise to show" (the pixels are stored lying on their side)."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = image.getexif()
    exif[0x0110] = "Kamera Quokka"  # model
    exif[0x0112] = 6  # orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 3.25)})
    buffer = io.BytesIO()
    image.save(buffer, image_format, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("image_format, extension", [("JPEG", "jpg"), ("PNG", "png"),
                                                     ("WEBP", "webp")])
def test_images_are_stored_without_their_metadata_but_upright(idea, writer, png, image_format,
                                                              extension):
    original = photo_with_gps(image_format=image_format)
    with Image.open(io.BytesIO(original)) as check:  # the test photo has them
        assert check.getexif().get_ifd(0x8825) and check.getexif()[0x0112] == 6
    image = images.image_add(idea=idea, by=writer, upload=png(f"foto.{extension}", original),
                               alt_text="Ein Platz")
    assert image.image.name.endswith(f".{extension}")
    with image.image.open("rb") as stored_file:
        stored = stored_file.read()
    assert b"Quokka" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as result:
        assert result.format == image_format
        assert not result.getexif() and "exif" not in result.info
        assert result.size == (20, 40)  # turned upright, as the orientation said


def test_images_with_too_many_pixels_are_refused(idea, writer, png, monkeypatch):
    monkeypatch.setattr(images, "IMAGE_MAX_PIXELS", 3)
    with pytest.raises(ValidationError) as error:
        images.image_add(idea=idea, by=writer, upload=png(), alt_text="x")
    assert error.value.error_dict["image"][0].code == "too_many_pixels"
    # 2×2 pixels are fine
    monkeypatch.setattr(images, "IMAGE_MAX_PIXELS", 4)
    assert images.image_add(idea=idea, by=writer, upload=png(), alt_text="x")


def test_too_large_images_are_refused(idea, writer, png, monkeypatch):
    monkeypatch.setattr(images, "IMAGE_MAX_BYTES", 10)
    with pytest.raises(ValidationError) as error:
        images.image_add(idea=idea, by=writer, upload=png(), alt_text="x")
    assert error.value.error_dict["image"][0].code == "too_large"


def test_an_edit_tells_followers_and_co_authors_but_not_the_editor(
        idea, writer, citizen, partner_member, submit):
    coauthor = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    services.coauthor_respond(coauthor=coauthor, by=citizen, accept=True)
    Follow.objects.create(idea=idea, user=partner_member)
    services.idea_update(idea=idea, by=citizen, base_version=idea.version,
                         data={"title": "Radweg am Kanal, beleuchtet"})
    told = set(Notification.objects.filter(kind="idea-changed")
               .values_list("recipient__email", flat=True))
    assert told == {writer.email, partner_member.email}
    note = Notification.objects.get(kind="idea-changed", recipient=partner_member)
    assert "Radweg am Kanal, beleuchtet" in note.subject and "2" in note.body
