"""Funding programmes and their calls (Förderaufrufe), with deadlines, follows, the personal
deadline feed and the reminders already sent.

A programme is what a funder runs (Horizon Europe, "Modellprojekte Smart Cities", a state
programme, a foundation's fund); a call is one invitation to apply under it, with one or more
deadlines. Calls are public information: everybody may read them (`visible_to` is there for the
one rule all lists use); who may enter and edit them is decided in permissions.py.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core import timerange
from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea
from stadtallianz.core.timerange import PlausibleTime
from stadtallianz.partners.models import Organisation

MAX_AMOUNT_DIGITS = 14  # up to 999 999 999 999,99 €: a whole EU work programme fits


def new_uid() -> str:
    # Calendar programs match updates by UID, so it is made once and never changes.
    return f"{uuid.uuid4()}@stadtallianz-funding"


class Programme(CachedChoiceLabels, models.Model):
    class Level(models.TextChoices):
        EU = "eu", _("European Union")
        FEDERAL = "federal", _("Federal")
        STATE = "state", _("Federal state")
        MUNICIPAL = "municipal", _("Municipal")
        FOUNDATION = "foundation", _("Foundation")
        PRIVATE = "private", _("Private")

    funder = models.CharField(_("funder"), max_length=200,
                              help_text=_("Who provides the money, e.g. European Commission."))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    description_de = models.TextField(_("description (German)"), max_length=20000, blank=True,
                                      help_text=_("Markdown."))
    description_en = models.TextField(_("description (English)"), max_length=20000, blank=True,
                                      help_text=_("Markdown."))
    url = models.URLField(_("link"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    name = TranslatedField("name")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["name_de", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("funding:programme_detail", kwargs={"slug": self.slug})


def validate_link_lines(value: str) -> None:
    """Each line of "further links" is an http(s) address: the call page makes each a link, and
    a javascript: or data: address must never become one."""
    check = URLValidator(schemes=["http", "https"])
    for number, line in enumerate((value or "").splitlines(), start=1):
        if line.strip():
            try:
                check(line.strip())
            except ValidationError:
                raise ValidationError(
                    _("Line %(number)s is no http or https address."),
                    code="invalid", params={"number": number}) from None


class CallQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Calls are public information (the funders publish them): everybody sees every
        call. The one place to change should drafts ever be added."""
        return self

    def open(self):
        return self.filter(state=Call.State.OPEN)

    def current(self):
        """Open and forthcoming calls: what the calendar and the public feed show."""
        return self.filter(state__in=[Call.State.OPEN, Call.State.FORTHCOMING])

    def with_next_deadline(self, now=None):
        """Annotates `next_due_at`: the earliest deadline still ahead (None when all passed),
        in the list's own query (`Call.next_deadline` reads it without a query per card)."""
        now = now or timezone.now()
        return self.annotate(next_due_at=Subquery(
            Deadline.objects.filter(call=OuterRef("pk"), due_at__gte=now)
            .order_by().values("call").annotate(first=Min("due_at")).values("first")[:1]))

    def for_applicant(self, organisation_type: str):
        """Calls open to an organisation type: an empty list of eligible types means all.
        Filtered in Python-free form on both databases: the JSON list is matched as text."""
        return self.filter(Q(eligible_types=[])
                           | Q(eligible_types__icontains=f'"{organisation_type}"'))


class Call(CachedChoiceLabels, models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        EU_FT = "eu_ft", _("EU Funding & Tenders portal")
        FOERDERDATENBANK = "foerderdatenbank", _("Federal funding database")
        STATE = "state", _("State funding database")
        OTHER = "other", _("Other source")

    class State(models.TextChoices):
        FORTHCOMING = "forthcoming", _("Forthcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class FundingType(models.TextChoices):
        GRANT = "grant", _("Grant")
        LOAN = "loan", _("Loan")
        PRIZE = "prize", _("Prize")
        GUARANTEE = "guarantee", _("Guarantee")
        PROCUREMENT = "procurement", _("Procurement")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.MANUAL)
    source_id = models.CharField(
        _("source identifier"), max_length=120, blank=True,
        help_text=_("The identifier in the source, e.g. an EU topic id like "
                    "HORIZON-CL5-2026-09-D4-03."))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls",
                                  verbose_name=_("programme"))
    title_de = models.CharField(_("title (German)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_de = models.TextField(_("summary (German)"), max_length=20000, blank=True,
                                  help_text=_("Markdown."))
    summary_en = models.TextField(_("summary (English)"), max_length=20000, blank=True,
                                  help_text=_("Markdown."))
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.OPEN, db_index=True)
    opens_on = models.DateField(_("opening date"), null=True, blank=True,
                                validators=[PlausibleTime(timerange.PLAN)])
    total_budget = models.DecimalField(_("total budget (EUR)"), max_digits=MAX_AMOUNT_DIGITS,
                                       decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(Decimal(0))])
    min_amount = models.DecimalField(_("minimum per project (EUR)"),
                                     max_digits=MAX_AMOUNT_DIGITS, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(Decimal(0))])
    max_amount = models.DecimalField(_("maximum per project (EUR)"),
                                     max_digits=MAX_AMOUNT_DIGITS, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(Decimal(0))])
    expected_grants = models.PositiveIntegerField(_("expected number of grants"), null=True,
                                                  blank=True)
    funding_type = models.CharField(_("type of funding"), max_length=12,
                                    choices=FundingType.choices, default=FundingType.GRANT)
    funding_rate = models.DecimalField(
        _("funding rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Percent of the eligible costs; rates per applicant type override it."))
    # Organisation.Type values; an empty list means every type may apply.
    eligible_types = models.JSONField(_("eligible applicant types"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True,
                              help_text=_("Where applicants must be based, e.g. EU, "
                                          "Germany, North Rhine-Westphalia."))
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="funding_calls",
                                         verbose_name=_("focus areas"))
    keywords = models.CharField(_("topics and keywords"), max_length=1000, blank=True,
                                help_text=_("Separated by commas."))
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    contact = models.TextField(_("contact"), max_length=2000, blank=True)
    url = models.URLField(_("link to the call"), max_length=500, blank=True)
    links = models.TextField(_("further links"), max_length=5000, blank=True,
                             help_text=_("One address per line."),
                             validators=[validate_link_lines])
    checklist = models.TextField(
        _("checklist for applicants"), max_length=5000, blank=True,
        help_text=_("What an application to this call needs, one item per line (a joint "
                    "application starts with it). Empty: the usual steps."))
    verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("last verified by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    title = TranslatedField("title")
    summary = TranslatedField("summary")

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        ordering = ["title_de", "pk"]
        constraints = [
            # A re-import updates the call it imported before instead of adding a second one.
            models.UniqueConstraint(fields=["source", "source_id"],
                                    condition=~Q(source_id=""),
                                    name="funding_call_unique_source_id"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("funding:call_detail", kwargs={"slug": self.slug})

    def rate_for(self, organisation_type: str) -> Decimal | None:
        """The funding rate for an applicant type: its own rate if the call names one, else
        the call's rate (None when neither is known). Reads prefetched `rates` if present."""
        for rate in self.rates.all():
            if rate.applicant_type == organisation_type:
                return rate.rate
        return self.funding_rate

    def is_eligible(self, organisation_type: str) -> bool:
        return not self.eligible_types or organisation_type in self.eligible_types

    @property
    def next_deadline(self):
        """The earliest deadline still ahead (a datetime) or None; from the list annotation
        `with_next_deadline()` when present, else from prefetched or queried deadlines."""
        if hasattr(self, "next_due_at"):
            return self.next_due_at
        now = timezone.now()
        ahead = [d.due_at for d in self.deadlines.all() if d.due_at >= now]
        return min(ahead) if ahead else None

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    def eligible_type_labels(self) -> list[str]:
        labels = dict(Organisation.Type.choices)
        return [str(labels.get(value, value)) for value in self.eligible_types]


class CallRate(models.Model):
    """A funding rate for one applicant type, overriding the call's rate (e.g. 100 % for
    research institutes, 70 % for companies)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rates",
                             verbose_name=_("call"))
    applicant_type = models.CharField(_("applicant type"), max_length=20,
                                      choices=Organisation.Type.choices)
    rate = models.DecimalField(_("funding rate (%)"), max_digits=5, decimal_places=2,
                               validators=[MinValueValidator(Decimal(0)),
                                           MaxValueValidator(Decimal(100))])

    class Meta:
        verbose_name = _("funding rate per applicant type")
        verbose_name_plural = _("funding rates per applicant type")
        ordering = ["applicant_type"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant_type"],
                                    name="funding_one_rate_per_type"),
        ]

    def __str__(self):
        return f"{self.call} – {self.get_applicant_type_display()}: {self.rate} %"


class Deadline(CachedChoiceLabels, models.Model):
    """A submission deadline; EU deadlines are 17:00 Brussels time, stored as any time in UTC."""

    class Stage(models.TextChoices):
        SINGLE = "single", _("Single stage")
        FIRST = "first", _("First stage")
        SECOND = "second", _("Second stage")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="deadlines",
                             verbose_name=_("call"))
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices,
                             default=Stage.SINGLE)
    due_at = models.DateTimeField(_("due"), validators=[PlausibleTime(timerange.EVENT)])
    uid = models.CharField(_("calendar UID"), max_length=100, unique=True, default=new_uid,
                           editable=False)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "stage"],
                                    name="funding_one_deadline_per_stage"),
        ]
        indexes = [models.Index(fields=["due_at", "id"], name="funding_deadline_by_due")]

    def __str__(self):
        return f"{self.call} – {self.get_stage_display()} ({self.due_at:%Y-%m-%d %H:%M})"


class CallFollow(models.Model):
    """A person follows a call: its deadlines in their feed and reminders before them."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="follows",
                             verbose_name=_("call"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="funding_follows", verbose_name=_("person"))
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed call")
        verbose_name_plural = _("followed calls")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="funding_follow_once"),
        ]

    def __str__(self):
        return f"{self.user} – {self.call}"


class DeadlineFeed(models.Model):
    """A person's secret deadline feed address (only the SHA-256 of its key). One per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="funding_feed", verbose_name=_("person"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal deadline feed")
        verbose_name_plural = _("personal deadline feeds")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class DeadlineReminder(models.Model):
    """A reminder round done: `days_before` (30, 14 or 3) for a deadline at `due_at`. The
    recipients' notifications carry their own once-only key; this row lets a second run skip
    the round, and a moved deadline (another `due_at`) is reminded of again."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders",
                                 verbose_name=_("deadline"))
    days_before = models.PositiveSmallIntegerField(_("days before"))
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "days_before", "due_at"],
                                    name="funding_reminder_once"),
        ]

    def __str__(self):
        return f"{self.deadline} – {self.days_before}"


def validate_applicant_types(values) -> None:
    """Every value must be an Organisation.Type; raises naming `eligible_types`."""
    known = set(Organisation.Type.values)
    if not isinstance(values, list | tuple):
        raise ValidationError({"eligible_types": _("Expected a list of applicant types.")})
    unknown = [str(v) for v in values if v not in known]
    if unknown:
        raise ValidationError({"eligible_types": _("Unknown applicant type: %(types)s.")
                               % {"types": ", ".join(unknown)}}, code="unknown_applicant_type")
