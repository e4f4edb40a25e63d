"""Demo articles and documents of the knowledge exchange, made by `stadtallianz demo`.

Idempotent: an article whose slug exists is left alone. Attached files are generated here (CSV
and plain text) and go through the same upload checks as a person's files.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.knowledge import services
from stadtallianz.knowledge.models import Article
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import WorkingGroup

from . import datafiles

# data/knowledge.json: "articles" [{slug, group (slug; null: the whole alliance), kind,
# visibility, title, summary, body (Markdown), focus_areas (slugs), principles and sdgs
# (numbers), attachment ({name, text} of a generated file, or null)}]
ARTICLES = datafiles.load("knowledge")["articles"]


def _author(group: WorkingGroup | None, fallback):
    if group is None:
        return fallback
    membership = (group.memberships.active().leads()
                  .select_related("user").order_by("pk").first())
    return membership.user if membership else fallback


def load(*, now, alliance_author) -> int:
    """Creates the demo articles that are missing; returns how many. `alliance_author` (a
    person of a partner organisation) writes the alliance-wide ones."""
    existing = set(Article.objects.filter(slug__in=[row["slug"] for row in ARTICLES])
                   .values_list("slug", flat=True))
    groups = {group.slug: group for group in WorkingGroup.objects.all()}
    areas = {area.slug: area for area in FocusArea.objects.all()}
    principles = {p.number: p for p in Principle.objects.all()}
    sdgs = {goal.number: goal for goal in SustainableDevelopmentGoal.objects.all()}
    created = 0
    for index, row in enumerate(ARTICLES):
        slug, group_slug, attachment = row["slug"], row["group"], row["attachment"]
        group = groups.get(group_slug) if group_slug else None
        if slug in existing or (group_slug and (group is None or not group.is_active)):
            continue
        author = _author(group, alliance_author)
        article = services.article_create(by=author, group=group, publish=True, data={
            "title": row["title"], "summary": row["summary"], "body": row["body"],
            "kind": row["kind"], "language": Article.Language.DE, "visibility": row["visibility"],
            "focus_areas": [areas[a] for a in row["focus_areas"] if a in areas],
            "principles": [principles[n] for n in row["principles"] if n in principles],
            "sdgs": [sdgs[n] for n in row["sdgs"] if n in sdgs],
            "organisations": list(Organisation.objects.filter(memberships__user=author)),
        })
        # A fixed slug and a spread of dates, so the demo reads like a history.
        Article.objects.filter(pk=article.pk).update(
            slug=slug, published_at=now - timedelta(days=3 + 9 * index))
        article.refresh_from_db()
        if attachment:
            name, text = attachment["name"], attachment["text"]
            services.document_create(
                by=author, article=article, upload=SimpleUploadedFile(name, text.encode()),
                data={"title": name.rsplit(".", 1)[0].replace("-", " ").capitalize(),
                      "description": "Beispieldatei zum Beitrag.",
                      "visibility": "public"})
        created += 1
    return created
