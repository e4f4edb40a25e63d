"""The coordination office's work queue (the back office's start page): what waits for the
office, each kind with its count and its oldest items first.

Each kind costs two queries per model it reads (a count and the oldest few), whatever the number
waiting: reports, from ideas and from posts, take four.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.i18n import shown_language
from stadtallianz.discussions.models import PostReport
from stadtallianz.ideas.models import IdeaReport
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

# How many of the oldest items each kind lists on the start page.
OLDEST = 5


@dataclass
class Item:
    title: str
    url: str
    since: object  # the datetime the item has waited since
    detail: str = ""
    lang: str = ""  # the title's language when not the page's (core.i18n.shown_language)


@dataclass
class Queue:
    key: str
    title: str
    empty: str
    count: int
    items: list[Item] = field(default_factory=list)
    url: str = ""


def _applications(pending, *, first: bool) -> Queue:
    """Pending signatures of organisations applying (first=True) or of partners re-signing."""
    # An application comes from an organisation that is not (or no longer) a partner; a
    # partner's pending signature is a re-signing.
    partners = Organisation.PUBLIC_STATUSES
    signatures = (pending.exclude(organisation__status__in=partners) if first
                  else pending.filter(organisation__status__in=partners))
    oldest = signatures.select_related("organisation", "version").order_by("signed_at", "pk")
    items = [Item(title=signature.organisation.name,
                  url=reverse("backoffice:application", kwargs={"pk": signature.pk}),
                  since=signature.signed_at,
                  detail=str(_("Version %(number)s") % {"number": signature.version.number}))
             for signature in oldest[:OLDEST]]
    if first:
        return Queue("applications", _("Applications to review"),
                     _("No application waits for review."), signatures.count(), items,
                     reverse("backoffice:applications"))
    return Queue("signatures", _("Signatures to confirm"),
                 _("No partner's new signature waits for confirmation."), signatures.count(),
                 items, reverse("backoffice:applications"))


def _reports() -> Queue:
    idea_reports = IdeaReport.objects.open().select_related("idea").order_by("created_at", "pk")
    post_reports = (PostReport.objects.open().select_related("post__thread__group")
                    .order_by("created_at", "pk"))
    items = [Item(title=report.idea.title, url=reverse("ideas:moderation"),
                  since=report.created_at, detail=str(_("Idea")))
             for report in idea_reports[:OLDEST]]
    items += [Item(title=report.post.thread.title,
                   url=reverse("discussions:moderation",
                               kwargs={"slug": report.post.thread.group.slug}),
                   since=report.created_at, detail=str(report.post.thread.group))
              for report in post_reports[:OLDEST]]
    items.sort(key=lambda item: item.since)
    return Queue("reports", _("Reports to moderate"), _("No report is open."),
                 idea_reports.count() + post_reports.count(), items[:OLDEST],
                 reverse("ideas:moderation"))


def _assessments() -> Queue:
    submitted = (Assessment.objects.filter(state=Assessment.State.SUBMITTED)
                 .select_related("project").order_by("submitted_at", "pk"))
    items = [Item(title=assessment.project.title,
                  url=reverse("assessments:detail", kwargs={"pk": assessment.pk}),
                  since=assessment.submitted_at or assessment.updated_at,
                  lang=shown_language(assessment.project, "title"))
             for assessment in submitted[:OLDEST]]
    return Queue("assessments", _("Assessments to review"),
                 _("No assessment waits for review."), submitted.count(), items,
                 reverse("assessments:reviews"))


def _join_requests() -> Queue:
    """Requests to join an active working group that has no lead: only the office decides them
    (a group with leads decides its own)."""
    has_lead = GroupMembership.objects.active().leads().filter(group=OuterRef("group"))
    requests = (GroupMembership.objects.filter(
        state=GroupMembership.State.REQUESTED, group__state=WorkingGroup.State.ACTIVE)
        .exclude(Exists(has_lead)).select_related("group").order_by("created_at", "pk"))
    items = [Item(title=str(membership.group),
                  url=reverse("workinggroups:manage", kwargs={"slug": membership.group.slug}),
                  since=membership.created_at, lang=shown_language(membership.group, "name"))
             for membership in requests[:OLDEST]]
    return Queue("join_requests", _("Join requests to groups without a lead"),
                 _("No request waits in a group without a lead."), requests.count(), items)


def work_queue() -> list[Queue]:
    pending = Signature.objects.pending()
    return [_applications(pending, first=True), _applications(pending, first=False),
            _reports(), _assessments(), _join_requests()]
