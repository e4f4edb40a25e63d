"""Changes to projects, each in one transaction and written to the audit log."""

from django.db import transaction

from stadtallianz.core.audit import audit_log
from stadtallianz.core.slugs import unique_slug

from .models import Project


@transaction.atomic
def create_from_idea(idea, actor) -> Project:
    """The project an accepted idea becomes: it keeps the idea's title, text, focus areas,
    principles and working group, and links back to it."""
    project = Project.objects.create(
        title_de=idea.title,
        slug=unique_slug(Project.objects.all(), idea.title, fallback="projekt"),
        description_de=idea.description, working_group=idea.working_group,
        origin_idea=idea, created_by=actor)
    project.focus_areas.set(idea.focus_areas.all())
    project.principles.set(idea.principles.all())
    audit_log(actor=actor, action="project.created_from_idea", target=project,
              after={"idea": idea.pk})
    return project
