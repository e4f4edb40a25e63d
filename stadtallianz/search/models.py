"""The search index: one row per searchable object, whatever its type.

One denormalised table makes a ranked search across all types one indexed query. Each row says
who may find it (public, members of one working group, or members of any group), so the query
itself filters by permission. Objects only their authors or moderators may see (drafts, hidden
posts, unconfirmed organisations) are not indexed at all.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea
from stadtallianz.workinggroups.models import GroupMembership


class SearchEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Entries `user` may open: public ones; members-only ones of the groups the person is
        an active member of, and alliance-wide members-only ones for members of any group; all
        for the coordination office. Subqueries, so it is one query whatever the person's
        groups."""
        if user.is_authenticated and user.is_coordination_office:
            return self
        public = Q(members_only=False)
        if not user.is_authenticated:
            return self.filter(public)
        memberships = GroupMembership.objects.active().of(user)
        of_group = Q(members_only=True, group_id__in=memberships.group_ids())
        of_alliance = Q(members_only=True, group_id__isnull=True) & Q(Exists(memberships))
        return self.filter(public | of_group | of_alliance)


class SearchEntry(models.Model):
    class Type(models.TextChoices):
        PARTNER = "partner", _("Partner")
        WORKING_GROUP = "working_group", _("Working group")
        THREAD = "thread", _("Discussion")
        EVENT = "event", _("Event")
        ARTICLE = "article", _("Article")
        DOCUMENT = "document", _("Document")
        IDEA = "idea", _("Idea")
        PROJECT = "project", _("Project")
        LIVING_LAB = "living_lab", _("Living lab")
        CALL = "call", _("Funding call")
        NOTICE = "notice", _("Partner search")
        DATASET = "dataset", _("Dataset")

    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    object_id = models.PositiveBigIntegerField(_("object"))
    title_de = models.CharField(_("title (German)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True,
                            help_text=_("Plain text, for the index and the snippets."))
    # The English translations of the text where the object has them (and they differ): the
    # snippet on English pages comes from here, on German pages from `text`.
    # db_default: entries written by the release before during an upgrade have no English text.
    text_en = models.TextField(_("text (English)"), blank=True, default="", db_default="")
    # The page's path in the default language; shown in the reader's language.
    url = models.CharField(_("address"), max_length=500)
    # Who may find the entry: everyone (members_only false); the active members of the group
    # `group_id`; or, with no group, the active members of any group. A plain number rather than
    # a foreign key: the entry goes when its object goes, through the indexer.
    members_only = models.BooleanField(_("members only"), default=False)
    group_id = models.PositiveIntegerField(_("working group"), null=True, blank=True)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="+",
                                         verbose_name=_("focus areas"))
    # PostgreSQL only (title weight A, text weight B, configuration german), with a GIN index
    # made by the migration; on SQLite the FTS5 table `search_fts` takes its place.
    vector = SearchVectorField(null=True, editable=False)
    # The title alone (PostgreSQL only, GIN index): finds the title matches among many
    # matches cheaply, so that they are always among the ranked candidates (services.search).
    title_vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    objects = SearchEntryQuerySet.as_manager()

    title = TranslatedField("title")

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["type", "object_id"],
                                               name="one_search_entry_per_object")]
        indexes = [models.Index(fields=["members_only", "group_id"])]

    def __str__(self):
        return f"{self.get_type_display()}: {self.title}"


class FtsRow(models.Model):
    """A row of the SQLite FTS5 table (created by the migration on SQLite only): the entry's
    title and text as German stems. `match` is FTS5's hidden column named like the table
    (`match=…` is a full-text match), `rank` its hidden column with bm25 (title weighs ten
    times the text, set by the migration)."""

    entry = models.OneToOneField(SearchEntry, primary_key=True, db_column="rowid",
                                 on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="fts")
    title = models.TextField()
    text = models.TextField()
    match = models.TextField(db_column="search_fts")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "search_fts"

    def __str__(self):
        return self.title
