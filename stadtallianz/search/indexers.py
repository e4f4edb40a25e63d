"""What each type puts into the search index, and who may find it. Each function mirrors the
visibility rule of its app (the app's permissions.py or QuerySet) for one object."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q

from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge.models import Article, Document
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.opendata.models import Dataset
from stadtallianz.partnering import queries as partnering_queries
from stadtallianz.partnering.models import Notice
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project
from stadtallianz.workinggroups.models import WorkingGroup

from .index import Entry, focus_prefetch, ids, join_texts, path_of, register
from .models import SearchEntry
from .text import plain_text

Type = SearchEntry.Type


def _notices_of(**owner) -> list[tuple[str, list[int]]]:
    """Partner-search notices are public only while their organisation is a public partner and
    their idea not hidden: a change to either reindexes them (Notice.objects.public())."""
    return [(Type.NOTICE, _pks(Notice.objects.filter(**owner)))]


@register(Type.PARTNER, dependents=lambda pk: _notices_of(organisation_id=pk),
          queryset=lambda: Organisation.objects.prefetch_related(focus_prefetch(), "offers"))
def partner_entry(organisation: Organisation) -> Entry | None:
    """Partners shown in the public directory, with their descriptions, offers and needs."""
    if not organisation.is_public:
        return None
    return Entry(
        title_de=organisation.name, url=path_of(organisation),
        text=join_texts(plain_text(organisation.description_de),
                        *[offer.text for offer in organisation.offers.all()]),
        text_en=join_texts(plain_text(organisation.description_en)),
        focus_area_ids=ids(organisation.focus_areas))


def _translated(german: list[str], english: list[str], english_names: list[str]) -> dict:
    """`text` and `text_en` of an object with translated texts; names in English (of focus
    areas) go with the English text when there is one, else with the German (still found)."""
    if any(text.strip() for text in english):
        return {"text": join_texts(*german), "text_en": join_texts(*english, *english_names)}
    return {"text": join_texts(*german, *english_names)}


def _pks(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _group_dependents(pk: int) -> list[tuple[str, list[int]]]:
    """Threads, events and documents take their focus areas from their group."""
    return [
        (Type.THREAD, _pks(Thread.objects.filter(group_id=pk))),
        (Type.EVENT, _pks(Event.objects.filter(group_id=pk))),
        (Type.DOCUMENT, _pks(Document.objects.filter(Q(group_id=pk) | Q(event__group_id=pk)))),
    ]


@register(Type.WORKING_GROUP, dependents=_group_dependents,
          queryset=lambda: WorkingGroup.objects.prefetch_related(focus_prefetch()))
def working_group_entry(group: WorkingGroup) -> Entry:
    """Every working group is public, archived ones too."""
    return Entry(title_de=group.name_de, title_en=group.name_en, url=path_of(group),
                 text=join_texts(plain_text(group.description_de)),
                 text_en=join_texts(plain_text(group.description_en)),
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


@register(Type.EVENT,
          dependents=lambda pk: [(Type.DOCUMENT, _pks(Document.objects.filter(event_id=pk)))],
          queryset=lambda: Event.objects.select_related("group").prefetch_related(
              focus_prefetch("group__focus_areas")))
def event_entry(event: Event) -> Entry:
    """Events, cancelled ones too (their page says so); members-only events of a group for its
    members, members-only events of the whole alliance for the members of any group."""
    return Entry(title_de=event.title_de, title_en=event.title_en, url=path_of(event),
                 text=join_texts(plain_text(event.description_de)),
                 text_en=join_texts(plain_text(event.description_en)),
                 members_only=not event.is_public, group_id=event.group_id,
                 focus_area_ids=ids(event.group.focus_areas) if event.group else [])


@register(Type.ARTICLE, dependents=lambda pk: [
    (Type.DOCUMENT, _pks(Document.objects.filter(article_id=pk)))],
    queryset=lambda: Article.objects.prefetch_related(focus_prefetch()))
def article_entry(article: Article) -> Entry | None:
    """Published articles (drafts are for their authors and the group's leads only);
    members-only ones for the group's members."""
    if not article.is_published:
        return None
    return Entry(title_de=article.title, url=path_of(article),
                 text=join_texts(article.summary, plain_text(article.body)),
                 members_only=not article.is_public, group_id=article.group_id,
                 focus_area_ids=ids(article.focus_areas))


@register(Type.IDEA, dependents=lambda pk: _notices_of(idea_id=pk),
          queryset=lambda: Idea.objects.prefetch_related(
              focus_prefetch(), Prefetch("focus_areas", to_attr="focus_named")))
def idea_entry(idea: Idea) -> Entry | None:
    """Ideas that are not hidden (hidden ones are for their authors and the coordination office
    only), with their description and the names of their focus areas."""
    if idea.is_hidden:
        return None
    return Entry(title_de=idea.title, url=path_of(idea),
                 text=join_texts(plain_text(idea.description),
                                 *[area.name_de for area in idea.focus_named],
                                 *[area.name_en for area in idea.focus_named]),
                 focus_area_ids=ids(idea.focus_areas))


@register(Type.PROJECT, queryset=lambda: Project.objects.prefetch_related(
    focus_prefetch(), Prefetch("focus_areas", to_attr="focus_named")))
def project_entry(project: Project) -> Entry:
    """Every project is public: its titles, summaries, descriptions and focus area names."""
    return Entry(title_de=project.title_de, title_en=project.title_en, url=path_of(project),
                 **_translated([plain_text(project.summary_de),
                                plain_text(project.description_de),
                                *[area.name_de for area in project.focus_named]],
                               [plain_text(project.summary_en),
                                plain_text(project.description_en)],
                               [area.name_en for area in project.focus_named]),
                 focus_area_ids=ids(project.focus_areas))


@register(Type.LIVING_LAB, queryset=lambda: LivingLab.objects.all())
def living_lab_entry(lab: LivingLab) -> Entry:
    """Every living lab is public: its names, descriptions, what is tried and what it has
    learned. Never its datastreams or their values (restricted datastreams' names are for
    insiders only, and values change every minute)."""
    return Entry(title_de=lab.name_de, title_en=lab.name_en, url=path_of(lab),
                 text=join_texts(plain_text(lab.description_de), plain_text(lab.trial_de),
                                 plain_text(lab.learnings_de)),
                 text_en=join_texts(plain_text(lab.description_en), plain_text(lab.trial_en),
                                    plain_text(lab.learnings_en)))


@register(Type.CALL, queryset=lambda: Call.objects.visible_to(AnonymousUser())
          .select_related("programme")
          .prefetch_related(focus_prefetch(), Prefetch("focus_areas", to_attr="focus_named")))
def call_entry(call: Call) -> Entry:
    """Funding calls are public information (CallQuerySet.visible_to), closed ones too (their
    page says so): titles, summaries, the source identifier (an EU topic id such as
    HORIZON-CL5-2026-09-D4-03 is found as typed), keywords, region, the programme and its funder,
    and the names of the focus areas. Never who follows a call, nor the applications to it (a
    consortium's budget is confidential)."""
    programme = call.programme
    shared = [call.source_id, call.keywords, call.region, programme.funder]
    return Entry(title_de=call.title_de, title_en=call.title_en, url=path_of(call),
                 **_translated([plain_text(call.summary_de), *shared, programme.name_de,
                                *[area.name_de for area in call.focus_named]],
                               [plain_text(call.summary_en)] + (
                                   [*shared, programme.name_en or programme.name_de]
                                   if call.summary_en.strip() else []),
                               [area.name_en for area in call.focus_named]),
                 focus_area_ids=ids(call.focus_areas))


def _without_title(text: str, title: str) -> str:
    """The text without the title it begins with (the result shows the title above it)."""
    title = title.strip()
    if title and text.startswith(title):
        return text[len(title):].lstrip("\n")
    return text


@register(Type.NOTICE, queryset=lambda: Notice.objects.public().prefetch_related(
    focus_prefetch()))
def notice_entry(notice: Notice) -> Entry:
    """Open partner-search notices of public partners (Notice.objects.public(): a closed,
    archived or expired notice is not found), in the words partnering gives for search
    (partnering.queries.search_text). Never the interests, their messages or anyone's contact
    person."""
    texts = partnering_queries.search_text(notice)
    return Entry(title_de=notice.title_de, title_en=notice.title_en, url=path_of(notice),
                 text=join_texts(plain_text(_without_title(texts["de"], notice.title_de))),
                 text_en=join_texts(plain_text(_without_title(texts["en"], notice.title_en))),
                 focus_area_ids=ids(notice.focus_areas))


# Who may find something: None for everyone, else the group whose members may (None inside:
# the members of any group, for members-only events of the whole alliance).
PUBLIC = None
ANY_GROUP = ("group", None)


def _both(first, second):
    """The people who may see both: a document is seen by those who see its parent and, if
    members-only, by the members of the parent's group."""
    if first is PUBLIC:
        return second
    if second is PUBLIC or second == ANY_GROUP:
        return first
    return second if first == ANY_GROUP else first


def _document_parent(document: Document):
    """The parent's audience and focus areas, or None when only authors see the parent, or when
    the document is private (shared with a consortium, knowledge/access.py): search never
    holds those."""
    if document.is_private:
        return None
    if document.group_id:
        return PUBLIC, ids(document.group.focus_areas)
    if document.event_id:
        event = document.event
        audience = PUBLIC if event.is_public else ("group", event.group_id)
        return audience, ids(event.group.focus_areas) if event.group else []
    article = document.article
    if not article.is_published:
        return None
    audience = PUBLIC if article.is_public else ("group", article.group_id)
    return audience, ids(article.focus_areas)


@register(Type.DOCUMENT, queryset=lambda: Document.objects.select_related(
    "group", "event__group", "article").prefetch_related(
    focus_prefetch("group__focus_areas"), focus_prefetch("event__group__focus_areas"),
    focus_prefetch("article__focus_areas")))
def document_entry(document: Document) -> Entry | None:
    """A document's title and description, for those who see its parent and, if members-only,
    are members of the parent's group."""
    parent = _document_parent(document)
    if parent is None:
        return None
    audience, focus_area_ids = parent
    if not document.is_public:
        group = document.parent_group
        if group is None:  # invalid (the model refuses it): only the coordination office sees it
            return None
        audience = _both(audience, ("group", group.pk))
    return Entry(title_de=document.title, url=path_of(document), text=document.description,
                 members_only=audience is not PUBLIC,
                 group_id=audience[1] if audience is not PUBLIC else None,
                 focus_area_ids=focus_area_ids)


@register(Type.DATASET, queryset=lambda: Dataset.objects.published()
          .select_related("publisher").prefetch_related(focus_prefetch(),
                                                        Prefetch("focus_areas",
                                                                 to_attr="focus_named")))
def dataset_entry(dataset: Dataset) -> Entry | None:
    """Published datasets of the open-data catalogue (Dataset.objects.published(): a draft, a
    partner's dataset under review and a lab dataset withdrawn because its last public
    datastream became restricted are not found): title, description, keywords and the
    publisher's name. Never the datastreams' values."""
    if dataset.state != Dataset.State.PUBLISHED:
        return None
    shared = [", ".join(dataset.keywords), dataset.publisher.name if dataset.publisher else ""]
    return Entry(title_de=dataset.title_de, title_en=dataset.title_en, url=path_of(dataset),
                 **_translated([plain_text(dataset.description_de), *shared,
                                *[area.name_de for area in dataset.focus_named]],
                               [plain_text(dataset.description_en)] + (
                                   shared if dataset.description_en.strip() else []),
                               [area.name_en for area in dataset.focus_named]),
                 focus_area_ids=ids(dataset.focus_areas))
