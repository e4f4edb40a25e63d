"""Every page of the site, read from the URL conf, with the arguments to open it on the demo
alliance (`stadtallianz demo`), and the roles whose sweep visits them (issue 14: axe finds no
violation of any impact on any page, in both languages, logged out and for every role).

`PAGES` maps a URL name of the language-prefixed patterns to a function of the demo objects
returning the paths' keyword arguments and query strings; `EXCLUDED` names the URL names that are
no page (a form's action answering POST only, a download, a feed) or that need a secret from an
e-mail, each with the reason. test_every_page_url_is_swept fails when a new URL name is in
neither, so a new page is swept from the day it is added."""

from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

POST_ONLY = "a form's action (answers POST only, redirects)"
DOWNLOAD = "a download (CSV, JSON, GeoJSON, iCalendar or a file), not an HTML page"
SECRET = "needs a one-time secret sent by e-mail; its page is checked in the app's own tests"

EXCLUDED = {
    "accounts:logout": POST_ONLY,
    "accounts:confirm_email": SECRET,
    "accounts:password_reset_confirm": SECRET,
    "accounts:token_revoke": POST_ONLY,
    "privacy:export_request": POST_ONLY,
    "privacy:download": SECRET,
    "partners:invitation_accept": SECRET,
    "partners:offer_delete": POST_ONLY,
    "partners:member_remove": POST_ONLY,
    "partners:member_role": POST_ONLY,
    "partners:invitation_cancel": POST_ONLY,
    "partners:invitation_resend": POST_ONLY,
    "workinggroups:join": POST_ONLY,
    "workinggroups:leave": POST_ONLY,
    "workinggroups:respond": POST_ONLY,
    "workinggroups:state": POST_ONLY,
    "workinggroups:decide": POST_ONLY,
    "workinggroups:member_role": POST_ONLY,
    "workinggroups:member_remove": POST_ONLY,
    "workinggroups:organisation_remove": POST_ONLY,
    "discussions:reply": POST_ONLY,
    "discussions:pin": POST_ONLY,
    "discussions:report_close": POST_ONLY,
    "discussions:post_hide": POST_ONLY,
    "events:feed": DOWNLOAD,
    "events:personal_feed": DOWNLOAD,
    "events:ics": DOWNLOAD,
    "events:group_feed": DOWNLOAD,
    "events:cancel": POST_ONLY,
    "events:register": POST_ONLY,
    "events:unregister": POST_ONLY,
    "knowledge:download": DOWNLOAD,
    "knowledge:download_version": DOWNLOAD,
    "knowledge:state": POST_ONLY,
    "ideas:map_geojson": DOWNLOAD,
    "ideas:export_csv": DOWNLOAD,
    "ideas:export_json": DOWNLOAD,
    "ideas:image_delete": POST_ONLY,
    "ideas:coauthor_respond": POST_ONLY,
    "ideas:coauthor_remove": POST_ONLY,
    "ideas:report_close": POST_ONLY,
    "ideas:comment_create": POST_ONLY,
    "ideas:comment_hide": POST_ONLY,
    "ideas:comment_unhide": POST_ONLY,
    "ideas:support": POST_ONLY,
    "ideas:unsupport": POST_ONLY,
    "ideas:follow": POST_ONLY,
    "ideas:unfollow": POST_ONLY,
    "ideas:hide": POST_ONLY,
    "ideas:unhide": POST_ONLY,
    "projects:geojson": DOWNLOAD,
    "projects:export_csv": DOWNLOAD,
    "projects:export_json": DOWNLOAD,
    "projects:consortium_action": POST_ONLY,
    "assessments:portfolio_csv": DOWNLOAD,
    "assessments:action": POST_ONLY,
    "assessments:start": POST_ONLY,
    "livinglabs:datastream_csv": DOWNLOAD,
    "livinglabs:datastream_chart": "an HTML fragment the lab page's live refresh reads values "
                                   "from, no page (checked inside the lab page)",
    "livinglabs:token_revoke": POST_ONLY,
    "notifications:read": POST_ONLY,
    "notifications:read_all": POST_ONLY,
    "notifications:unsubscribe": SECRET,
    "backoffice:application_confirm": POST_ONLY,
    "backoffice:application_reject": POST_ONLY,
    "backoffice:version_publish": POST_ONLY,
    "legal:consent": "shown only after the privacy notice changed (else a redirect); its journey "
                     "with axe is in stadtallianz/legal/tests/test_a11y_browser.py",
    "backoffice:partners_export": DOWNLOAD,
    "backoffice:audit_export": DOWNLOAD,
    "funding:feed": DOWNLOAD,
    "funding:personal_feed": DOWNLOAD,
    "funding:follow": POST_ONLY,
    "funding:verify": POST_ONLY,
    "funding:delete": POST_ONLY,
    "proposals:pipeline_export": DOWNLOAD,
    "proposals:member_remove": POST_ONLY,
    "proposals:transition": POST_ONLY,
    "proposals:checklist_add": POST_ONLY,
    "proposals:checklist_toggle": POST_ONLY,
    "proposals:checklist_remove": POST_ONLY,
    "proposals:document_link": POST_ONLY,
    "proposals:document_unlink": POST_ONLY,
    "partnering:close": POST_ONLY,
    "partnering:interest_answer": POST_ONLY,
    "matchmaking:dismiss": POST_ONLY,
    "matchmaking:undo": POST_ONLY,
    "opendata:submit": POST_ONLY,
    "opendata:withdraw": POST_ONLY,
    "opendata:observations_csv": DOWNLOAD,
    "opendata:locations_geojson": DOWNLOAD,
    "opendata:platform_csv": DOWNLOAD,
    "opendata:platform_json": DOWNLOAD,
    "impact:target_delete": POST_ONLY,
    "impact:figure_csv": DOWNLOAD,
    "impact:dashboard_csv": DOWNLOAD,
    "syndication:feed_rss": "a feed (RSS 2.0), not an HTML page; parsed in syndication's tests",
    "syndication:feed_atom": "a feed (Atom), not an HTML page; parsed in syndication's tests",
}


def page_url_names() -> set[str]:
    """The names of all URL patterns under the language prefix, Django's admin left out (its
    pages are Django's own and only for the operator)."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if isinstance(pattern.pattern, LocalePrefixPattern):
                    yield from walk(pattern.url_patterns, namespace)
                elif pattern.namespace != "admin":
                    inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                    yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return {
        name
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern)
        for name in walk(pattern.url_patterns, None)
    }


def one(d):
    return [({}, "")]


# URL name -> function(demo objects) -> [(kwargs, query string)]
PAGES = {
    "portal:home": one,
    "portal:my_area": one,
    "accounts:login": one,
    "accounts:register": one,
    "accounts:register_done": one,
    "accounts:resend_confirmation": one,
    "accounts:password_reset": one,
    "accounts:password_reset_done": one,
    "accounts:password_reset_complete": one,
    "accounts:profile": one,
    "accounts:profile_edit": one,
    "accounts:password_change": one,
    "accounts:tokens": one,
    "accounts:delete": one,
    "privacy:overview": one,
    "partners:directory": lambda d: [({}, ""), ({}, "?page=2"),
                                     ({}, "?q=nothing-matches-this")],
    "partners:create": one,
    "partners:detail": lambda d: [({"slug": d.home.slug}, ""), ({"slug": d.draft.slug}, "")],
    "partners:edit": lambda d: [({"slug": d.home.slug}, ""), ({"slug": d.draft.slug}, "")],
    "partners:offers": lambda d: [({"slug": d.home.slug}, "")],
    "partners:offer_edit": lambda d: [({"slug": d.home.slug, "pk": d.offer.pk}, "")],
    "partners:members": lambda d: [({"slug": d.home.slug}, ""), ({"slug": d.draft.slug}, "")],
    "letter_of_intent:current": one,
    "letter_of_intent:version": lambda d: [({"number": 1}, "")],
    "letter_of_intent:sign": lambda d: [({"slug": d.home.slug}, ""), ({"slug": d.draft.slug}, "")],
    "letter_of_intent:status": lambda d: [({"slug": d.home.slug}, ""),
                                          ({"slug": d.draft.slug}, "")],
    "letter_of_intent:withdraw": lambda d: [({"slug": d.home.slug}, "")],
    "workinggroups:list": one,
    "workinggroups:create": one,
    "workinggroups:detail": lambda d: [({"slug": d.group.slug}, ""),
                                       ({"slug": d.led_group.slug}, "")],
    "workinggroups:edit": lambda d: [({"slug": d.led_group.slug}, "")],
    "workinggroups:manage": lambda d: [({"slug": d.led_group.slug}, "")],
    "discussions:list": lambda d: [({"slug": d.thread.group.slug}, "")],
    "discussions:new": lambda d: [({"slug": d.thread.group.slug}, "")],
    "discussions:moderation": lambda d: [({"slug": d.thread.group.slug}, "")],
    "discussions:thread": lambda d: [({"slug": d.thread.group.slug, "pk": d.thread.pk}, "")],
    "discussions:post_edit": lambda d: [({"slug": d.thread.group.slug, "pk": d.thread.pk,
                                          "post_pk": d.post.pk}, "")],
    "discussions:post_report": lambda d: [({"slug": d.thread.group.slug, "pk": d.thread.pk,
                                            "post_pk": d.post.pk}, "")],
    "events:list": one,
    "events:create": one,
    "events:personal_feed_manage": one,
    "events:detail": lambda d: [({"slug": d.event.slug}, ""), ({"slug": d.past_event.slug}, "")],
    "events:edit": lambda d: [({"slug": d.event.slug}, "")],
    "events:attendance": lambda d: [({"slug": d.past_event.slug}, "")],
    "knowledge:list": one,
    "knowledge:create": one,
    "knowledge:document_create": lambda d: [({}, f"?group={d.led_group.slug}")],
    "knowledge:document": lambda d: [({"pk": d.document.pk}, "")],
    "knowledge:version_create": lambda d: [({"pk": d.document.pk}, "")],
    "knowledge:document_delete": lambda d: [({"pk": d.document.pk}, "")],
    "knowledge:article": lambda d: [({"slug": d.article.slug}, "")],
    "knowledge:edit": lambda d: [({"slug": d.article.slug}, "")],
    "knowledge:delete": lambda d: [({"slug": d.article.slug}, "")],
    "ideas:list": lambda d: [({}, ""), ({}, "?state=declined&sort=supported")],
    "ideas:map": one,
    "ideas:create": one,
    "ideas:detail": lambda d: [({"pk": d.idea.pk}, "")],
    "ideas:edit": lambda d: [({"pk": d.idea.pk}, "")],
    "ideas:versions": lambda d: [({"pk": d.idea.pk}, "")],
    "ideas:images": lambda d: [({"pk": d.idea.pk}, "")],
    "ideas:coauthors": lambda d: [({"pk": d.idea.pk}, "")],
    "ideas:state": lambda d: [({"pk": d.idea.pk}, "")],
    "ideas:moderation": one,
    "ideas:comment_edit": lambda d: [({"pk": d.comment.idea_id, "comment_pk": d.comment.pk}, "")],
    "ideas:comment_report": lambda d: [({"pk": d.comment.idea_id,
                                         "comment_pk": d.comment.pk}, "")],
    "ideas:report": lambda d: [({"pk": d.idea.pk}, "")],
    "projects:list": one,
    "projects:map": one,
    "projects:create": one,
    "projects:detail": lambda d: [({"slug": d.project.slug}, "")],
    "projects:edit": lambda d: [({"slug": d.project.slug}, "")],
    "projects:consortium": lambda d: [({"slug": d.project.slug}, "")],
    "projects:part_create": lambda d: [({"slug": d.project.slug, "kind": kind}, "")
                                       for kind in ("milestones", "updates", "results", "budget",
                                                    "places", "sdgs", "phases")],
    "projects:part_edit": lambda d: [({"slug": d.project.slug, "kind": "milestones",
                                       "pk": d.milestone.pk}, "")],
    "projects:part_delete": lambda d: [({"slug": d.project.slug, "kind": "milestones",
                                         "pk": d.milestone.pk}, "")],
    "assessments:portfolio": one,
    "assessments:reviews": one,
    "assessments:detail": lambda d: [({"pk": d.assessment.pk}, "")],
    "assessments:edit": lambda d: [({"pk": d.assessment.pk}, "")],
    "assessments:history": lambda d: [({"slug": d.assessment.project.slug}, "")],
    "livinglabs:list": one,
    "livinglabs:create": one,
    "livinglabs:detail": lambda d: [({"slug": d.lab.slug}, ""),
                                    ({"slug": d.lab.slug}, "?range=week")],
    "livinglabs:edit": lambda d: [({"slug": d.lab.slug}, "")],
    "livinglabs:datastreams": lambda d: [({"slug": d.lab.slug}, "")],
    "livinglabs:datastream_privacy": lambda d: [({"slug": d.lab.slug, "pk": d.datastream.pk}, "")],
    "livinglabs:tokens": lambda d: [({"slug": d.lab.slug}, "")],
    "notifications:list": one,
    "notifications:settings": one,
    "search:search": lambda d: [({}, ""), ({}, "?q=Mobilit%C3%A4t")],
    "backoffice:dashboard": one,
    "backoffice:applications": one,
    "backoffice:application": lambda d: [({"pk": d.application.pk}, "")],
    "backoffice:partners": one,
    "backoffice:audit": one,
    "backoffice:versions": one,
    "backoffice:version_create": one,
    "backoffice:version_edit": lambda d: [({"number": d.draft_version.number}, "")],
    "backoffice:version_preview": lambda d: [({"number": d.draft_version.number}, "")],
    "backoffice:focus_areas": one,
    "backoffice:focus_area_create": one,
    "backoffice:focus_area_edit": lambda d: [({"pk": d.focus_area.pk}, "")],
    "legal:imprint": one,
    "legal:privacy": one,
    "legal:accessibility": one,
    "legal:edit": lambda d: [({"kind": kind}, "") for kind in ("imprint", "privacy",
                                                              "accessibility")],
    "styleguide": one,
    "funding:call_list": lambda d: [({}, ""), ({}, "?state=open"),
                                    ({}, "?q=nothing-matches-this")],
    "funding:calendar": one,
    "funding:personal_feed_manage": one,
    "funding:import": one,
    "funding:call_create": one,
    "funding:call_detail": lambda d: [({"slug": d.call.slug}, ""),
                                      ({"slug": d.closed_call.slug}, "")],
    "funding:call_edit": lambda d: [({"slug": d.call.slug}, "")],
    "funding:programme_list": one,
    "funding:programme_create": one,
    "funding:programme_detail": lambda d: [({"slug": d.call.programme.slug}, "")],
    "funding:programme_edit": lambda d: [({"slug": d.call.programme.slug}, "")],
    # The confidential pages of an application (budget, checklist, documents, history): the
    # Stadtwerke's people ("partner member", "partner admin") are in its consortium, the office
    # ("coordinator") sees every application; others reach only the published one.
    "proposals:list": lambda d: [({}, ""), ({}, "?page=2")],
    "proposals:create": one,
    "proposals:pipeline": one,
    "proposals:totals": one,
    "proposals:detail": lambda d: [({"pk": d.proposal.pk}, ""),
                                   ({"pk": d.submitted_proposal.pk}, ""),
                                   ({"pk": d.published_proposal.pk}, "")],
    "proposals:edit": lambda d: [({"pk": d.proposal.pk}, "")],
    "proposals:member_add": lambda d: [({"pk": d.proposal.pk}, "")],
    "proposals:budget_edit": lambda d: [({"pk": d.proposal.pk,
                                          "member_pk": d.proposal_member.pk}, "")],
    "proposals:grant": lambda d: [({"pk": d.submitted_proposal.pk}, "")],
    "proposals:document_upload": lambda d: [({"pk": d.proposal.pk}, "")],
    "partnering:list": lambda d: [({}, ""), ({}, "?q=nothing-matches-this")],
    "partnering:create": one,
    "partnering:mine": one,
    "partnering:detail": lambda d: [({"pk": d.notice.pk}, ""),
                                    ({"pk": d.other_notice.pk}, "")],
    "partnering:edit": lambda d: [({"pk": d.notice.pk}, "")],
    "partnering:renew": lambda d: [({"pk": d.notice.pk}, "")],
    "matchmaking:index": one,
    "matchmaking:project": lambda d: [({"slug": d.project.slug}, "")],
    "matchmaking:call": lambda d: [({"slug": d.call.slug}, "")],
    "matchmaking:notice": lambda d: [({"pk": d.notice.pk}, "")],
    "opendata:catalogue": lambda d: [({}, ""), ({}, "?theme=TRAN"),
                                     ({}, "?q=nothing-matches-this")],
    "opendata:dataset": lambda d: [({"slug": d.dataset.slug}, ""),
                                   ({"slug": d.lab_dataset.slug}, ""),
                                   ({"slug": d.platform_dataset.slug}, ""),
                                   ({"slug": d.submitted_dataset.slug}, "")],
    "opendata:mine": one,
    "opendata:create": one,
    "opendata:edit": lambda d: [({"slug": d.dataset.slug}, "")],
    "opendata:review_queue": one,
    "opendata:review": lambda d: [({"slug": d.submitted_dataset.slug}, "")],
    "impact:dashboard": lambda d: [({}, ""),
                                   ({}, f"?year=2026&focus_area={d.focus_area.slug}")],
    "impact:targets": one,
    "syndication:feeds": one,
    "syndication:widgets": one,
    "syndication:embed_figures": one,
    "syndication:embed_map": one,
    "syndication:embed_badge": lambda d: [({"slug": d.home.slug}, "")],
    "syndication:embed_project": lambda d: [({"slug": d.project.slug}, "")],
    "syndication:embed_lab": lambda d: [({"slug": d.lab.slug}, "")],
}


def demo_objects() -> SimpleNamespace:
    """The objects of the demo alliance the pages are opened on, and a person for each role."""
    from django.utils import timezone

    from stadtallianz.accounts.models import User
    from stadtallianz.assessments.models import Assessment
    from stadtallianz.core.models import FocusArea
    from stadtallianz.demo.accounts import DEMO_DOMAIN
    from stadtallianz.demo.management.commands.demo import (
        DRAFT_ORGANISATION,
        HOME_ORGANISATION,
    )
    from stadtallianz.discussions.models import Post, Thread
    from stadtallianz.events.models import Event
    from stadtallianz.funding.models import Call
    from stadtallianz.ideas.models import Comment, Idea
    from stadtallianz.knowledge.models import Article, Document
    from stadtallianz.letter_of_intent.models import Signature, Version
    from stadtallianz.livinglabs.models import LivingLab
    from stadtallianz.opendata.models import Dataset
    from stadtallianz.partnering.models import Notice
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects.models import Milestone, Project
    from stadtallianz.proposals.models import Application, ApplicationMember
    from stadtallianz.sensorthings.models import Datastream
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    def account(local):
        return User.objects.get(email=f"{local}@{DEMO_DOMAIN}")

    admin = account("admin")
    # The working-group lead: the lead of a group the partner admin does not lead.
    lead_membership = (GroupMembership.objects.filter(role=GroupMembership.Role.LEAD)
                       .exclude(user=admin).select_related("group", "user").order_by("pk")
                       .first())
    led_group = lead_membership.group
    thread = Thread.objects.filter(group=led_group).order_by("pk").first() or \
        Thread.objects.order_by("pk").first()
    idea = Idea.objects.filter(comments__isnull=False).order_by("pk").first()
    project = Project.objects.filter(milestones__isnull=False).order_by("pk").first()
    lab = LivingLab.objects.order_by("pk").first()
    # A draft of the next version of the letter (the back office's edit page), a comment of the
    # citizen's (its edit page) and an assessment being written (its form): the demo has none.
    latest = Version.objects.order_by("-number").first()
    draft_version = Version.objects.filter(published_at__isnull=True).first() or \
        Version.objects.create(number=latest.number + 1, title_de=latest.title_de,
                               title_en=latest.title_en, text_de=latest.text_de,
                               text_en=latest.text_en)
    citizen = account("buerger")
    comment = Comment.objects.filter(idea=idea, author=citizen).first() or \
        Comment.objects.create(idea=idea, author=citizen, body="Gute Idee, **danke**!")
    assessment = (Assessment.objects.filter(state__in=Assessment.EDITABLE_STATES).order_by("pk")
                  .first() or Assessment.objects.order_by("pk").first())
    now = timezone.now()
    home = Organisation.objects.get(slug=HOME_ORGANISATION)
    # The Stadtwerke's application being prepared (its consortium's people and the office see
    # its budget), one submitted (the grant's form) and one any visitor may read.
    home_proposals = Application.objects.filter(members__organisation=home).order_by("pk")
    proposal = home_proposals.filter(state=Application.State.IN_PREPARATION).first()
    notices = Notice.objects.filter(state=Notice.State.OPEN).order_by("pk")
    return SimpleNamespace(
        roles={
            "visitor": None,
            "citizen": citizen,
            "partner member": account("mitglied"),
            "partner admin": admin,
            "unsigned partner admin": account("entwurf"),
            "working-group lead": lead_membership.user,
            "coordinator": account("koordination"),
        },
        home=home,
        draft=Organisation.objects.get(slug=DRAFT_ORGANISATION),
        offer=Organisation.objects.get(slug=HOME_ORGANISATION).offers.order_by("pk").first(),
        group=WorkingGroup.objects.order_by("pk").first(), led_group=led_group,
        thread=thread, post=Post.objects.filter(thread=thread).order_by("pk").first(),
        event=Event.objects.filter(starts_at__gte=now).order_by("starts_at").first(),
        past_event=Event.objects.filter(starts_at__lt=now).order_by("-starts_at").first(),
        article=Article.objects.order_by("pk").first(),
        document=Document.objects.order_by("pk").first(),
        idea=idea, comment=comment,
        project=project, milestone=Milestone.objects.filter(project=project).first(),
        assessment=assessment,
        lab=lab, datastream=Datastream.objects.filter(lab=lab).order_by("pk").first(),
        application=Signature.objects.filter(state=Signature.State.PENDING).order_by("pk")
        .first() or Signature.objects.order_by("pk").first(),
        draft_version=draft_version,
        focus_area=FocusArea.objects.order_by("position").first(),
        call=Call.objects.filter(state=Call.State.OPEN, programme__isnull=False)
        .order_by("pk").first(),
        closed_call=Call.objects.filter(state=Call.State.CLOSED).order_by("pk").first(),
        proposal=proposal,
        proposal_member=ApplicationMember.objects.filter(application=proposal, organisation=home)
        .first(),
        submitted_proposal=home_proposals.filter(state=Application.State.SUBMITTED).first(),
        published_proposal=Application.objects.filter(published=True).exclude(
            members__organisation=home).order_by("pk").first(),
        notice=notices.filter(organisation=home).first(),
        other_notice=notices.exclude(organisation=home).first(),
        dataset=Dataset.objects.filter(kind=Dataset.Kind.PARTNER, publisher=home).first(),
        lab_dataset=Dataset.objects.published().filter(kind=Dataset.Kind.LAB)
        .order_by("pk").first(),
        platform_dataset=Dataset.objects.get(platform_key="partners"),
        submitted_dataset=Dataset.objects.filter(state=Dataset.State.SUBMITTED)
        .order_by("pk").first(),
    )


def page_paths(objects, language: str) -> list[tuple[str, str]]:
    """(URL name, path with query) of every page, reversed in `language` (some paths are
    translated, /de/impressum/ and /en/imprint/)."""
    paths = []
    with translation.override(language):
        for name, arguments in PAGES.items():
            for kwargs, query in arguments(objects):
                paths.append((name, reverse(name, kwargs=kwargs) + query))
    return paths
