"""`{% attach_principle_scores page.object_list %}`: the project cards' principle scores at a
glance, for a whole list in one query.

Projects sit below assessments (.importlinter), so the project list cannot prefetch them; its
template asks this tag once before the loop. Each project of the list gets `principle_scores`
(the Score rows of its current, accepted and so public assessment, by principle number; empty
without one) and `principle_tally` (serves, neutral, harms). The list is evaluated here, and the
template's loop reads the same evaluated rows.
"""

from django import template

from ..models import Score

register = template.Library()


@register.simple_tag
def attach_principle_scores(projects):
    projects = list(projects or ())
    by_id = {project.pk: project for project in projects}
    for project in projects:
        project.principle_scores = []
    if by_id:
        scores = (Score.objects.filter(assessment__is_current=True,
                                       assessment__project_id__in=list(by_id))
                  .select_related("principle", "assessment")
                  .only("score", "assessment__project_id", "principle__number",
                        "principle__name_de", "principle__name_en")
                  .order_by("assessment__project_id", "principle__number"))
        for score in scores:
            by_id[score.assessment.project_id].principle_scores.append(score)
    for project in projects:
        values = [score.score for score in project.principle_scores]
        project.principle_tally = {
            "serves": sum(1 for value in values if value > 0),
            "neutral": sum(1 for value in values if value == 0),
            "harms": sum(1 for value in values if value < 0),
        }
    return ""
