"""Ideas of anyone registered: their versions, co-authors, images, comments, supports,
followers and reports.

An idea moves submitted → in discussion → accepted (it becomes a project), declined (with a
public reason) or merged into another idea. A hidden idea or comment is seen by the coordination
office (and, for ideas, by its authors) only.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.moderation.models import Report, ReportQuerySet


class IdeaQuerySet(models.QuerySet):
    def listed_for(self, user):
        """The ideas lists show `user` (list, map, exports, API list, sitemap): hidden ones only
        to the coordination office. Their authors reach a hidden idea by its address
        (`permissions.can_see`), but lists stay the same for everyone else, and cheap: no
        per-person condition in the query."""
        if user.is_authenticated and user.is_coordination_office:
            return self
        return self.filter(hidden_at=None)


class Idea(CachedChoiceLabels, models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        DISCUSSION = "discussion", _("In discussion")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        MERGED = "merged", _("Merged")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20000,
                                   help_text=_("Markdown."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="ideas", verbose_name=_("author"))
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="ideas",
                                         verbose_name=_("focus areas"))
    principles = models.ManyToManyField(Principle, blank=True, related_name="ideas",
                                        verbose_name=_("guiding principles"))
    sdgs = models.ManyToManyField(SustainableDevelopmentGoal, blank=True, related_name="ideas",
                                  verbose_name=_("sustainable development goals"))
    working_group = models.ForeignKey(
        "workinggroups.WorkingGroup", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="ideas", verbose_name=_("working group"))
    # An optional place, as on events: WGS 84 degrees.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    place_name = models.CharField(_("place"), max_length=200, blank=True)

    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.SUBMITTED, db_index=True)
    state_reason = models.TextField(_("reason"), max_length=5000, blank=True,
                                    help_text=_("Shown publicly with a declined idea."))
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_ideas", verbose_name=_("merged into"))

    # Optimistic locking: every saved edit increments it; an edit based on an older number is
    # refused, so two editors never silently overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Kept on the row for sorting 20,000 ideas by support and discussion without a join;
    # changed with F() in the same transaction as the support or comment.
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)

    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("hidden by"))
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-pk"]
        # Each sort of the lists (listing.SORTS) ends on the primary key, and so does its
        # index; hidden_at after the key lets the public lists' condition be checked in the
        # index too. A deep page's ids are then read from the index alone (an index-only scan
        # that stops at the page, listing.LateRowLookup), without sorting the table.
        indexes = [
            models.Index(fields=["created_at", "id", "hidden_at"], name="idea_newest"),
            models.Index(fields=["support_count", "created_at", "id", "hidden_at"],
                         name="idea_by_support"),
            models.Index(fields=["comment_count", "created_at", "id", "hidden_at"],
                         name="idea_by_comments"),
            models.Index(fields=["state", "created_at", "id"], name="idea_by_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="idea_place_complete"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ideas:detail", kwargs={"pk": self.pk})

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def has_place(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class IdeaVersion(models.Model):
    """The idea as it was after one saved edit: number 1 is the submission."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    # Focus areas, principles, SDGs, working group and place as they were, for the diff.
    details = models.JSONField(_("details"), default=dict, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("edited by"))
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("idea version")
        verbose_name_plural = _("idea versions")
        ordering = ["idea", "-number"]
        constraints = [models.UniqueConstraint(fields=["idea", "number"],
                                               name="unique_idea_version")]

    def __str__(self):
        return f"{self.idea} v{self.number}"


class CoAuthor(models.Model):
    """A person the author invited to write the idea with them; a co-author once accepted.

    An invitation is stored for every address typed, registered or not (`user` empty then), so
    that nothing the inviter sees — the answer, the list of invitations, the limits — tells
    whether an address has an account. The inviter sees an open invitation by the `email` they
    typed; the person's name only once they accepted."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="coauthors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="idea_coauthorships",
                             verbose_name=_("person"))
    # The address as typed by the inviter (lower case): what they see until it is accepted.
    email = models.EmailField(_("invited address"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.INVITED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")
        constraints = [models.UniqueConstraint(fields=["idea", "user"],
                                               name="unique_idea_coauthor"),
                       models.UniqueConstraint(fields=["idea", "email"],
                                               condition=~models.Q(email=""),
                                               name="unique_idea_coauthor_email")]

    def __str__(self):
        return f"{self.user or self.email} ({self.idea})"

    def get_respond_url(self):
        return reverse("ideas:coauthor_respond", kwargs={"pk": self.idea_id, "coauthor": self.pk})

    @property
    def shown_as(self) -> str:
        """How the inviter sees this entry: the person's name once accepted, until then only
        the address they typed (the name would tell whether the address has an account)."""
        if self.state == self.State.ACCEPTED and self.user is not None:
            return self.user.full_name or str(_("co-author"))
        return self.email or str(_("invited person"))


def _image_path(instance, filename: str) -> str:
    return f"ideas/{instance.idea_id}/{filename}"


class IdeaImage(models.Model):
    """A picture of an idea; public like the idea, so under MEDIA_ROOT."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=_image_path)
    alt_text = models.CharField(_("description of the image"), max_length=300,
                                help_text=_("What the image shows, for people who cannot "
                                            "see it."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.alt_text


class Comment(models.Model):
    """A comment on an idea, or a reply to one (one level deep, as in CONSUL's lists)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="replies", verbose_name=_("reply to"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="idea_comments", verbose_name=_("author"))
    body = models.TextField(_("comment"), max_length=10000, help_text=_("Markdown."))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("hidden by"))
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_by_idea")]

    def __str__(self):
        return f"{self.idea} #{self.pk}"

    def get_absolute_url(self):
        return f"{reverse('ideas:detail', kwargs={'pk': self.idea_id})}#comment-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Support(models.Model):
    """One person's support of an idea; withdrawn by deleting it."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="idea_supports")
    created_at = models.DateTimeField(_("supported"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"],
                                               name="unique_idea_support")]

    def __str__(self):
        return f"{self.user} → {self.idea}"


class Follow(models.Model):
    """A person who is told about changes of an idea. Authors follow their ideas."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="idea_follows")
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["idea", "user"],
                                               name="unique_idea_follow")]

    def __str__(self):
        return f"{self.user} follows {self.idea}"


class IdeaReport(Report):
    """An idea, or one of its comments, reported to the coordination office (the report's
    common part: moderation.Report)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reports")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.comment or self.idea} ({self.get_state_display()})"
