import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stadtallianz.events.models import Event
from stadtallianz.knowledge.models import Article, Document
from stadtallianz.knowledge.services import version_add
from stadtallianz.partners.models import Membership

# The working groups' shared people and group.
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def office_file(kind: str, *, macros: bool = False) -> bytes:
    """A minimal ODF or OOXML package, enough for the content check."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            types = "application/vnd.ms-word.document.macroEnabled" if macros else "docx"
            archive.writestr("[Content_Types].xml", f"<Types>{types}</Types>")
            archive.writestr("word/document.xml", "<w:document/>")
            if macros:
                archive.writestr("word/vbaProject.bin", b"\x00\x01")
    return buffer.getvalue()


def upload(name: str, content: bytes | str):
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content)


@pytest.fixture
def other_member(other_lead):
    """A member (and lead) of a different working group, in no partner organisation."""
    return other_lead


@pytest.fixture
def member_org(member, organisation):
    """The group member works for the partner organisation."""
    Membership.objects.create(user=member, organisation=organisation)
    return organisation


@pytest.fixture
def make_article(db):
    counter = {"n": 0}

    def make(group=None, *, authors=(), published=True, **fields):
        counter["n"] += 1
        n = counter["n"]
        article = Article.objects.create(
            group=group, title=fields.pop("title", f"Artikel {n}"),
            slug=fields.pop("slug", f"artikel-{n}"), summary=fields.pop("summary", "Kurz."),
            body=fields.pop("body", "Text"),
            state=Article.State.PUBLISHED if published else Article.State.DRAFT,
            published_at=timezone.now() - timedelta(minutes=n) if published else None,
            **fields)
        article.authors.set(authors)
        return article

    return make


@pytest.fixture
def public_article(make_article, group, member):
    return make_article(group, authors=[member], title="Radwege planen", slug="radwege")


@pytest.fixture
def members_article(make_article, group, member):
    return make_article(group, authors=[member], title="Interne Erfahrungen", slug="intern",
                        visibility=Article.Visibility.MEMBERS)


@pytest.fixture
def draft_article(make_article, group, member):
    return make_article(group, authors=[member], title="Entwurf", slug="entwurf",
                        published=False)


@pytest.fixture
def make_document(db):
    def make(*, by, title="Protokoll", content=PDF, name="protokoll.pdf", **fields):
        document = Document.objects.create(title=title, created_by=by, **fields)
        version_add(document=document, by=by, upload=upload(name, content))
        return document

    return make


@pytest.fixture
def event(db, group):
    starts = timezone.now() + timedelta(days=7)
    return Event.objects.create(group=group, title_de="Radtreffen", slug="radtreffen",
                                starts_at=starts, ends_at=starts + timedelta(hours=2))
