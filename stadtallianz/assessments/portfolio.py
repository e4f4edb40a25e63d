"""The portfolio: every project's published assessment, principles × projects.

Reads only the current (newest accepted) assessment of each project, marked `is_current`, so a
project is one row and its scores are one indexed lookup. The summary per principle is counted
in SQL over all filtered projects, not over the page shown; the matrix cells are read for the
page's projects only. Four queries whatever the number of projects.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from stadtallianz.backoffice.exports import safe_cell
from stadtallianz.core.models import Principle
from stadtallianz.projects.models import Project

from .models import Score, score_words


def assessed_projects(*, focus_area: str = "", phase: str = "", harms: bool = False):
    """Projects with a published assessment, filtered, with that assessment's id and date."""
    projects = (Project.objects.filter(assessments__is_current=True)
                .annotate(assessment_id=F("assessments__pk"),
                          published_at=F("assessments__published_at"))
                .only("slug", "title_de", "title_en", "phase"))
    if focus_area:
        projects = projects.filter(focus_areas__slug=focus_area)
    if phase:
        projects = projects.filter(phase=phase)
    if harms:
        projects = projects.filter(Exists(Score.objects.filter(
            assessment__project=OuterRef("pk"), assessment__is_current=True, score__lt=0)))
    return projects.order_by("title_de", "pk")


@dataclass
class PrincipleSummary:
    principle: Principle
    serves: int = 0
    neutral: int = 0
    harms: int = 0

    @property
    def unserved(self) -> bool:
        return self.serves == 0


def summary(projects) -> list[PrincipleSummary]:
    """Per principle: how many of `projects` serve it (score > 0), are neutral, harm it (< 0)."""
    rows = {principle.pk: PrincipleSummary(principle) for principle in Principle.objects.all()}
    counts = (Score.objects.filter(assessment__is_current=True,
                                   assessment__project__in=projects.values("pk"))
              .order_by().values("principle_id")
              .annotate(serves=Count("pk", filter=Q(score__gt=0)),
                        neutral=Count("pk", filter=Q(score=0)),
                        harms=Count("pk", filter=Q(score__lt=0))))
    for row in counts:
        entry = rows[row["principle_id"]]
        entry.serves, entry.neutral, entry.harms = row["serves"], row["neutral"], row["harms"]
    return list(rows.values())


@dataclass
class Cell:
    score: int | None

    @property
    def words(self) -> str:
        return score_words(self.score) if self.score is not None else _("not assessed")

    @property
    def harms(self) -> bool:
        return self.score is not None and self.score < 0


@dataclass
class Row:
    project: Project
    cells: list[Cell] = field(default_factory=list)

    @property
    def harmed(self) -> list[int]:
        """Numbers of the principles the project harms."""
        return [i + 1 for i, cell in enumerate(self.cells) if cell.harms]


def matrix(projects, principles: list[Principle]) -> list[Row]:
    """One row per project (in the given order) with its scores in principle order."""
    projects = list(projects)
    scores = {}
    for project_id, principle_id, score in Score.objects.filter(
            assessment_id__in=[p.assessment_id for p in projects]).values_list(
            "assessment__project_id", "principle_id", "score"):
        scores[project_id, principle_id] = score
    return [Row(project, [Cell(scores.get((project.pk, principle.pk)))
                          for principle in principles]) for project in projects]


def csv_text(projects, principles: list[Principle]) -> str:
    """The filtered matrix as CSV: one line per project, one column per principle; every text
    cell defused against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Project"), _("Phase"), _("Published"), *(
        f"{p.number} {p.name}" for p in principles)])
    for row in matrix(projects, principles):
        project = row.project
        writer.writerow([safe_cell(str(project.title)), project.get_phase_display(),
                         project.published_at.date().isoformat(),
                         *("" if cell.score is None else cell.score for cell in row.cells)])
    return buffer.getvalue()
