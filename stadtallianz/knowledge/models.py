"""Knowledge exchange: articles (lessons learned, how-tos, reports) and documents with versions.

An article is alliance-wide or belongs to a working group; members-only articles need a group.
A document hangs on exactly one of a group, an event or an article, and a person sees it only
when they see its parent and, for a members-only document, are a member of the parent's group.
A private document has no parent: it is shared with the people higher apps name through
`knowledge.access.register_private_readers` (a funding application's consortium, say).
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.workinggroups.models import GroupMembership

from . import access
from .storage import private_storage


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Article.State.PUBLISHED)

    def visible_to(self, user):
        """The one rule for who reads which article, on every page, feed, search and API.

        Published public articles are for everyone, published members-only ones for the group's
        active members; drafts for their authors (of a group's: while they are its members) and the
        group's leads. The coordination office sees all.
        """
        if user.is_authenticated and user.is_coordination_office:
            return self
        published = Q(state=Article.State.PUBLISHED)
        public = published & Q(visibility=Article.Visibility.PUBLIC)
        if not user.is_authenticated:
            return self.filter(public)
        groups = GroupMembership.objects.active().of(user).group_ids()
        members = published & Q(visibility=Article.Visibility.MEMBERS, group_id__in=groups)
        # Subqueries rather than joins over the authors: no duplicate rows, no DISTINCT.
        own = Article.authors.through.objects.filter(user=user).values("article_id")
        # An author's own drafts only while they may write there: someone who has left the
        # group no longer reads its drafts (which the others keep writing).
        drafts = Q(state=Article.State.DRAFT) & (
            (Q(pk__in=own) & (Q(group__isnull=True) | Q(group_id__in=groups)))
            | Q(group_id__in=GroupMembership.objects.active().leads().of(user).group_ids()))
        return self.filter(public | members | drafts)

    def listed(self):
        """Newest first: published ones by their publication, drafts by their last change."""
        return self.order_by(models.F("published_at").desc(nulls_first=True), "-updated_at",
                             "-pk")


class Article(CachedChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson learned")
        HOWTO = "howto", _("How-to")
        REPORT = "report", pgettext_lazy("kind of article", "Report")

    class Language(models.TextChoices):
        DE = "de", _("German")
        EN = "en", _("English")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members of the group only")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    summary = models.TextField(_("summary"), max_length=500,
                               help_text=_("One or two sentences, shown in lists."))
    body = models.TextField(_("text"), max_length=100000, help_text=_("Markdown."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LESSON)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices,
                                default=Language.DE,
                                help_text=_("The language the article is written in."))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    group = models.ForeignKey("workinggroups.WorkingGroup", on_delete=models.CASCADE,
                              null=True, blank=True, related_name="articles",
                              verbose_name=_("working group"),
                              help_text=_("Empty for an article of the whole alliance."))
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="articles",
                                     verbose_name=_("authors"))
    organisations = models.ManyToManyField("partners.Organisation", blank=True,
                                           related_name="articles",
                                           verbose_name=_("organisations"),
                                           help_text=_("Partner organisations of the authors."))
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="articles",
                                         verbose_name=_("focus areas"))
    principles = models.ManyToManyField(Principle, blank=True, related_name="articles",
                                        verbose_name=_("guiding principles"))
    sdgs = models.ManyToManyField(SustainableDevelopmentGoal, blank=True,
                                  related_name="articles",
                                  verbose_name=_("sustainable development goals"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility="public") | Q(group__isnull=False),
                name="article_members_only_needs_group"),
        ]
        indexes = [models.Index(fields=["state", "visibility", "published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:article", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.visibility == self.Visibility.MEMBERS and self.group_id is None:
            raise ValidationError(
                {"visibility": _("Only an article of a working group can be for its members "
                                 "only.")}, code="members_only_needs_group")

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A document is seen by whoever sees its parent (group, event or article), and a
        members-only one only by the active members of the parent's group; a private one by
        those the registered apps name (`knowledge.access`; without any, by its uploader). The
        coordination office sees all."""
        from stadtallianz.events.models import Event

        if user.is_authenticated and user.is_coordination_office:
            return self
        parent_visible = (
            Q(group__isnull=False)
            | Q(event_id__in=Event.objects.visible_to(user).values("pk"))
            | Q(article_id__in=Article.objects.visible_to(user).values("pk")))
        public = Q(visibility=Document.Visibility.PUBLIC)
        if not user.is_authenticated:
            return self.filter(parent_visible & public)
        groups = GroupMembership.objects.active().of(user).group_ids()
        members = Q(visibility=Document.Visibility.MEMBERS) & (
            Q(group_id__in=groups) | Q(event__group_id__in=groups)
            | Q(article__group_id__in=groups))
        private = Q(visibility=Document.Visibility.PRIVATE) & access.private_readable(user)
        return self.filter((parent_visible & (public | members)) | private)

    def not_private(self):
        return self.exclude(visibility=Document.Visibility.PRIVATE)

    def with_latest_version(self):
        """Annotates the latest version's number, size and type: one query for any list."""
        latest = DocumentVersion.objects.filter(document=models.OuterRef("pk")).order_by(
            "-number")
        return self.annotate(
            latest_number=models.Subquery(latest.values("number")[:1]),
            latest_size=models.Subquery(latest.values("size")[:1]),
            latest_type=models.Subquery(latest.values("content_type")[:1]))


def version_path(instance: "DocumentVersion", filename: str) -> str:
    # A random name: the person's file name is kept in the row, never used as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"documents/{instance.document_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members of the group only")
        PRIVATE = "private", _("Only the people the document is shared with")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    group = models.ForeignKey("workinggroups.WorkingGroup", on_delete=models.CASCADE,
                              null=True, blank=True, related_name="documents",
                              verbose_name=_("working group"))
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="documents", verbose_name=_("event"))
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="documents", verbose_name=_("article"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(group__isnull=False, event__isnull=True, article__isnull=True)
                           | Q(group__isnull=True, event__isnull=False, article__isnull=True)
                           | Q(group__isnull=True, event__isnull=True, article__isnull=False)
                           | Q(visibility="private")),
                name="document_exactly_one_parent"),
            models.CheckConstraint(
                condition=(~Q(visibility="private")
                           | Q(group__isnull=True, event__isnull=True, article__isnull=True)),
                name="document_private_without_parent"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:document", kwargs={"pk": self.pk})

    @property
    def parent(self):
        return self.group or self.event or self.article

    @property
    def parent_group(self):
        """The working group whose members see a members-only document (None for a private
        one, which has no parent)."""
        if self.group_id:
            return self.group
        if self.event_id:
            return self.event.group
        if self.article_id:
            return self.article.group
        return None

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE

    def clean(self):
        super().clean()
        parents = sum(parent is not None for parent in (self.group_id, self.event_id,
                                                        self.article_id))
        if self.is_private:
            if parents:
                raise ValidationError(
                    {"visibility": _("A private document belongs to no working group, event "
                                     "or article.")}, code="private_with_parent")
            return
        if parents != 1:
            raise ValidationError(_("A document belongs to exactly one working group, event or "
                                    "article."), code="one_parent")
        if self.visibility == self.Visibility.MEMBERS and self.parent_group is None:
            raise ValidationError(
                {"visibility": _("Only a document of a working group (or of its event or "
                                 "article) can be for its members only.")},
                code="members_only_needs_group")


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions",
                                 verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_path, storage=private_storage,
                            max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"],
                                    name="unique_document_version"),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def get_download_url(self):
        return reverse("knowledge:download_version",
                       kwargs={"pk": self.document_id, "number": self.number})
