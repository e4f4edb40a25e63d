"""`{% project_assessment project %}`: the published assessment on the project page, as a chart
of the eight scores and an equivalent table; `{% score_chart assessment scores %}` draws the
chart alone (the assessment and history pages).

The chart is SVG drawn on the server (no script, nothing for the strict CSP to block). Nothing
in it is told by colour alone: bars that serve a principle run right of the zero line with a
hatched pattern, bars that harm run left with a dotted one, and every bar is labelled with the
principle's number and its score as text.
"""

from django import template
from django.db.models import Prefetch, Q

from stadtallianz.assessments import permissions
from stadtallianz.assessments.models import Assessment, Evidence, Score, signed
from stadtallianz.knowledge.models import Document

register = template.Library()

# Geometry of the chart (user units of the viewBox).
LABEL_WIDTH = 330
UNIT = 100  # one score point
ZERO_X = LABEL_WIDTH + 2 * UNIT + 40
WIDTH = ZERO_X + 2 * UNIT + 50
TOP = 30
ROW = 30
BAR = 18


def chart(scores) -> dict:
    """Everything the SVG needs, computed here so the template only places it."""
    bars = []
    for index, score in enumerate(scores):
        y = TOP + index * ROW
        length = abs(score.score) * UNIT
        x = ZERO_X if score.score >= 0 else ZERO_X - length
        if score.score > 0:
            text_x, anchor = ZERO_X + length + 6, "start"
        elif score.score < 0:
            text_x, anchor = ZERO_X - length - 6, "end"
        else:
            text_x, anchor = ZERO_X + 10, "start"
        bars.append({"score": score, "y": y, "x": x, "width": length,
                     "text_y": y + BAR - 4, "text_x": text_x, "anchor": anchor,
                     "kind": "serves" if score.score > 0 else
                     ("harms" if score.score < 0 else "neutral"),
                     "label": f"{score.principle.number} {score.principle.name}"})
    height = TOP + len(bars) * ROW + 8
    ticks = [{"x": ZERO_X + value * UNIT, "label": signed(value)} for value in range(-2, 3)]
    return {"bars": bars, "width": WIDTH, "height": height, "zero_x": ZERO_X,
            "ticks": ticks, "axis_bottom": height - 4, "bar_height": BAR,
            "label_x": 8, "tick_y": TOP - 10}


def scores_of(assessment: Assessment, viewer=None):
    """The assessment's scores in principle order with principle, evidence and its targets
    (three queries). With `viewer`, evidence in knowledge documents that person may not read
    (members only) is left out: a published assessment is public, the document's title is not.
    Without it (the team's own form) all evidence is there, so a save keeps it."""
    evidence = Evidence.objects.select_related("document", "result__project", "datastream__lab")
    if viewer is not None:
        evidence = evidence.filter(Q(document__isnull=True)
                                   | Q(document__in=Document.objects.visible_to(viewer)))
    return list(Score.objects.filter(assessment=assessment).select_related("principle")
                .prefetch_related(Prefetch("evidence", queryset=evidence))
                .order_by("principle__number"))


@register.inclusion_tag("assessments/includes/chart.html")
def score_chart(assessment, scores, id_prefix="assessment"):
    return {"chart": chart(scores), "assessment": assessment,
            "id": f"{id_prefix}-{assessment.pk}"}


@register.simple_tag
def assessments_to_review() -> int:
    """Submitted assessments waiting for the coordination office (the back-office navigation
    shows the number; one query)."""
    return Assessment.objects.filter(state=Assessment.State.SUBMITTED).count()


@register.inclusion_tag("assessments/includes/project_assessment.html", takes_context=True)
def project_assessment(context, project):
    """The latest published assessment of `project`, and for its team and the coordination
    office the open one. A constant number of queries."""
    user = context["request"].user
    published = (Assessment.objects.filter(project=project, is_current=True)
                 .only("pk", "project_id", "published_at", "state").first())
    scores = scores_of(published, viewer=user) if published else []
    team = permissions.is_team(user, project)
    open_assessment = None
    if team or permissions.is_coordinator(user):
        open_assessment = Assessment.objects.filter(project=project).open().first()
    return {"request": context["request"], "csrf_token": context.get("csrf_token"),
            "project": project, "published": published,
            "scores": scores, "open_assessment": open_assessment, "can_write": team}
