from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.knowledge.models import Article, Document, DocumentVersion

pytestmark = pytest.mark.django_db


def test_demo_writes_articles_with_documents_once(settings):
    call_command("demo", stdout=StringIO())
    articles = Article.objects.all()
    assert articles.count() >= 14
    assert articles.filter(visibility=Article.Visibility.MEMBERS).exists()
    assert articles.filter(group__isnull=True).exists()
    assert {a.kind for a in articles} == set(Article.Kind.values)
    assert all(a.is_published and a.authors.exists() for a in articles)
    assert Document.objects.filter(article__isnull=False).count() >= 2
    for version in DocumentVersion.objects.all():
        assert (settings.PRIVATE_MEDIA_ROOT / version.file.name).is_file()
        assert version.content_type.startswith(("text/csv", "text/plain"))
    call_command("demo", stdout=StringIO())
    assert Article.objects.count() == articles.count()
    assert Document.objects.count() == DocumentVersion.objects.count()
