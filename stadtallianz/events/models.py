"""Meetings and events of a working group or of the whole alliance, and who registered."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core import timerange
from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.timerange import PlausibleTime
from stadtallianz.workinggroups.models import GroupMembership


def new_uid() -> str:
    # Calendar programs match updates by UID, so it is made once and never changes.
    return f"{uuid.uuid4()}@stadtallianz"


class EventQuerySet(models.QuerySet):
    def public(self):
        """Public events: what a visitor, a sitemap or a shared calendar feed may show."""
        return self.filter(visibility=Event.Visibility.PUBLIC)

    def visible_to(self, user):
        """The one rule for who sees which event, on every page, feed, search and API.

        Public events are for everyone; members-only events of a group for that group's active
        members, and members-only events of the whole alliance (no group) for the people of any
        group. The coordination office sees all.
        """
        if user.is_authenticated and user.is_coordination_office:
            return self
        if not user.is_authenticated:
            return self.public()
        groups = list(GroupMembership.objects.active().of(user).values_list("group_id",
                                                                              flat=True))
        members = Q(visibility=Event.Visibility.MEMBERS) & (
            Q(group_id__in=groups) | (Q(group__isnull=True) if groups else Q(pk__in=[])))
        return self.filter(Q(visibility=Event.Visibility.PUBLIC) | members)

    def with_registration_counts(self):
        """Lists: each event's registered and waiting people counted in the list's own query,
        for the card's free places (`Event.places_left`) without a query per card."""
        state = Registration.State
        return self.annotate(
            registered_count=Count("registrations",
                                   filter=Q(registrations__state=state.REGISTERED)),
            waiting_count=Count("registrations", filter=Q(registrations__state=state.WAITING)),
        )


class Event(CachedChoiceLabels, models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members of the group only")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey("workinggroups.WorkingGroup", on_delete=models.CASCADE,
                              null=True, blank=True, related_name="events",
                              verbose_name=_("working group"),
                              help_text=_("Empty for an event of the whole alliance."))
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices,
                              default=Format.IN_PERSON)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    room_notes = models.TextField(_("room notes"), blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    online_link = models.URLField(_("online link"), blank=True,
                                  help_text=_("Shown only to registered attendees."))
    starts_at = models.DateTimeField(_("starts"), validators=[PlausibleTime(timerange.EVENT)])
    ends_at = models.DateTimeField(_("ends"), validators=[PlausibleTime(timerange.EVENT)])
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Empty for no limit."))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.SCHEDULED)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    uid = models.CharField(_("calendar UID"), max_length=100, unique=True, default=new_uid,
                           editable=False)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = EventQuerySet.as_manager()

    title = TranslatedField("title")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        # The lists' order (by start, then the key) read from the index, forwards or backwards.
        indexes = [models.Index(fields=["starts_at", "id"], name="event_by_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and not (
                timerange.problem(timerange.EVENT, self.starts_at)
                or timerange.problem(timerange.EVENT, self.ends_at)) \
                and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")},
                                  code="ends_before_start")

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def has_room(self) -> bool:
        return self.format != self.Format.ONLINE

    @property
    def is_online(self) -> bool:
        return self.format != self.Format.IN_PERSON

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def places_left(self) -> int | None:
        """Free places, from `with_registration_counts()`; None without a limit or without
        the counts (the card then says nothing about places)."""
        registered = getattr(self, "registered_count", None)
        if self.capacity is None or registered is None:
            return None
        return max(self.capacity - registered, 0)


class Registration(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations",
                              verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="event_registrations", verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.REGISTERED)
    position = models.PositiveIntegerField(_("waiting list position"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="unique_event_registration"),
        ]
        indexes = [models.Index(fields=["event", "state"])]

    def __str__(self):
        return f"{self.user} – {self.event}"
