import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stadtallianz.privacy import services
from stadtallianz.privacy.models import DataExport

from .conftest import EMAIL, NAME

pytestmark = pytest.mark.django_db


def _request(client, capture):
    """Asks for the export on the page; the job runs right after the commit (immediate
    backend). Returns the export and the link from the e-mail."""
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(reverse("privacy:export_request"))
    assert response.status_code == 302
    export = DataExport.objects.get()
    ready = [m for m in mail.outbox if "/download/" in m.body]
    assert len(ready) == 1
    link = next(line for line in ready[0].body.splitlines() if "/download/" in line)
    return export, link.split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_holds_every_category_as_json_and_csv_and_nobody_elses_data(
        client_for, scenario, quirin, writer, lead, django_capture_on_commit_callbacks):
    client = client_for(quirin)
    export, link = _request(client, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.state == DataExport.State.READY
    assert mail.outbox[-1].to == [EMAIL]
    assert "Hallo Quirin Xylander" in mail.outbox[-1].body  # the person's language (de)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = _zip(response)
    names = set(archive.namelist())
    for category in ("profile", "memberships", "consents", "signatures", "posts", "comments",
                     "ideas", "supports", "registrations", "notifications", "api_tokens",
                     "audit"):
        assert any(name.startswith(f"{category}/") for name in names)

    def table(path):
        return json.loads(archive.read(f"{path}.json"))

    account = table("profile/account")
    assert account[0]["email"] == EMAIL and account[0]["display_name"] == "Zebrafink"
    assert "password" not in account[0]
    assert {row["organisation__name"] for row in table("memberships/organisations")} == {
        "Quartier Verein"}
    assert [row["group__slug"] for row in table("memberships/working_groups")] == ["mobilitaet"]
    assert [row["version__kind"] for row in table("consents/privacy_notice")] == ["privacy"]
    assert [row["signatory_name"] for row in table("signatures/letter_of_intent")] == [NAME]
    assert {row["title"] for row in table("posts/threads")} == {"Sitzbänke"}
    assert {row["body"] for row in table("posts/posts")} == {
        "Ich! @[Lena Lead], wann?", "Nur ich hier."}
    assert {row["body"] for row in table("comments/idea_comments")} == {
        "Bin dafür.", "Noch ein Gedanke."}
    assert [row["title"] for row in table("ideas/ideas")] == ["Bänke am Aasee"]
    assert [row["number"] for row in table("ideas/versions")] == [1]
    assert [row["idea__title"] for row in table("supports/supports")] == [
        "Radweg an der Promenade"]
    assert [row["event_id"] for row in table("registrations/events")] == [scenario["event"].pk]
    assert all(row["recipient_id"] == quirin.pk for row in table("notifications/notifications"))
    assert table("notifications/notifications"), "the comment on the idea notified its author"
    tokens = table("api_tokens/api_tokens")
    assert [row["name"] for row in tokens] == ["Skript"]
    assert "key_hash" not in tokens[0] and "key_hash" not in archive.read(
        "api_tokens/api_tokens.csv").decode()
    actions = {row["action"] for row in table("audit/audit_entries")}
    assert {"account.profile.changed", "idea.comment.created",
            "privacy.export.requested"} <= actions
    # CSV mirrors JSON.
    rows = list(csv.DictReader(io.StringIO(archive.read("comments/idea_comments.csv").decode())))
    assert {row["body"] for row in rows} == {"Bin dafür.", "Noch ein Gedanke."}
    # Nobody else's rows or words: the others' comments, posts, addresses are absent.
    everything = b"".join(archive.read(name) for name in names).decode()
    for foreign in ("Gute Idee!", "Danke!", "am Montag", writer.email, lead.email,
                    "Wer macht mit?", "co-admin@example.org"):
        assert foreign not in everything


def test_only_the_same_logged_in_person_opens_the_link(client_for, client, scenario, quirin,
                                                       writer, django_capture_on_commit_callbacks):
    _export, link = _request(client_for(quirin), django_capture_on_commit_callbacks)
    assert client_for(writer).get(link).status_code == 404
    anonymous = client.get(link)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    forged = link.rstrip("/")[:-3] + "abc/"
    assert client_for(quirin).get(forged).status_code == 404


def test_the_link_expires_and_the_file_is_deleted(client_for, quirin, settings,
                                                  django_capture_on_commit_callbacks):
    settings.DATA_EXPORT_VALID_DAYS = 2
    client = client_for(quirin)
    export, link = _request(client, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    path = services.export_path(export)
    assert path.is_file()
    assert export.expires_at - export.ready_at == timedelta(days=2)
    page = client.get(reverse("privacy:overview"))
    assert "Bereit zum Herunterladen" in page.content.decode()
    # The link stops working when the export expires.
    later = timezone.now() + timedelta(days=1)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(link).status_code == 404
    call_command("expire_data_exports", stdout=io.StringIO())
    file_name = export.file_name
    export.refresh_from_db()
    assert export.state == DataExport.State.EXPIRED and not path.exists()
    assert "Abgelaufen" in client.get(reverse("privacy:overview")).content.decode()
    # A link older than DATA_EXPORT_VALID_DAYS is refused by its signature alone, even where
    # the export would still be there.
    DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.READY,
                                                   expires_at=later, file_name=file_name)
    path.write_bytes(b"zip")
    assert client.get(link).status_code == 200
    settings.DATA_EXPORT_VALID_DAYS = 0
    assert client.get(link).status_code == 404


def test_asking_twice_while_preparing_makes_one_export(client_for, quirin):
    client = client_for(quirin)
    client.post(reverse("privacy:export_request"))
    client.post(reverse("privacy:export_request"))
    assert DataExport.objects.filter(user=quirin).count() == 1
    page = client.get(reverse("privacy:overview"))
    assert "Wird vorbereitet" in page.content.decode()


def test_the_page_needs_a_login(client):
    response = client.get(reverse("privacy:overview"))
    assert response.status_code == 302


def test_a_person_who_has_not_accepted_a_changed_notice_still_gets_their_data(
        client_for, quirin, coordinator):
    """The consent gate (legal.middleware) holds back other pages, not the person's data."""
    from stadtallianz.legal import services as legal
    from stadtallianz.legal.models import Kind

    legal.page_save(kind=Kind.PRIVACY, by=coordinator, text_de="Neu", text_en="New",
                    material_change=True)
    client = client_for(quirin)
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert client.get(reverse("privacy:overview")).status_code == 200
    assert client.post(reverse("privacy:export_request")).status_code == 302
    assert DataExport.objects.filter(user=quirin).exists()


def test_a_failed_export_is_shown_and_may_be_asked_for_again(client_for, quirin, monkeypatch):
    def broken(user):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "build_zip", broken)
    export = DataExport.objects.create(user=quirin)
    with pytest.raises(RuntimeError):
        services.build_export(export.pk)
    export.refresh_from_db()
    assert export.state == DataExport.State.FAILED
    client = client_for(quirin)
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "Fehlgeschlagen" in page and 'action="' + reverse("privacy:export_request") in page


def test_the_zip_is_written_table_by_table_in_chunks(quirin, monkeypatch, settings, tmp_path):
    """The export reads each table in chunks and writes it row by row into a file (not the
    whole export in memory): every row is there in JSON and CSV, an empty table keeps its
    header, and the README counts the rows."""
    from stadtallianz.notifications.models import Notification

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "CHUNK", 2)
    Notification.objects.filter(recipient=quirin).delete()
    for number in range(5):
        Notification.objects.create(recipient=quirin, kind="test", key=f"test:{number}",
                                    subject=f"Betreff {number}", body="=1+1")
    path = services.build_zip(quirin)
    assert path.parent == tmp_path / services.FOLDER
    archive = zipfile.ZipFile(path)
    rows = json.loads(archive.read("notifications/notifications.json"))
    assert [row["subject"] for row in rows] == [f"Betreff {n}" for n in range(5)]
    table = list(csv.DictReader(io.StringIO(
        archive.read("notifications/notifications.csv").decode())))
    assert [row["body"] for row in table] == ["'=1+1"] * 5
    assert json.loads(archive.read("api_tokens/api_tokens.json")) == []
    assert archive.read("api_tokens/api_tokens.csv").decode().startswith("id,")
    assert "notifications: 5" in archive.read("README.txt").decode()
