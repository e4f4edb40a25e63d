"""Projects of the alliance: what they want to achieve, who carries them (the consortium),
where they stand (phases, milestones, results) and what they cost.

This module starts with the project itself; the projects app adds the rest.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea, Principle


class Project(models.Model):
    class Phase(models.TextChoices):
        CONCEPT = "concept", _("Concept")
        PREPARATION = "preparation", _("Preparation")
        PILOT = "pilot", _("Pilot")
        EVALUATION = "evaluation", _("Evaluation")
        ROLLOUT = "rollout", _("Rollout")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    summary_de = models.TextField(_("summary (German)"), max_length=1000, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=1000, blank=True)
    description_de = models.TextField(_("description (German)"), max_length=50000, blank=True,
                                      help_text=_("Markdown."))
    description_en = models.TextField(_("description (English)"), max_length=50000, blank=True,
                                      help_text=_("Markdown."))
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices,
                             default=Phase.CONCEPT, db_index=True)
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="projects", verbose_name=_("working group"))
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="projects",
                                         verbose_name=_("focus areas"))
    principles = models.ManyToManyField(Principle, blank=True, related_name="projects",
                                        verbose_name=_("guiding principles"))
    origin_idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.SET_NULL, null=True, blank=True, related_name="project",
        verbose_name=_("from idea"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("created by"))
    # Optimistic locking, as on ideas: an edit based on an older number is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    title = TranslatedField("title")
    summary = TranslatedField("summary")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title_de", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})
