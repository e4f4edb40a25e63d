"""Assessments of projects against the eight guiding principles of the Smart City Charta.

A project's team writes a self-assessment (a score from -2 harms to +2 strongly serves, a
justification and evidence for each principle), the coordination office reviews it, and the
accepted assessment is published with its date. Assessments are never overwritten: a project has
a history of accepted ones and at most one open (not yet accepted) assessment at a time, which
the database enforces. The newest accepted one is marked `is_current`, so that the portfolio
reads one assessment per project without a "latest per group" query.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.models import Principle

MIN_SCORE, MAX_SCORE = -2, 2
SCORE_WORDS = {
    -2: _("harms strongly"),
    -1: _("harms"),
    0: _("neutral"),
    1: _("serves"),
    2: _("serves strongly"),
}


def score_words(score: int) -> str:
    return str(SCORE_WORDS[score])


def principle_masks(scores) -> tuple[int, int]:
    """(serves, harms): bit n-1 set for each principle number n the scores serve (> 0) or harm
    (< 0). `scores` are (principle number, score) pairs."""
    serves = harms = 0
    for number, score in scores:
        if score > 0:
            serves |= 1 << (number - 1)
        elif score < 0:
            harms |= 1 << (number - 1)
    return serves, harms


def signed(score: int) -> str:
    """+2, +1, 0, −1, −2 (a real minus sign)."""
    return f"+{score}" if score > 0 else ("0" if score == 0 else f"\u2212{-score}")


class AssessmentQuerySet(models.QuerySet):
    def accepted(self):
        """Accepted, and so published: public."""
        return self.filter(state=Assessment.State.ACCEPTED)

    def open(self):
        """Not accepted yet (draft, submitted, changes requested): at most one per project."""
        return self.exclude(state=Assessment.State.ACCEPTED)

    def visible_to(self, user, project):
        """The project's assessments `user` may see: the accepted ones, and the open one too
        for the project's team and the coordination office."""
        from . import permissions

        assessments = self.filter(project=project)
        return assessments if permissions.can_see_open(user, project) else assessments.accepted()


class Assessment(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted and published")

    # The states in which the team still writes.
    EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE,
                                related_name="assessments", verbose_name=_("project"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.DRAFT)
    # The newest accepted assessment of its project (the published one).
    is_current = models.BooleanField(_("current"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    review_comment = models.TextField(_("review comment"), max_length=5000, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The principles its scores serve and harm as bit masks (bit n-1 for principle n), kept by
    # the services whenever the scores change: the portfolio counts over thousands of projects
    # from these two columns instead of joining eight score rows per project.
    # Optimistic locking of the draft, as on projects: a save based on an older number is
    # refused, so two team members never silently overwrite each other's scores.
    version = models.PositiveIntegerField(_("version"), default=1)
    serves_mask = models.PositiveIntegerField(default=0, editable=False)
    harms_mask = models.PositiveIntegerField(default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=~Q(state="accepted"),
                                    name="assessment_one_open_per_project"),
            models.UniqueConstraint(fields=["project"], condition=Q(is_current=True),
                                    name="assessment_one_current_per_project"),
            models.CheckConstraint(
                condition=Q(state="accepted", published_at__isnull=False)
                | (~Q(state="accepted") & Q(published_at__isnull=True, is_current=False)),
                name="assessment_published_iff_accepted"),
        ]
        indexes = [models.Index(fields=["project", "-published_at"],
                                name="assessment_project_published"),
                   models.Index(fields=["state", "submitted_at"], name="assessment_state")]

    def __str__(self):
        return f"{self.project} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("assessments:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state != self.State.ACCEPTED

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class Score(models.Model):
    """One principle's score. Every score has a justification, zero included: "neutral" is a
    claim too, and the reviewer needs to know why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("assessment"))
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("guiding principle"))
    score = models.SmallIntegerField(_("score"), validators=[MinValueValidator(MIN_SCORE),
                                                             MaxValueValidator(MAX_SCORE)])
    justification = models.TextField(_("justification"), max_length=5000)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["principle__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "principle"],
                                    name="score_one_per_principle"),
            models.CheckConstraint(condition=Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE),
                                   name="score_in_range"),
            models.CheckConstraint(condition=~Q(justification=""),
                                   name="score_justified"),
        ]
        indexes = [models.Index(fields=["principle", "score"], name="score_principle")]

    def __str__(self):
        return f"{self.principle_id}: {self.score:+d}"

    @property
    def words(self) -> str:
        return score_words(self.score)

    @property
    def signed(self) -> str:
        return signed(self.score)


class Evidence(models.Model):
    """What a score rests on: a web link, a document of the knowledge base, a result of the
    project or a datastream of a living lab (one whose existence is public: not restricted);
    one of them when written. A published assessment is a record of what was accepted,
    so deleting the document or result later does not delete the evidence: the reference
    becomes null (`source_removed`), the label stays and is shown with "(removed)"."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence",
                              verbose_name=_("score"))
    label = models.CharField(_("label"), max_length=200)
    url = models.URLField(_("web address"), max_length=500, blank=True,
                          validators=[URLValidator(schemes=["http", "https"])])
    document = models.ForeignKey("knowledge.Document", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("document"))
    result = models.ForeignKey("projects.Result", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("result"))
    datastream = models.ForeignKey("sensorthings.Datastream", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("datastream"))
    # Set when a document that not everyone could read is deleted: while it existed its label
    # (often its title) was shown only to its readers; with the document gone nobody can tell
    # who they were, so the label is withheld from everyone.
    label_withheld = models.BooleanField(_("label withheld"), default=False)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["pk"]
        constraints = [
            # At most one source (none once it was deleted), and always a label to show.
            models.CheckConstraint(
                condition=(Q(url="") | (Q(document__isnull=True) & Q(result__isnull=True)
                                        & Q(datastream__isnull=True)))
                & (Q(document__isnull=True) | (Q(result__isnull=True)
                                               & Q(datastream__isnull=True)))
                & (Q(result__isnull=True) | Q(datastream__isnull=True))
                & ~Q(label=""),
                name="evidence_one_source_and_label"),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://")
                | Q(url__startswith="https://"),
                name="evidence_url_http"),
        ]

    def __str__(self):
        return self.label

    @property
    def shown_label(self) -> str:
        return gettext("a document for members only") if self.label_withheld else self.label

    @property
    def source_removed(self) -> bool:
        """The document, result or datastream it referred to has been deleted since."""
        return not (self.url or self.document_id or self.result_id or self.datastream_id)
