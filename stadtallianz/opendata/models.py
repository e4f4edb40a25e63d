"""The open-data catalogue: datasets and their distributions (docs/standards.md, "Open data").

A dataset comes from one of three sources, told apart by `kind`:
- a living lab's public and aggregated datastreams of one observed property (`LAB`), kept in
  step with the datastreams by opendata.sync: published while at least one of them may be
  shown to everybody, withdrawn when none may (restricted datastreams never appear);
- the platform's own open data (`PLATFORM`: partner directory, projects, ideas, events, funding
  acquired), one dataset per `platform_key`, with CSV and JSON files made by opendata.alliance_data;
- a partner's own data offer (`PARTNER`), registered by the partner's people and reviewed by
  the coordination office before anybody else sees it.

Every channel (pages, DCAT-AP.de RDF, CKAN API, search, sitemap, feeds) lists datasets through
`Dataset.objects.published()` or `visible_to(user)`, so privacy and review are one rule.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import TranslatedField
from stadtallianz.partners.models import Organisation

from .vocabularies import (
    DEFAULT_LICENCE,
    validate_file_type,
    validate_frequency,
    validate_licence,
    validate_themes,
)


def text_matches(word: str) -> Q:
    """A word (or phrase) in a dataset's search column, whatever its case: the one text rule
    of the catalogue page's search and CKAN's `q` (trigram-indexed on PostgreSQL)."""
    return Q(search_text__contains=word.lower())


class DatasetQuerySet(models.QuerySet):
    def published(self):
        """What everybody sees in every channel."""
        return self.filter(state=Dataset.State.PUBLISHED)

    def visible_to(self, user):
        """Published datasets, plus the drafts and submissions of the person's organisations;
        everything for the coordination office."""
        if user.is_authenticated and user.is_coordination_office:
            return self.all()
        if user.is_authenticated:
            from stadtallianz.partners.models import Membership

            own = Membership.objects.filter(user=user).values("organisation")
            return self.filter(Q(state=Dataset.State.PUBLISHED)
                               | Q(kind=Dataset.Kind.PARTNER, publisher__in=own))
        return self.published()


class Dataset(models.Model):
    class Kind(models.TextChoices):
        LAB = "lab", _("Living lab data")
        PLATFORM = "platform", _("Alliance open data")
        PARTNER = "partner", _("Partner's data offer")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Returned for changes")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The identifier harvesters keep (dct:identifier, CKAN's id): never changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, db_index=True)
    # The stable address name (CKAN's `name`): lowercase letters, digits, "-" and "_".
    slug = models.SlugField(_("address name"), max_length=100, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.DRAFT, db_index=True)

    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_de = models.TextField(_("description (German)"), max_length=20000,
                                      help_text=_("Markdown."))
    description_en = models.TextField(_("description (English)"), max_length=20000, blank=True,
                                      help_text=_("Markdown."))
    # None for the platform's own datasets: the alliance (its coordination office) publishes
    # them. A lab dataset's publisher is the lab's operator.
    publisher = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="datasets", verbose_name=_("publisher"))
    contact_name = models.CharField(_("contact"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    licence = models.CharField(_("licence"), max_length=40, default=DEFAULT_LICENCE,
                               validators=[validate_licence])
    themes = models.JSONField(_("themes"), default=list, blank=True, validators=[validate_themes],
                              help_text=_("EU data themes (keys such as TRAN, ENVI)."))
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    focus_areas = models.ManyToManyField("core.FocusArea", blank=True, related_name="+",
                                         verbose_name=_("focus areas"))
    # GeoJSON geometry; empty: the municipality (settings.DCAT_POLITICAL_GEOCODING_URI).
    spatial = models.JSONField(_("spatial coverage"), null=True, blank=True)
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    accrual_periodicity = models.CharField(_("update frequency"), max_length=12,
                                           default="UNKNOWN", validators=[validate_frequency])

    # LAB: the lab and observed property the dataset groups, and the datastreams it publishes
    # now (kept by opendata.sync; never a restricted one).
    lab = models.ForeignKey("livinglabs.LivingLab", on_delete=models.CASCADE, null=True,
                            blank=True, related_name="datasets", verbose_name=_("living lab"))
    observed_property = models.ForeignKey("sensorthings.ObservedProperty",
                                          on_delete=models.CASCADE, null=True, blank=True,
                                          related_name="+", verbose_name=_("observed property"))
    datastreams = models.ManyToManyField("sensorthings.Datastream", blank=True,
                                         related_name="datasets",
                                         verbose_name=_("datastreams"))
    # PLATFORM: which of the platform's lists ("partners", "projects", "ideas", "events",
    # "funding"); opendata.alliance_data knows the columns of each.
    platform_key = models.CharField(max_length=20, null=True, blank=True, unique=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("registered by"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("note of the review"), max_length=5000, blank=True)
    # dct:issued: when it was first published; dct:modified: when its metadata or data last
    # changed (harvesters and CKAN's metadata_modified read it).
    issued = models.DateTimeField(_("published"), null=True, blank=True)
    modified = models.DateTimeField(_("changed"), db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The texts a search looks in, lower-cased in one column (titles, descriptions, keywords,
    # the address name, the publisher's name): one LIKE per word, which a trigram index answers
    # on PostgreSQL (migration 0003). Kept by save(); a bulk write must call search_words().
    search_text = models.TextField(editable=False, blank=True, default="")

    title = TranslatedField("title")
    description = TranslatedField("description")

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["title_de", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "observed_property"], condition=Q(kind="lab"),
                                    name="opendata_one_dataset_per_lab_property"),
        ]
        indexes = [models.Index(fields=["state", "-modified"], name="opendata_state_modified")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = self.search_words()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("opendata:dataset", kwargs={"slug": self.slug})

    def search_words(self) -> str:
        publisher = self.publisher.name if self.publisher_id else ""
        return " ".join([self.title_de, self.title_en, self.description_de,
                         self.description_en, " ".join(map(str, self.keywords or [])),
                         self.slug, publisher]).lower()


class Distribution(models.Model):
    """One way to get a dataset's data: a file to download, or an API (for a lab dataset, the
    SensorThings API, described in the RDF as a DCAT DataService)."""

    class Kind(models.TextChoices):
        DOWNLOAD = "download", _("Download")
        API = "api", _("API")
        LINK = "link", _("Web page")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions",
                                verbose_name=_("dataset"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.DOWNLOAD)
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_de = models.TextField(_("description (German)"), max_length=5000, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=5000, blank=True)
    # Absolute for a partner's own files (http/https only); a path on this site for the
    # platform's and the labs' (made absolute with SITE_URL in every channel).
    access_url = models.CharField(_("access address"), max_length=1000)
    download_url = models.CharField(_("download address"), max_length=1000, blank=True)
    file_type = models.CharField(_("format"), max_length=12, validators=[validate_file_type])
    # A lab dataset's CSV per period: the first and last day it covers.
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    modified = models.DateTimeField(_("changed"))

    title = TranslatedField("title")
    description = TranslatedField("description")

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["dataset_id", "position", "pk"]

    def __str__(self):
        return self.title


class PlatformFile(models.Model):
    """The made file of a platform dataset's distribution (CSV or JSON), rebuilt when its data
    changed and at least daily; `stale` is set by the signals of the apps whose data it holds."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    file_type = models.CharField(max_length=12)
    content = models.BinaryField()
    rows = models.PositiveIntegerField(default=0)
    made_at = models.DateTimeField()
    stale = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "file_type"],
                                               name="opendata_one_file_per_format")]

    def __str__(self):
        return f"{self.dataset_id}.{self.file_type.lower()}"


class ValidationRun(models.Model):
    """A check of the whole catalogue against the DCAT-AP.de SHACL shapes (the nightly job
    `validate_catalogue`); the impact dashboard and the catalogue page show the newest."""

    checked_at = models.DateTimeField(_("checked"), db_index=True)
    datasets = models.PositiveIntegerField(_("datasets"))
    violations = models.PositiveIntegerField(_("violations"))
    warnings = models.PositiveIntegerField(_("warnings"))
    # The shapes' messages, grouped (shape, path, message, count): what to fix, not every node.
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M}: {self.violations} violations"

    @property
    def conforms(self) -> bool:
        return self.violations == 0
