"""Working groups of the alliance: the people in them (leads and members) and the member
organisations a lead has added."""

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea


class GroupMembershipQuerySet(models.QuerySet):
    """The one definition of who is in a group: an *active* membership (not a request, not an
    invitation). Every app asks it here rather than restating the state."""

    def active(self):
        return self.filter(state=GroupMembership.State.ACTIVE)

    def leads(self):
        """Lead memberships; with `active()`, the group's leads."""
        return self.filter(role=GroupMembership.Role.LEAD)

    def of(self, user):
        """The memberships of `user`; none for an anonymous person."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def group_ids(self):
        """The groups of these memberships, as a subquery (one query however many groups)."""
        return self.values("group_id")


class WorkingGroupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=WorkingGroup.State.ACTIVE)

    def of_member(self, user):
        """The groups `user` is an active member (or lead) of."""
        return self.filter(pk__in=GroupMembership.objects.active().of(user).group_ids())

    def with_counts(self):
        """Annotates the number of active people and of member organisations, in one query.

        Two subqueries rather than two joined counts: joining both would multiply the rows.
        """
        people = (GroupMembership.objects.active().filter(group=models.OuterRef("pk"))
                  .order_by().values("group").annotate(n=Count("pk")).values("n"))
        organisations = (GroupOrganisation.objects.filter(group=models.OuterRef("pk"))
                         .order_by().values("group").annotate(n=Count("pk")).values("n"))
        return self.annotate(
            member_count=models.functions.Coalesce(models.Subquery(people), 0),
            organisation_count=models.functions.Coalesce(models.Subquery(organisations), 0),
        )

    def listed(self):
        """Active groups first, then archived ones, each by name."""
        return self.annotate(
            archived_last=models.Case(
                models.When(state=WorkingGroup.State.ARCHIVED, then=1), default=0,
                output_field=models.IntegerField()),
        ).order_by("archived_last", "name_de", "pk")


class WorkingGroup(models.Model):
    """A working group that carries one or more focus areas of the alliance forward."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open to everyone")
        REQUEST = "request", _("On request")
        INVITATION = "invitation", _("By invitation")

    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    focus_areas = models.ManyToManyField(FocusArea, related_name="working_groups",
                                         verbose_name=_("focus areas"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.ACTIVE, db_index=True)
    join_policy = models.CharField(_("joining"), max_length=12, choices=JoinPolicy.choices,
                                   default=JoinPolicy.OPEN)
    organisations = models.ManyToManyField(
        "partners.Organisation", through="GroupOrganisation", related_name="working_groups",
        verbose_name=_("member organisations"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = WorkingGroupQuerySet.as_manager()

    name = TranslatedField("name")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name_de"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workinggroups:detail", kwargs={"slug": self.slug})

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class GroupMembership(models.Model):
    """A person in a working group: active, asking to join, or invited by a lead."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")

    class State(models.TextChoices):
        ACTIVE = "active", _("Member")
        REQUESTED = "requested", _("Request pending")
        INVITED = "invited", _("Invited")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("working group"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="group_memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.ACTIVE)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="unique_group_membership"),
        ]
        indexes = [models.Index(fields=["group", "state", "role"])]

    def __str__(self):
        return f"{self.user} – {self.group}"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD and self.state == self.State.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class GroupOrganisation(models.Model):
    """A partner organisation taking part in a working group, added by a lead."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE,
                              related_name="group_organisations")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE,
                                     related_name="group_organisations")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"],
                                    name="unique_group_organisation"),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.group}"

