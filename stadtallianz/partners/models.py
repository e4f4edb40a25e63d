"""Organisations of the alliance, the people in them, and what they offer and need."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.choices import CachedChoiceLabels
from stadtallianz.core.i18n import TranslatedField
from stadtallianz.core.models import FocusArea

# A telephone number as people write it: digits, spaces, "+", "/", "-" and brackets, with at
# least five digits ("+49 251 492-0", "(0251) 492 0").
phone_validator = RegexValidator(
    r"^(?=(?:\D*\d){5})[0-9 +/()\-]+$",
    _("Enter a telephone number: digits, spaces and + / - ( ) only, at least five digits."),
    code="invalid_phone",
)

# The card's one line on what an organisation offers: a tweet's length, one line on a phone.
SUMMARY_MAX_LENGTH = 160


class OrganisationQuerySet(models.QuerySet):
    def public(self):
        """Organisations the public sees: confirmed partners, including those asked to re-sign."""
        return self.filter(status__in=Organisation.PUBLIC_STATUSES)

    def visible_to(self, user):
        """Public partners, plus the organisations a person belongs to; all for the coordinator."""
        if user.is_authenticated and user.is_coordination_office:
            return self.all()
        if user.is_authenticated:
            # A subquery rather than a join: no duplicate rows, so no DISTINCT over the list.
            own = Membership.objects.filter(user=user).values("organisation")
            return self.filter(Q(status__in=Organisation.PUBLIC_STATUSES) | Q(pk__in=own))
        return self.public()

    def search(self, *, q: str = "", type: str = "", focus_area: str = "", category: str = ""):
        """The directory's filters, the same for the web page and the API; empty ones are off.

        `q` is text in the name or a description, `focus_area` a focus area's slug and `category`
        an offer category (of an offer or a need).
        """
        queryset = self
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(summary_de__icontains=q)
                                       | Q(summary_en__icontains=q)
                                       | Q(description_de__icontains=q)
                                       | Q(description_en__icontains=q))
        if type:
            queryset = queryset.filter(type=type)
        # IN (subquery) rather than joins: an organisation with several matching rows is listed
        # once without DISTINCT, and the subquery runs once over its index (a correlated EXISTS
        # would scan the category's offers again for every organisation on SQLite).
        if focus_area:
            through = Organisation.focus_areas.through
            queryset = queryset.filter(pk__in=through.objects.filter(
                focusarea__slug=focus_area).values("organisation_id"))
        if category:
            queryset = queryset.filter(
                pk__in=Offer.objects.filter(category=category).values("organisation_id"))
        return queryset


class Organisation(CachedChoiceLabels, models.Model):
    """A partner organisation (Allianzpartner once its signature of the letter is confirmed)."""

    class Type(models.TextChoices):
        COMPANY = "company", _("Company")
        STARTUP = "startup", _("Start-up")
        RESEARCH = "research", _("Research institute")
        ASSOCIATION = "association", _("Association")
        CHAMBER = "chamber", _("Chamber")
        CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
        MUNICIPAL = "municipal", _("Municipal body")

    class Status(models.TextChoices):
        # Registered on the platform, letter of intent not (yet) signed.
        DRAFT = "draft", _("Not signed")
        PENDING = "pending", _("Signature awaiting review")
        PARTNER = "partner", _("Alliance partner")
        # A partner whose confirmed signature is of an earlier version of the letter.
        RESIGN_REQUIRED = "resign_required", _("Alliance partner, re-signing requested")
        REJECTED = "rejected", _("Application rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PUBLIC_STATUSES = (Status.PARTNER, Status.RESIGN_REQUIRED)

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=220, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, db_index=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # One line on the card, in both languages like the description (TranslatedField below).
    summary_de = models.CharField(
        _("summary (German)"), max_length=SUMMARY_MAX_LENGTH, blank=True, default="",
        db_default="",
        help_text=_("One line on what the organisation offers the alliance, shown on its card."))
    summary_en = models.CharField(
        _("summary (English)"), max_length=SUMMARY_MAX_LENGTH, blank=True, default="",
        db_default="",
        help_text=_("One line on what the organisation offers the alliance, shown on its card."))
    website = models.URLField(_("website"), blank=True)
    # The new columns have a default in the database too: processes of the release before,
    # still running during an upgrade, insert organisations without them.
    contact_email = models.EmailField(_("public contact e-mail"), blank=True, default="",
                                      db_default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[phone_validator],
                             default="", db_default="")
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True, default="",
                                    db_default="")
    contact_role = models.CharField(_("role of the contact person"), max_length=200, blank=True,
                                    default="", db_default="")
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6,
                                   null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    null=True, blank=True)
    focus_areas = models.ManyToManyField(FocusArea, verbose_name=_("focus areas"), blank=True,
                                         related_name="organisations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    partner_since = models.DateTimeField(_("partner since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    summary = TranslatedField("summary")
    description = TranslatedField("description")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        # Names repeat: the order ends on the key, so the directory's pages never overlap.
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["status", "name", "id"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.phone or self.contact_name)


class Membership(models.Model):
    """A person's place in an organisation: admins edit it, sign for it and manage its people."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                             on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"],
                                    name="one_membership_per_person"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


# An accept link works this many days after it was sent; a forwarded or forgotten e-mail should
# not open an organisation months later. Admins can send a fresh link.
INVITATION_VALID_DAYS = 14


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor expired: Invitation.is_expired's rule as a query."""
        return self.filter(accepted_at__isnull=True,
                           sent_at__gt=timezone.now() - timedelta(days=INVITATION_VALID_DAYS))


class Invitation(models.Model):
    """An admin's invitation of a person, by e-mail, to join an organisation."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices,
                            default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    # When the current link was e-mailed; sending again starts the validity period anew.
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def expires_at(self):
        return self.sent_at + timedelta(days=INVITATION_VALID_DAYS)

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and timezone.now() >= self.expires_at


class Offer(models.Model):
    """Something a partner offers the alliance, or needs from it."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        NEED = "need", _("Need")

    class Category(models.TextChoices):
        EXPERTISE = "expertise", _("Expertise")
        DATA = "data", _("Data")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        TEST_SITE = "test_site", _("Test site")
        CO_FINANCING = "co_financing", _("Co-financing")
        REACH = "reach", _("Reach and communication")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(_("offer or need"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                db_index=True)
    text = models.TextField(_("text"), max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer or need")
        verbose_name_plural = _("offers and needs")
        ordering = ["kind", "category", "id"]
        indexes = [models.Index(fields=["category", "kind", "organisation"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_category_display()}"
