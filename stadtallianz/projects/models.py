"""Projects of the alliance: what they want to achieve, who carries them (the consortium),
where they stand (phases, milestones, results) and what they cost.

Who may change a project is decided in permissions.py; every change goes through services.py.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stadtallianz.core import timerange
from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.geo import validate_geometry
from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea, Principle, SDGTarget, SustainableDevelopmentGoal
from stadtallianz.core.timerange import PlausibleTime

from .currencies import validate_currency

# Dates outside the range of plans (the years 2000 to 2100, core/timerange.py) are typing
# errors (20255 for 2025), not plans: every date field a person sets has the validator.
PLAN_DATE = [PlausibleTime(timerange.PLAN)]


class Project(CachedChoiceLabels, models.Model):
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
    # Mean progress of the results in percent (None: no results yet). Kept on the row, as the
    # portfolio and the list show and sort 3,000 projects by it; services.refresh_progress
    # recomputes it whenever a result changes.
    progress = models.PositiveSmallIntegerField(_("progress"), null=True, blank=True,
                                                db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    title = TranslatedField("title")
    summary = TranslatedField("summary")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title_de", "pk"]
        # The list's order: its first page is read from the index, not sorted every time.
        indexes = [models.Index(fields=["title_de", "id"], name="projects_project_title_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})


class ConsortiumMemberQuerySet(models.QuerySet):
    def of_public_organisations(self):
        """Only public partners appear in a consortium (pages, exports, API, filters) and act
        in it: a draft, pending, rejected or withdrawn organisation does not."""
        from stadtallianz.partners.models import Organisation

        return self.filter(organisation__status__in=Organisation.PUBLIC_STATUSES)


class ConsortiumMember(models.Model):
    """An organisation in a project's consortium.

    Rule: an organisation is invited (state "invited"), its admins accept or decline. At most one
    accepted lead per project (a database constraint); a project created by an organisation has
    that organisation as accepted lead from the start; a project of a working group or from an
    idea may have none (the group or the coordination office carries it) and may invite one
    organisation to lead at a time.
    """

    class Role(models.TextChoices):
        # Contexts: other apps translate these words differently ("Leitung" of a group).
        LEAD = "lead", pgettext_lazy("consortium role", "Lead")
        PARTNER = "partner", _("Partner")
        ASSOCIATED = "associated", _("Associated partner")

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="consortium",
                                verbose_name=_("project"))
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE,
                                     related_name="project_memberships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices,
                            default=Role.PARTNER)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.INVITED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("invited by"))
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ConsortiumMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        ordering = ["role", "organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"],
                                    name="projects_consortium_unique_organisation"),
            models.UniqueConstraint(fields=["project"], condition=Q(role="lead", state="accepted"),
                                    name="projects_consortium_one_lead"),
        ]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class PhasePeriod(models.Model):
    """When a project was (or is planned to be) in a phase; the timeline on its page."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phase_periods",
                                verbose_name=_("project"))
    phase = models.CharField(_("phase"), max_length=12, choices=Project.Phase.choices)
    start = models.DateField(_("start"), validators=PLAN_DATE)
    end = models.DateField(_("end"), null=True, blank=True, validators=PLAN_DATE)

    class Meta:
        verbose_name = _("phase period")
        verbose_name_plural = _("phase periods")
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "phase"],
                                    name="projects_phaseperiod_unique_phase"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="projects_phaseperiod_end_after_start"),
        ]

    def __str__(self):
        return f"{self.get_phase_display()}: {self.start} – {self.end or ''}"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end cannot be before the start.")})


class Milestone(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Reached")
        MISSED = "missed", _("Missed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due date"), validators=PLAN_DATE)
    state = models.CharField(_("state"), max_length=8, choices=State.choices,
                             default=State.OPEN)
    done_at = models.DateField(_("reached on"), null=True, blank=True, validators=PLAN_DATE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.state == self.State.DONE and self.done_at is None:
            errors["done_at"] = _("Give the date the milestone was reached.")
        elif self.state != self.State.DONE and self.done_at is not None:
            errors["done_at"] = _("Only a reached milestone has a date it was reached.")
        elif self.done_at and self.done_at > date.today():
            errors["done_at"] = _("A milestone cannot be reached in the future.")
        if errors:
            raise ValidationError(errors)


class ProjectUpdate(models.Model):
    """A news post of the project team."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000, help_text=_("Markdown."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("author"))
    published_at = models.DateTimeField(_("published"), db_index=True)

    class Meta:
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title


class Result(models.Model):
    """Something the project delivers, with its progress (as in Decidim's accountability).
    The project's progress is the mean of its results' progress."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", pgettext_lazy("result state", "Cancelled")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True,
                                   help_text=_("Markdown."))
    progress = models.PositiveSmallIntegerField(
        _("progress (percent)"), default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.PLANNED)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="projects_result_progress_max_100"),
        ]

    def __str__(self):
        return self.title


class BudgetLine(models.Model):
    class Source(models.TextChoices):
        OWN = "own", _("Own funds")
        FUNDING = "funding", _("Funding")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines",
                                verbose_name=_("project"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices,
                              default=Source.OWN)
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[validate_currency],
                                help_text=_("ISO 4217 code, e.g. EUR."))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["source", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0),
                                   name="projects_budgetline_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.label}: {self.amount} {self.currency}"


class ProjectPlace(models.Model):
    """Where the project happens: a point or an area, as GeoJSON geometry in WGS 84
    (validated by core.geo)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="places",
                                verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=200)
    geometry = models.JSONField(_("geometry"), help_text=_(
        "GeoJSON geometry: Point, Polygon or MultiPolygon, longitude before latitude."))

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.geometry = validate_geometry(self.geometry)
        except ValidationError as error:
            raise ValidationError({"geometry": error.messages}) from error


class ProjectSDG(models.Model):
    """A goal the project contributes to, optionally narrowed to one of the goal's targets
    (as CONSUL relates proposals to goals and targets)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sdg_relations",
                                verbose_name=_("project"))
    goal = models.ForeignKey(SustainableDevelopmentGoal, on_delete=models.CASCADE,
                             related_name="project_relations", verbose_name=_("goal"))
    target = models.ForeignKey(SDGTarget, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="project_relations", verbose_name=_("target"))

    class Meta:
        verbose_name = _("SDG relation")
        verbose_name_plural = _("SDG relations")
        ordering = ["goal__number", "target__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "goal"], condition=Q(target__isnull=True),
                                    name="projects_sdg_unique_goal"),
            models.UniqueConstraint(fields=["project", "target"],
                                    condition=Q(target__isnull=False),
                                    name="projects_sdg_unique_target"),
        ]
        indexes = [models.Index(fields=["goal", "project"])]

    def __str__(self):
        return str(self.target or self.goal)

    def clean(self):
        if self.target_id and self.goal_id and self.target.goal_id != self.goal_id:
            raise ValidationError({"target": _(
                "Target %(code)s does not belong to goal %(goal)s.") % {
                "code": self.target.code, "goal": self.goal.number}})
