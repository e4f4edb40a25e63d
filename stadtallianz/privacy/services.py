"""The data export (GDPR Art. 15 and 20): asked for on the "my data" page, built by a background
job (tasks.py) as a ZIP of JSON and CSV, offered by an e-mailed link that expires and opens only
for the same person, logged in; the file is deleted when the link expires
(`stadtallianz expire_data_exports`)."""

import csv
import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from stadtallianz.core.audit import audit_log
from stadtallianz.core.mail import send_mail_to

from .collect import categories
from .models import DataExport

LINK_SALT = "stadtallianz.privacy.data-export"
FOLDER = "data-exports"


class ExportNotAvailable(Exception):
    """The link is forged, expired, of another person, or its file is gone."""


def valid_for() -> timedelta:
    return timedelta(days=settings.DATA_EXPORT_VALID_DAYS)


def export_path(export: DataExport) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / export.file_name


@transaction.atomic
def export_request(*, user) -> DataExport:
    """Asks for a new export, unless one is being prepared; the job starts after the commit."""
    pending = (DataExport.objects.select_for_update()
               .filter(user=user, state=DataExport.State.REQUESTED).first())
    if pending is not None:
        return pending
    export = DataExport.objects.create(user=user)
    audit_log(actor=user, action="privacy.export.requested", target=user,
              after={"export": export.pk})
    from .tasks import build_data_export

    transaction.on_commit(lambda: build_data_export.enqueue(export.pk))
    return export


CHUNK = 500  # rows read at a time: the export never holds a whole table in memory


def _write_json(archive: zipfile.ZipFile, name: str, table) -> int:
    """The table as a JSON list, row by row; returns the number of rows."""
    count = 0
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        out.write("[")
        for row in table.iterator(chunk_size=CHUNK):
            out.write(",\n" if count else "\n")
            out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            count += 1
        out.write("\n]" if count else "]")
    return count


def _write_csv(archive: zipfile.ZipFile, name: str, table) -> None:
    with (archive.open(name, "w") as raw,
          io.TextIOWrapper(raw, encoding="utf-8", newline="") as out):
        writer = csv.DictWriter(out, fieldnames=list(table._fields))
        writer.writeheader()
        for row in table.iterator(chunk_size=CHUNK):
            writer.writerow({key: _cell(value) for key, value in row.items()})


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def build_zip(user) -> Path:
    """data/<category>/<table>.json and .csv for every table, and a README in the person's
    language naming the categories: written to a new file in the exports' folder, table by
    table and row by row (bounded memory however much the person wrote)."""
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.zip"
    counts = {}
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for category, tables in categories(user).items():
                counts[category] = {}
                for table, table_rows in tables.items():
                    counts[category][table] = _write_json(
                        archive, f"{category}/{table}.json", table_rows)
                    _write_csv(archive, f"{category}/{table}.csv", table_rows)
            with translation.override(user.preferred_language):
                from django.template.loader import render_to_string

                archive.writestr("README.txt", render_to_string("privacy/export_readme.txt", {
                    "user": user, "data": counts, "SITE_NAME": settings.SITE_NAME,
                    "created_at": timezone.now()}))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def build_export(export_id: int) -> DataExport | None:
    """The background job: writes the ZIP, marks it ready, e-mails the link. None when the
    request is gone (the account was deleted meanwhile) or was handled already."""
    export = DataExport.objects.select_related("user").filter(
        pk=export_id, state=DataExport.State.REQUESTED).first()
    if export is None:
        return None
    try:
        path = build_zip(export.user)
    except Exception:
        # The page shows "failed" and offers to ask again; the worker logs the error.
        DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.FAILED)
        raise
    name = f"{FOLDER}/{path.name}"
    now = timezone.now()
    with transaction.atomic():
        updated = DataExport.objects.filter(pk=export.pk, state=DataExport.State.REQUESTED).update(
            state=DataExport.State.READY, ready_at=now, expires_at=now + valid_for(),
            file_name=name, size=path.stat().st_size)
        if not updated:
            path.unlink(missing_ok=True)
            return None
        export.refresh_from_db()
        audit_log(actor=None, action="privacy.export.ready", target=export.user,
                  after={"export": export.pk, "size": export.size})
    user = export.user
    with translation.override(user.preferred_language):
        link = reverse("privacy:download", kwargs={"token": download_token(export)})
    send_mail_to(user, template="privacy/emails/export_ready", context={
        "download_url": settings.SITE_URL.rstrip("/") + link,
        "expires_at": export.expires_at, "valid_days": settings.DATA_EXPORT_VALID_DAYS})
    return export


def download_token(export: DataExport) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign_object(
        {"export": export.pk, "user": export.user_id})


def export_for_download(*, token: str, user) -> DataExport:
    """The export a link opens for the logged-in person; ExportNotAvailable otherwise (a
    forged or expired link, another person's, a file already deleted)."""
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign_object(token, max_age=valid_for())
    except (signing.BadSignature, ValueError, TypeError):
        raise ExportNotAvailable from None
    if not user.is_authenticated or value.get("user") != user.pk:
        raise ExportNotAvailable
    export = DataExport.objects.filter(pk=value.get("export"), user=user).first()
    if export is None or not export.is_downloadable or not export_path(export).is_file():
        raise ExportNotAvailable
    return export


def expire_exports(now=None) -> int:
    """Deletes the files of exports whose link has run out and marks them expired."""
    expired = 0
    for export in DataExport.objects.expired(now):
        if export.file_name:
            export_path(export).unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.EXPIRED,
                                                       file_name="")
        expired += 1
    return expired


def delete_files_of(user) -> None:
    """The files of the person's exports (when the account is erased)."""
    for export in DataExport.objects.filter(user=user).exclude(file_name=""):
        export_path(export).unlink(missing_ok=True)
