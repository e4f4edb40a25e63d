"""What a file really is, judged by its content, not its name.

Only the kinds below are accepted, and only under one of their own extensions: a program renamed
to .pdf, a PNG called .docx, markup (HTML, SVG, XML) or a script called .txt are refused. Office
files with macros are refused too: they can run code.
"""

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.exports import check_csv_upload

# Office packages name their kind in the first entry (ODF) or by their main folder (OOXML).
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
OOXML_TYPES = {
    "word/": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": (".pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/plain"}
MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body",
                 b"<iframe")
ALLOWED_EXTENSIONS = sorted({".pdf", ".png", ".jpg", ".jpeg", ".webp", *ODF_TYPES.values(),
                             *(ext for ext, _type in OOXML_TYPES.values()), *TEXT_TYPES})
# Control characters never found in text: their presence means a binary file.
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})


@dataclass(frozen=True)
class Detected:
    content_type: str
    extensions: tuple[str, ...]


def _refuse(message, code="unsupported_type"):
    raise ValidationError(message, code=code)


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    # Only the start: a member that unpacks to gigabytes (a zip bomb) is never read whole.
    with archive.open(name) as member:
        return member.read(256 * 1024)


def _zip_kind(upload) -> Detected | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                mimetype = _read_small(archive, "mimetype").decode("ascii", "replace").strip()
                if mimetype in ODF_TYPES:
                    if any(name.lower().startswith(("basic/", "scripts/")) for name in names):
                        _refuse(_("Office files with macros are not accepted."), "macros")
                    return Detected(mimetype, (ODF_TYPES[mimetype],))
                return None
            if "[Content_Types].xml" not in names:
                return None
            content_types = _read_small(archive, "[Content_Types].xml").decode("utf-8",
                                                                             "replace")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, EOFError):
        return None
    if ("macroEnabled" in content_types or "vbaProject" in content_types
            or any(name.lower().endswith(".bin") and "vba" in name.lower() for name in names)):
        _refuse(_("Office files with macros are not accepted."), "macros")
    # Embedded OLE objects (oleObject*.bin, which may wrap any program and run it after one
    # prompt), ActiveX controls and embedded macro documents: executable content as well.
    if any("/activex/" in name.lower()
           or ("/embeddings/" in name.lower() and name.lower().endswith((".bin", "m")))
           for name in names):
        _refuse(_("Office files with embedded programs (OLE objects, ActiveX controls) are "
                  "not accepted."), "embedded_objects")
    for folder, (extension, content_type) in OOXML_TYPES.items():
        if any(name.startswith(folder) for name in names):
            return Detected(content_type, (extension,))
    return None


def _text_encoding(upload) -> str | None:
    """"utf-8" or "windows-1252" (as spreadsheet programs export CSV) for text without binary
    control characters; None for anything else."""
    for encoding in ("utf-8", "cp1252"):
        upload.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in upload.chunks():
                if any(byte in chunk for byte in _BINARY_BYTES):
                    return None
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "windows-1252" if encoding == "cp1252" else encoding
        except UnicodeDecodeError:
            continue
    return None


def detect(upload) -> Detected | None:
    upload.seek(0)
    head = upload.read(512)
    if head.startswith(b"%PDF-"):
        return Detected("application/pdf", (".pdf",))
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", (".png",))
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", (".jpg", ".jpeg"))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image/webp", (".webp",))
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    encoding = _text_encoding(upload)
    if encoding:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        # Text and CSV do not start with a tag; a browser would take such a file for a page.
        if start.startswith((b"#!", b"<")) or any(tag in head.lower() for tag in MARKUP_STARTS):
            _refuse(_("Scripts and web pages (HTML, SVG, XML) are not accepted."), "markup")
        return Detected(f"text/plain; charset={encoding}", tuple(TEXT_TYPES))
    return None


def check_upload(upload, *, max_bytes: int) -> str:
    """The content type of an acceptable upload; a ValidationError otherwise."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB). At most %(max)s MB are accepted."),
            code="too_large",
            params={"size": f"{upload.size / 1_048_576:.1f}", "max": f"{max_bytes / 1_048_576:g}"})
    if upload.size == 0:
        _refuse(_("The file is empty."), "empty")
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        _refuse(_("Files of this type are not accepted. Accepted are PDF, images (PNG, JPEG, "
                  "WebP), office documents (ODF and Microsoft Office), CSV and plain text."))
    detected = detect(upload)
    upload.seek(0)
    if detected is None or extension not in detected.extensions:
        _refuse(_("The file's content does not match its name or is of a kind that is not "
                  "accepted (for example a program)."), "content_mismatch")
    if detected.content_type.startswith("text/plain"):
        charset = detected.content_type.removeprefix("text/plain")
        if extension == ".csv":
            # A CSV file is opened in a spreadsheet program, which would run its formulas.
            check_csv_upload(upload, encoding=charset.removeprefix("; charset="))
        # The extension tells plain text from CSV; the charset was found in the content.
        return TEXT_TYPES[extension] + charset
    return detected.content_type
