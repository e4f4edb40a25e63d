"""Joint funding applications: a consortium of partner organisations applies to a call for a
project (or an idea on its way to one), with a budget per member, a checklist, linked documents,
states with their dates, and the grant when it comes.

Who sees what is decided here once (`ApplicationQuerySet`): the budget, documents and checklist
of an application are the consortium's (the people of its member organisations) and the
coordination office's; everyone else sees an application only when the consortium published it
or when it was granted (amounts granted are public record), and never its budget.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stadtallianz.core import timerange
from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.timerange import PlausibleTime

PLAN_DATE = [PlausibleTime(timerange.PLAN)]
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


def _money(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=NOT_NEGATIVE)


class ApplicationQuerySet(models.QuerySet):
    def public(self):
        """What everyone may know exists: published applications and granted ones."""
        return self.filter(Q(published=True) | Q(state=Application.State.GRANTED))

    def of_consortium(self, user):
        """The applications whose consortium `user` belongs to (through any membership of a
        member organisation). Not the coordination office's: "my applications"."""
        if not user.is_authenticated:
            return self.none()
        from stadtallianz.partners.models import Membership

        mine = ApplicationMember.objects.filter(
            application=OuterRef("pk"),
            organisation__in=Membership.objects.filter(user=user).values("organisation"))
        return self.filter(Exists(mine))

    def confidential_for(self, user):
        """The applications whose budget, documents and checklist `user` may see: the
        consortium's people and the coordination office."""
        if user.is_authenticated and user.is_coordination_office:
            return self
        return self.of_consortium(user)

    def visible_to(self, user):
        """The applications `user` may know of: the public ones and their own consortium's
        (all for the coordination office)."""
        if user.is_authenticated and user.is_coordination_office:
            return self
        if not user.is_authenticated:
            return self.public()
        return self.filter(Q(published=True) | Q(state=Application.State.GRANTED)
                           | Q(pk__in=self.of_consortium(user).values("pk")))

    def decided(self):
        return self.filter(state__in=Application.DECIDED_STATES)


class Application(CachedChoiceLabels, models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PREPARATION = "in_preparation", _("In preparation")
        SUBMITTED = "submitted", _("Submitted")
        GRANTED = "granted", _("Granted")
        REJECTED = "rejected", pgettext_lazy("application state", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("application state", "Withdrawn")

    DECIDED_STATES = (State.GRANTED, State.REJECTED)
    CLOSED_STATES = (State.GRANTED, State.REJECTED, State.WITHDRAWN)

    call = models.ForeignKey("funding.Call", on_delete=models.PROTECT,
                             related_name="applications", verbose_name=_("call"))
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="applications",
                                verbose_name=_("project"))
    idea = models.ForeignKey("ideas.Idea", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="applications", verbose_name=_("idea"),
                             help_text=_("An idea on its way to a project."))
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.PLANNED, db_index=True)
    published = models.BooleanField(
        _("published"), default=False,
        help_text=_("Other partners and the public see that the application exists (never "
                    "its budget)."))
    # The date of the submission, kept on the row: the pipeline counts sums by its year.
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True,
                                    validators=PLAN_DATE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False, idea__isnull=True)
                           | Q(project__isnull=True, idea__isnull=False)),
                name="proposals_application_project_or_idea"),
        ]
        indexes = [models.Index(fields=["published", "state"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", kwargs={"pk": self.pk})

    def clean(self):
        if (self.project_id is None) == (self.idea_id is None):
            raise ValidationError({"project": _(
                "An application is for a project or for an idea: choose exactly one.")},
                code="project_or_idea")

    @property
    def is_closed(self) -> bool:
        return self.state in self.CLOSED_STATES


class StateChange(models.Model):
    """One step of an application's history: from which state to which, on which date."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="state_changes", verbose_name=_("application"))
    from_state = models.CharField(_("from"), max_length=16, choices=Application.State.choices,
                                  blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=Application.State.choices)
    on = models.DateField(_("date"), validators=PLAN_DATE)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("changed by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["on", "created_at", "pk"]

    def __str__(self):
        return f"{self.from_state or '–'} → {self.to_state} ({self.on})"


class ApplicationMember(CachedChoiceLabels, models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTNER = "partner", _("Partner")
        ASSOCIATED = "associated", _("Associated partner")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="members", verbose_name=_("application"))
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                     related_name="application_memberships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=14, choices=Role.choices,
                            default=Role.PARTNER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        ordering = ["role", "organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"],
                                    name="proposals_member_unique_organisation"),
            models.UniqueConstraint(fields=["application"], condition=Q(role="coordinator"),
                                    name="proposals_member_one_coordinator"),
        ]
        indexes = [models.Index(fields=["organisation", "application"])]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class BudgetLineQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(member__application__in=Application.objects.confidential_for(user))


class BudgetLine(CachedChoiceLabels, models.Model):
    """A member's costs in one category: the amount (eligible costs) is the own contribution
    plus the requested funding (a database constraint)."""

    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("Personnel")
        MATERIAL = "material", _("Material")
        SUBCONTRACTING = "subcontracting", _("Subcontracting")
        OTHER = "other", _("Other costs")
        OVERHEAD = "overhead", _("Overhead")

    member = models.ForeignKey(ApplicationMember, on_delete=models.CASCADE,
                               related_name="budget_lines", verbose_name=_("member"))
    category = models.CharField(_("cost category"), max_length=14, choices=Category.choices)
    amount = _money(_("amount"))
    own_contribution = _money(_("own contribution"))
    requested = _money(_("requested funding"))

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["member", "category", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "category"],
                                    name="proposals_budgetline_unique_category"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, own_contribution__gte=0, requested__gte=0),
                name="proposals_budgetline_not_negative"),
            models.CheckConstraint(
                condition=Q(amount=F("own_contribution") + F("requested")),
                name="proposals_budgetline_sum"),
        ]

    def __str__(self):
        return f"{self.member.organisation}: {self.get_category_display()}"


class ChecklistItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="checklist", verbose_name=_("application"))
    text = models.CharField(_("item"), max_length=300)
    done = models.BooleanField(_("done"), default=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+",
                                verbose_name=_("done by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class ApplicationDocument(models.Model):
    """A knowledge document linked to an application: seen through the application only by
    the consortium and the office, and among them only by those who may open the document."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="document_links",
                                    verbose_name=_("application"))
    document = models.ForeignKey("knowledge.Document", on_delete=models.CASCADE,
                                 related_name="application_links",
                                 verbose_name=_("document"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, related_name="+", verbose_name=_("added by"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("linked document")
        verbose_name_plural = _("linked documents")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "document"],
                                    name="proposals_document_unique"),
        ]

    def __str__(self):
        return str(self.document)


class GrantQuerySet(models.QuerySet):
    def acquired(self):
        """The funding the alliance acquired, which the public sees (the home page, the totals
        page, the API): the grants of granted applications. A grant row of an application in
        any other state (entered in the admin, say) is no acquired funding."""
        return self.filter(application__state=Application.State.GRANTED)


class Grant(models.Model):
    """What the funder granted: the amount, the grant agreement number or Förderkennzeichen
    and the funded period."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE,
                                       related_name="grant", verbose_name=_("application"))
    amount = _money(_("amount granted"))
    reference = models.CharField(
        _("grant reference"), max_length=100,
        help_text=_("The grant agreement number or Förderkennzeichen."))
    starts_on = models.DateField(_("funded from"), validators=PLAN_DATE)
    ends_on = models.DateField(_("funded until"), validators=PLAN_DATE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0),
                                   name="proposals_grant_amount_not_negative"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="proposals_grant_ends_after_start"),
        ]

    def __str__(self):
        return self.reference

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot be before the start.")})
