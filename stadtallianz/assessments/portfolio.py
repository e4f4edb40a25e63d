"""The portfolio: every project's published assessment, principles × projects.

Reads only the current (newest accepted) assessment of each project, marked `is_current`, so a
project is one row. The summary per principle is counted in SQL over all filtered projects (not
the page shown) from the assessments' `serves_mask` / `harms_mask` columns: one pass over a few
thousand rows instead of a join over eight score rows per project. The matrix cells are read for
the page's projects only. Four queries whatever the number of projects.
"""

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from stadtallianz.core.exports import safe_cell
from stadtallianz.core.models import Principle

from .models import MAX_SCORE, MIN_SCORE, Assessment, Score, score_words


def current_assessments(*, focus_area: str = "", phase: str = "", harms: bool = False):
    """The published assessments of the projects matching the filters, one per project, in
    the projects' order (title), with the project's fields for the list."""
    assessments = (Assessment.objects.filter(is_current=True).select_related("project")
                   .only("pk", "published_at", "project__slug", "project__title_de",
                         "project__title_en", "project__phase"))
    if focus_area:
        assessments = assessments.filter(project__focus_areas__slug=focus_area)
    if phase:
        assessments = assessments.filter(project__phase=phase)
    if harms:
        assessments = assessments.exclude(harms_mask=0)
    return assessments.order_by("project__title_de", "project_id")


@dataclass
class PrincipleSummary:
    principle: Principle
    serves: int = 0
    neutral: int = 0
    harms: int = 0

    @property
    def unserved(self) -> bool:
        return self.serves == 0


def summary(assessments, principles: list[Principle]) -> list[PrincipleSummary]:
    """Per principle: how many of the assessed projects serve it (score > 0), are neutral, or
    harm it (< 0). One aggregate query: bit n-1 of a mask, divided by itself, is 0 or 1."""
    sums = {"total": Count("pk")}
    for principle in principles:
        bit = 1 << (principle.number - 1)
        sums[f"serves_{principle.number}"] = Sum(F("serves_mask").bitand(bit) / bit)
        sums[f"harms_{principle.number}"] = Sum(F("harms_mask").bitand(bit) / bit)
    totals = assessments.order_by().aggregate(**sums)
    total = totals["total"] or 0
    rows = []
    for principle in principles:
        serves = totals[f"serves_{principle.number}"] or 0
        harms = totals[f"harms_{principle.number}"] or 0
        rows.append(PrincipleSummary(principle, serves, total - serves - harms, harms))
    return rows


def _cells() -> dict:
    """The table cell per score, built once per request in the active language: the matrix has
    hundreds of cells, and building them in the template was most of the page's time."""
    cells = {None: format_html('<td class="cell cell-none">{}</td>', format_html(
        '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
        _("not assessed")))}
    for value in range(MIN_SCORE, MAX_SCORE + 1):
        css = "cell-serves" if value > 0 else "cell-harms" if value < 0 else "cell-neutral"
        cells[value] = format_html(
            '<td class="cell {}">{}{}<span class="visually-hidden"> {}</span></td>', css,
            mark_safe('<span aria-hidden="true">⚠ </span>') if value < 0 else "",  # noqa: S308
            f"{value:+d}" if value else "0", score_words(value))
    return cells


@dataclass
class Row:
    assessment: Assessment
    scores: list[int | None]
    cells: str  # the row's score cells, HTML
    harmed: list[int]  # numbers of the principles the project harms

    @property
    def project(self):
        return self.assessment.project


def matrix(assessments, principles: list[Principle]) -> list[Row]:
    """One row per assessment (in the given order) with its scores in principle order."""
    assessments = list(assessments)
    scores = {}
    for assessment_id, principle_id, score in Score.objects.filter(
            assessment_id__in=[a.pk for a in assessments]).order_by().values_list(
            "assessment_id", "principle_id", "score"):
        scores[assessment_id, principle_id] = score
    cells = _cells()
    rows = []
    for assessment in assessments:
        values = [scores.get((assessment.pk, p.pk)) for p in principles]
        rows.append(Row(assessment, values, mark_safe("".join(cells[v] for v in values)),  # noqa: S308
                        [p.number for p, value in zip(principles, values, strict=True)
                         if value is not None and value < 0]))
    return rows


def csv_text(assessments, principles: list[Principle]) -> str:
    """The filtered matrix as CSV: one line per project, one column per principle; every text
    cell defused against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Project"), _("Phase"), _("Published"), *(
        f"{p.number} {p.name}" for p in principles)])
    for row in matrix(assessments, principles):
        project = row.project
        writer.writerow([safe_cell(str(project.title)), project.get_phase_display(),
                         row.assessment.published_at.date().isoformat(),
                         *("" if score is None else score for score in row.scores)])
    return buffer.getvalue()
