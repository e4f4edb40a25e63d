"""Discussions of a working group: threads, posts with their edit history, mentions and reports.

A thread is public or visible to the group's members only; its posts share that visibility.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.moderation.models import Report, ReportQuerySet
from stadtallianz.workinggroups.models import WorkingGroup


class ThreadQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Thread.Visibility.PUBLIC)

    def visible_to(self, user, group: WorkingGroup):
        """Threads of `group` that `user` may see: members-only ones to members and the
        coordination office alone."""
        from . import permissions

        threads = self.filter(group=group)
        if not permissions.can_see_members_only(user, group):
            threads = threads.public()
        return threads

    def listed(self):
        """Pinned threads first, then by latest activity."""
        return self.order_by("-pinned", "-last_activity_at", "-pk")


class Thread(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members of the group only")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="threads",
                              verbose_name=_("working group"))
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="discussion_threads", verbose_name=_("author"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.MEMBERS)
    pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["group", "pinned", "last_activity_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("discussions:thread", kwargs={"slug": self.group.slug, "pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts",
                               verbose_name=_("thread"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="discussion_posts", verbose_name=_("author"))
    body = models.TextField(_("text"), max_length=20000,
                            help_text=_("Markdown. Mention members with @[Full Name] or "
                                        "@name@example.org."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("hidden by"))
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.thread} #{self.pk}"

    def get_absolute_url(self):
        return f"{self.thread.get_absolute_url()}#post-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """An earlier text of a post, kept whenever its author changes it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("text"))
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+", verbose_name=_("edited by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.post} ({self.created_at:%Y-%m-%d %H:%M})"


class Mention(models.Model):
    """A member named in a post; unique so that nobody is notified twice for one post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="discussion_mentions")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["post", "user"],
                                               name="unique_post_mention")]

    def __str__(self):
        return f"@{self.user} in {self.post}"


class PostReport(Report):
    """A post reported to the group's moderators (its leads and the coordinator); the report's
    common part is moderation.Report."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.post} ({self.get_state_display()})"
