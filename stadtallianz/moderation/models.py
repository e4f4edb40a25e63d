"""One report model for every app that takes reports (issue 13).

`Report` holds what every report has: who reported, why, and whether and by whom it was
closed. An app links what is reported in a child model of its own (multi-table inheritance):
`ideas.IdeaReport` (an idea or one of its comments), `discussions.PostReport` (a post). The
moderation app sits below the content apps (.importlinter), so both import it and it imports
neither.

Closing is race-safe: `ReportQuerySet.close` is one UPDATE of the open reports among those
asked for, so of two moderators closing at once exactly one closes (and writes the audit entry);
the other's count is 0. Nothing reads a report and saves it back.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Report.State.OPEN)

    def close(self, *, by, now=None) -> int:
        """Closes the open reports among these in one UPDATE; the number closed (0 when
        another moderator was first)."""
        return Report.objects.filter(pk__in=models.Subquery(self.values("pk")),
                                     state=Report.State.OPEN).update(
            state=Report.State.CLOSED, closed_at=now or timezone.now(), closed_by=by)


class Report(models.Model):
    """Something reported to its moderators. An app's child model names what."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+", verbose_name=_("reported by"))
    reason = models.TextField(_("reason"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.OPEN, db_index=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{_('report')} {self.pk} ({self.get_state_display()})"
