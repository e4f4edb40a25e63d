"""What each type puts into the search index, and who may find it. Each function mirrors the
visibility rule of its app (the app's permissions.py or QuerySet) for one object."""

from django.db.models import Prefetch

from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import WorkingGroup

from .index import Entry, focus_prefetch, ids, join_texts, path_of, register
from .models import SearchEntry
from .text import plain_text

Type = SearchEntry.Type


@register(Type.PARTNER, queryset=lambda: Organisation.objects.prefetch_related(
    focus_prefetch(), "offers"))
def partner_entry(organisation: Organisation) -> Entry | None:
    """Partners shown in the public directory, with their descriptions, offers and needs."""
    if not organisation.is_public:
        return None
    return Entry(
        title_de=organisation.name, url=path_of(organisation),
        text=join_texts(plain_text(organisation.description_de),
                        plain_text(organisation.description_en),
                        *[offer.text for offer in organisation.offers.all()]),
        focus_area_ids=ids(organisation.focus_areas))


def _group_dependents(pk: int) -> list[tuple[str, list[int]]]:
    """Threads and events take their focus areas from their group."""
    return [
        (Type.THREAD, list(Thread.objects.filter(group_id=pk).values_list("pk", flat=True))),
        (Type.EVENT, list(Event.objects.filter(group_id=pk).values_list("pk", flat=True))),
    ]


@register(Type.WORKING_GROUP, dependents=_group_dependents,
          queryset=lambda: WorkingGroup.objects.prefetch_related(focus_prefetch()))
def working_group_entry(group: WorkingGroup) -> Entry:
    """Every working group is public, archived ones too."""
    return Entry(title_de=group.name_de, title_en=group.name_en, url=path_of(group),
                 text=join_texts(plain_text(group.description_de),
                                 plain_text(group.description_en)),
                 focus_area_ids=ids(group.focus_areas))


@register(Type.THREAD, queryset=lambda: Thread.objects.select_related("group").prefetch_related(
    focus_prefetch("group__focus_areas"),
    Prefetch("posts", queryset=Post.objects.filter(hidden_at__isnull=True).only(
        "thread_id", "body").order_by("created_at", "pk"), to_attr="shown_posts")))
def thread_entry(thread: Thread) -> Entry:
    """A thread with the text of its posts that are not hidden; members-only threads for the
    group's members."""
    return Entry(title_de=thread.title, url=path_of(thread),
                 text=join_texts(*[plain_text(post.body) for post in thread.shown_posts]),
                 members_only=not thread.is_public, group_id=thread.group_id,
                 focus_area_ids=ids(thread.group.focus_areas))


@register(Type.EVENT, queryset=lambda: Event.objects.select_related("group").prefetch_related(
    focus_prefetch("group__focus_areas")))
def event_entry(event: Event) -> Entry:
    """Events, cancelled ones too (their page says so); members-only events of a group for its
    members, members-only events of the whole alliance for the members of any group."""
    return Entry(title_de=event.title_de, title_en=event.title_en, url=path_of(event),
                 text=join_texts(plain_text(event.description_de),
                                 plain_text(event.description_en)),
                 members_only=not event.is_public, group_id=event.group_id,
                 focus_area_ids=ids(event.group.focus_areas) if event.group else [])
