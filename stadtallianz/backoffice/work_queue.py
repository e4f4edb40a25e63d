"""The coordination office's work queue (the back office's start page): what waits for the
office, each kind with its count and its oldest items first.

Each kind costs two queries per model it reads (a count and the oldest few), whatever the number
waiting: reports, from ideas and from posts, take four.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.assessments.models import Assessment
from stadtallianz.core.i18n import shown_language
from stadtallianz.discussions.models import PostReport
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import IdeaReport
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.opendata.services import waiting_for_review
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

# How many of the oldest items each kind lists on the start page.
OLDEST = 5
# Public call databases go stale: a call still open or forthcoming is checked against its
# source again when its last check is older than this (or it was never checked).
VERIFY_AFTER = timedelta(days=90)


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


def _calls_to_verify() -> Queue:
    """Open and forthcoming funding calls not checked against their source for 90 days or
    more, the never checked first, then the longest unchecked; a closed call needs no
    checking."""
    due = timezone.localdate() - VERIFY_AFTER
    calls = (Call.objects.current().filter(Q(verified_on__isnull=True) | Q(verified_on__lte=due))
             .order_by(F("verified_on").asc(nulls_first=True), "created_at", "pk"))
    items = []
    for call in calls.only("slug", "title_de", "title_en", "verified_on", "created_at")[:OLDEST]:
        since = (timezone.make_aware(datetime.combine(call.verified_on, time.min))
                 if call.verified_on else call.created_at)
        items.append(Item(title=call.title, url=call.get_absolute_url(), since=since,
                          detail=str(_("Checked on %(date)s") % {
                              "date": formats.date_format(call.verified_on, "DATE_FORMAT")})
                          if call.verified_on else str(_("Never checked")),
                          lang=shown_language(call, "title")))
    return Queue("calls_to_verify", _("Funding calls not checked for 90 days"),
                 _("Every open funding call was checked against its source in the last 90 days."),
                 calls.count(), items)


def _datasets() -> Queue:
    """Partners' own datasets submitted for the catalogue: none appears before the office
    reviewed it (opendata.services.review_dataset)."""
    waiting = waiting_for_review()
    items = [Item(title=dataset.title,
                  url=reverse("opendata:review", kwargs={"slug": dataset.slug}),
                  since=dataset.modified,
                  detail=dataset.publisher.name if dataset.publisher else "",
                  lang=shown_language(dataset, "title"))
             for dataset in waiting[:OLDEST]]
    return Queue("datasets", _("Datasets to review"), _("No dataset waits for review."),
                 waiting.count(), items, reverse("opendata:review_queue"))


def work_queue() -> list[Queue]:
    pending = Signature.objects.pending()
    return [_applications(pending, first=True), _applications(pending, first=False),
            _reports(), _assessments(), _join_requests(), _calls_to_verify(), _datasets()]
