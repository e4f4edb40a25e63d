"""Evidence entered as text lines ("label | address") became web links, also where the address
was this site's page of a living lab's datastream or (entered through the API) of a document of
the knowledge base. Now that evidence is entered as rows that name a document or a datastream,
such links become those references: the assessment page then shows the document's or the
datastream's current name and notices when it is deleted (`source_removed`), as for evidence
entered the new way. Links to anything else stay links. Reversible: a datastream reference
becomes the link again (on this site's address), since going back drops its column; document
references stay (they were possible before)."""

import re

from django.conf import settings
from django.db import migrations

LANGUAGE = r"(?:/[a-z]{2})?"
DOCUMENT = re.compile(rf"^{LANGUAGE}/knowledge/documents/(\d+)/?$")
DATASTREAM = re.compile(rf"^{LANGUAGE}/living-labs/[-\w]+/datastreams/(\d+)/"
                        r"(?:chart/|observations\.csv)?$")


def _site_path(url: str) -> str | None:
    """The path of `url` if it is an address of this site, else None."""
    site = settings.SITE_URL.rstrip("/")
    for prefix in {site, site.replace("http://", "https://", 1)}:
        if url.startswith(prefix + "/"):
            return url[len(prefix):].split("?", 1)[0].split("#", 1)[0]
    return None


def links_to_references(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    Document = apps.get_model("knowledge", "Document")
    Datastream = apps.get_model("sensorthings", "Datastream")
    rows = (Evidence.objects.exclude(url="")
            .filter(document__isnull=True, result__isnull=True, datastream__isnull=True))
    for evidence in rows.iterator():
        path = _site_path(evidence.url.strip())
        if path is None:
            continue
        if match := DOCUMENT.match(path):
            document = Document.objects.filter(pk=int(match.group(1))).first()
            if document is not None:
                evidence.url, evidence.document = "", document
                evidence.save(update_fields=["url", "document"])
        elif match := DATASTREAM.match(path):
            # Only a datastream whose existence is public becomes a reference (as in the form).
            datastream = (Datastream.objects.filter(pk=int(match.group(1)))
                          .exclude(privacy_level="restricted").first())
            if datastream is not None:
                evidence.url, evidence.datastream = "", datastream
                evidence.save(update_fields=["url", "datastream"])


def references_to_links(apps, schema_editor):
    Evidence = apps.get_model("assessments", "Evidence")
    site = settings.SITE_URL.rstrip("/")
    for evidence in Evidence.objects.filter(datastream__isnull=False).select_related(
            "datastream__lab").iterator():
        lab = evidence.datastream.lab
        evidence.url = (f"{site}/living-labs/{lab.slug}/datastreams/{evidence.datastream_id}"
                        "/chart/")
        evidence.datastream = None
        evidence.save(update_fields=["url", "datastream"])


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0006_evidence_datastream"),
    ]

    operations = [
        migrations.RunPython(links_to_references, references_to_links),
    ]
