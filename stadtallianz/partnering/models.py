"""Partner-search notices and the interest partners express in them.

A notice is posted by a partner organisation for a project or an idea it belongs to, and may name
the call it applies to (or only a call). It says which roles, capabilities and organisation types
it seeks, until when answers are wanted (`deadline`) and until when it is shown (`expires_on`):
an expired notice is archived by the daily job and its owner asked to renew it.

Another partner expresses interest with a message. Who sees whose contact person is decided in
one place, `reveal.py`: nobody's person before the notice's owner accepts, both sides' after.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core import timerange
from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea
from stadtallianz.core.timerange import PlausibleTime
from stadtallianz.partners.models import Membership, Organisation

PLAN_DATE = [PlausibleTime(timerange.PLAN)]
# A new notice is shown for three months unless its owner chooses another expiry; renewing
# extends it by as much again. Longer expiries are allowed up to a year.
DEFAULT_VALIDITY = timedelta(days=90)
MAX_VALIDITY = timedelta(days=366)


def default_expiry() -> date:
    return timezone.localdate() + DEFAULT_VALIDITY


class Role(models.TextChoices):
    """The roles a consortium has (as in joint applications)."""

    COORDINATOR = "coordinator", _("Coordinator")
    PARTNER = "partner", _("Partner")
    ASSOCIATED = "associated", _("Associated partner")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")


def _member_organisations(user):
    return Membership.objects.filter(user=user).values("organisation")


class NoticeQuerySet(models.QuerySet):
    def open(self):
        """Open and not expired (the daily job archives expired ones; until it has run, an
        expired notice is no longer listed as open either)."""
        return self.filter(state=Notice.State.OPEN, expires_on__gte=timezone.localdate())

    def public(self):
        """What everyone sees: open notices of public partners, not of a hidden idea."""
        return self.open().filter(
            organisation__status__in=Organisation.PUBLIC_STATUSES).filter(
            Q(idea__isnull=True) | Q(idea__hidden_at__isnull=True))

    def owned_by(self, user):
        """Notices of the organisations `user` belongs to (any role)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__in=_member_organisations(user))

    def answerable_by(self, user):
        """Notices whose interests `user` answers: permissions.is_owner in SQL (an admin of
        the notice's organisation, or the member who posted it while still in it)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(organisation__in=Membership.objects.filter(user=user, role=Membership.Role.ADMIN)
              .values("organisation"))
            | Q(created_by=user, organisation__in=_member_organisations(user)))

    def visible_to(self, user):
        """Public notices; for a person also their organisations' notices and those their
        organisations expressed interest in, whatever their state; all for the office."""
        if not user.is_authenticated:
            return self.public()
        if user.is_coordination_office:
            return self.all()
        own = _member_organisations(user)
        interested = Interest.objects.filter(notice=OuterRef("pk"), organisation__in=own)
        public = self.public().values("pk")
        return self.filter(Q(pk__in=public) | Q(organisation__in=own) | Q(Exists(interested)))

    def search(self, *, wanted_type: str = "", focus_area: str = "", call: str = "",
               role: str = "", open_only: bool = False, q: str = ""):
        """The list's filters, the same for the page and the API; empty ones are off.
        `wanted_type` an organisation type (notices wanting it, or wanting any type),
        `focus_area` a focus area's slug, `call` a call's slug, `role` a role sought."""
        queryset = self
        if open_only:
            queryset = queryset.open()
        if wanted_type:
            # JSON text contains the quoted value: works on SQLite and PostgreSQL alike.
            queryset = queryset.filter(Q(wanted_types=[])
                                       | Q(wanted_types__icontains=f'"{wanted_type}"'))
        if role:
            queryset = queryset.filter(roles_sought__icontains=f'"{role}"')
        if focus_area:
            through = Notice.focus_areas.through
            queryset = queryset.filter(pk__in=through.objects.filter(
                focusarea__slug=focus_area).values("notice_id"))
        if call:
            queryset = queryset.filter(call__slug=call)
        if q:
            queryset = queryset.filter(
                Q(title_de__icontains=q) | Q(title_en__icontains=q)
                | Q(description_de__icontains=q) | Q(description_en__icontains=q)
                | Q(capabilities_sought_de__icontains=q)
                | Q(capabilities_sought_en__icontains=q))
        return queryset


class Notice(CachedChoiceLabels, models.Model):
    """A partner search: an organisation looking for partners for a project, an idea or a call."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        # Expired: the daily job archived it; its owner may renew it.
        ARCHIVED = "archived", _("Archived")
        # The owner found partners or gave up.
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="partner_notices",
                                     verbose_name=_("organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("contact person"))
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="partner_notices",
                                verbose_name=_("project"))
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="partner_notices", verbose_name=_("idea"))
    call = models.ForeignKey("funding.Call", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="partner_notices", verbose_name=_("call"))
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_de = models.TextField(_("description (German)"), max_length=10000, blank=True,
                                      help_text=_("Markdown."))
    description_en = models.TextField(_("description (English)"), max_length=10000, blank=True,
                                      help_text=_("Markdown."))
    # A list of Role values (at least one).
    roles_sought = models.JSONField(_("roles sought"), default=list, blank=True)
    capabilities_sought_de = models.TextField(
        _("capabilities sought (German)"), max_length=5000, blank=True,
        help_text=_("What the partners you are looking for should bring: expertise, data, "
                    "infrastructure, test sites …"))
    capabilities_sought_en = models.TextField(
        _("capabilities sought (English)"), max_length=5000, blank=True,
        help_text=_("What the partners you are looking for should bring: expertise, data, "
                    "infrastructure, test sites …"))
    # A list of partners.Organisation.Type values; empty: every type is welcome.
    wanted_types = models.JSONField(_("organisation types wanted"), default=list, blank=True)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="partner_notices",
                                         verbose_name=_("focus areas"))
    deadline = models.DateField(_("answers wanted by"), null=True, blank=True,
                                validators=PLAN_DATE)
    expires_on = models.DateField(_("shown until"), default=default_expiry,
                                  validators=PLAN_DATE, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.OPEN, db_index=True)
    renewed_at = models.DateTimeField(_("renewed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    title = TranslatedField("title")
    description = TranslatedField("description")
    capabilities_sought = TranslatedField("capabilities_sought")

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner-search notice")
        verbose_name_plural = _("partner-search notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "expires_on"], name="partnering_notice_state_idx")]
        constraints = [
            # A project or an idea (not both), with or without a call; or a call alone.
            models.CheckConstraint(
                condition=~Q(project__isnull=False, idea__isnull=False),
                name="partnering_notice_project_or_idea"),
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(idea__isnull=False)
                | Q(call__isnull=False),
                name="partnering_notice_has_subject"),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__lte=models.F("expires_on")),
                name="partnering_notice_deadline_before_expiry"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("partnering:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN and self.expires_on >= timezone.localdate()

    @property
    def accepts_interest(self) -> bool:
        """Open, and its deadline for answers (if any) not passed."""
        return self.is_open and (self.deadline is None or self.deadline >= timezone.localdate())

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(value).label) for value in self.roles_sought if value in Role.values]

    @property
    def wanted_type_labels(self) -> list[str]:
        return [str(Organisation.Type(value).label) for value in self.wanted_types
                if value in Organisation.Type.values]


class InterestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Interest.State.PENDING)

    def of_user(self, user):
        """Interests expressed by the organisations `user` belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__in=_member_organisations(user))


class Interest(CachedChoiceLabels, models.Model):
    """An organisation's answer to a notice: a message, and the person who wrote it, whose
    contact details the notice's owner sees only after accepting (reveal.py)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="interests",
                               verbose_name=_("notice"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="partner_interests",
                                     verbose_name=_("organisation"))
    # Empty once the person's account is deleted: the organisation's interest stays.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="partner_interests",
                               verbose_name=_("contact person"))
    message = models.TextField(_("message"), max_length=5000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING, db_index=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = InterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "organisation"],
                                    name="partnering_one_interest_per_organisation"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.notice}"

    @property
    def is_accepted(self) -> bool:
        return self.state == self.State.ACCEPTED
