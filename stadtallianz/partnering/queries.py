"""Reads the pages, the API and other apps share: the list with its filters, a person's own
notices and interests ("Mein Bereich"), the notices of a project, an idea or a call, and the
text of a notice for search and matchmaking."""

from django.db.models import Count, Prefetch, Q

from stadtallianz.core.models import FocusArea

from . import reveal
from .models import Interest, Notice


def listed(user, *, wanted_type: str = "", focus_area: str = "", call: str = "",
           role: str = "", open_only: bool = True, project: str = "", idea: int | None = None,
           q: str = ""):
    """The notices a list shows `user`, filtered, newest first, with what a card shows in a
    fixed number of queries (organisation, project, idea, call, focus areas)."""
    notices = Notice.objects.visible_to(user).search(
        wanted_type=wanted_type, focus_area=focus_area, call=call, role=role,
        open_only=open_only, q=q)
    if project:
        notices = notices.filter(project__slug=project)
    if idea:
        notices = notices.filter(idea_id=idea)
    return with_card_relations(notices)


def with_card_relations(notices):
    return notices.select_related("organisation", "project", "idea", "call").prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position", "slug")))


def open_notices_for(*, project=None, idea=None, call=None, user=None):
    """The open notices of a project, an idea or a call that `user` may see: for a template
    include on their pages ({% open_notices_for project %})."""
    notices = Notice.objects.public() if user is None else Notice.objects.visible_to(
        user).open()
    if project is not None:
        notices = notices.filter(project=project)
    if idea is not None:
        notices = notices.filter(idea=idea)
    if call is not None:
        notices = notices.filter(call=call)
    return notices.select_related("organisation")


def my_notices(user):
    """The notices of `user`'s organisations, every state, with their pending interests counted
    ("Mein Bereich": notices waiting for an answer come first)."""
    return (Notice.objects.owned_by(user).select_related("organisation", "project", "idea",
                                                         "call")
            .annotate(pending_count=Count("interests",
                                          filter=Q(interests__state=Interest.State.PENDING)))
            .order_by("-pending_count", "-created_at", "-pk"))


def my_interests_query(user):
    """The interests `user`'s organisations expressed, newest first, with what reveal.py reads:
    to be limited before it is loaded and shown with reveal.shown_list, which leaves none of
    them out (they are the interested side)."""
    return reveal.with_relations(Interest.objects.of_user(user)).order_by("-created_at", "-pk")


def my_interests(user):
    """The interests `user`'s organisations expressed, as reveal.py lets them see them."""
    return reveal.shown_list(user, my_interests_query(user))


def interests_for_owner(user, notice: Notice):
    """A notice's interests as its owner (or the office) sees them; [] for anyone else."""
    from . import permissions

    if not permissions.can_manage(user, notice):
        return []
    return reveal.shown_list(user, reveal.with_relations(notice.interests.all()))


def waiting_count(user) -> int:
    """How many interests in `user`'s organisations' notices wait for an answer (for a badge
    in Mein Bereich); only those `user` may answer."""
    return Interest.objects.pending().filter(
        notice__in=Notice.objects.answerable_by(user)).count()


def search_text(notice: Notice) -> dict:
    """The texts of a notice by language, for search indexing and matchmaking: title,
    description, capabilities sought, and the labels of roles and wanted types. Open notices
    only should be indexed (Notice.objects.public())."""
    texts = {}
    for language in ("de", "en"):
        texts[language] = "\n".join(part for part in (
            getattr(notice, f"title_{language}"), getattr(notice, f"description_{language}"),
            getattr(notice, f"capabilities_sought_{language}")) if part)
    return texts


def personal_data(user) -> dict:
    """The person's rows for the privacy export (GDPR Art. 15, 20), as querysets by table:
    the notices they posted and the interests they expressed (with their messages)."""
    return {
        "partner_search_notices": Notice.objects.filter(created_by=user),
        "partner_search_interests": Interest.objects.filter(person=user),
    }


def notification_keys_about(user) -> list[str]:
    """The keys of notifications to others that name `user`: the acceptance of an interest
    tells the interested person the notice's contact person (the person who posted it). For the
    erasure, which scrubs the name and address from them."""
    return [f"partnering-answered:{pk}" for pk in Interest.objects.filter(
        notice__created_by=user, state=Interest.State.ACCEPTED).values_list("pk", flat=True)]


def sitemap_notices():
    """The notices a sitemap lists: the public ones (open, of public partners), with
    `updated_at` as their last modification."""
    return Notice.objects.public().only("pk", "updated_at").order_by("pk")
