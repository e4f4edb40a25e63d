"""The audit log's filters (django-filter, as core/filters.py): by object (its type and a search
in its name), by person (name or e-mail address), by area of the action and by date range. The
page and both exports filter with the same FilterSet."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stadtallianz.core.models import AuditEntry

# The first word of the action codes, for the "area" filter.
AREAS = [
    ("partner.", _("Organisations and letters of intent")),
    ("letter.", _("Versions of the letter of intent")),
    ("account.", _("Accounts")),
    ("workinggroup.", _("Working groups")),
    ("discussion.", _("Discussions")),
    ("event.", _("Events")),
    ("knowledge.", _("Knowledge")),
    ("idea.", _("Ideas")),
    ("project.", _("Projects")),
    ("assessment.", _("Assessments")),
    ("livinglab.", _("Living labs")),
    ("notification.", _("Notifications")),
    ("core.", _("Reference data")),
]


class ObjectTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        label = str(model._meta.verbose_name) if model else obj.model
        return label[:1].upper() + label[1:]


class ObjectTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ObjectTypeChoiceField


# How long the list of types the log holds entries about is kept: finding it reads the whole log
# (a DISTINCT over every entry), too much for every load of the page and both exports. A type
# audited for the first time is offered at the latest this many seconds later.
OBJECT_TYPES_CACHED = 10 * 60


def _audited_type_ids() -> list[int]:
    return list(AuditEntry.objects.order_by().exclude(content_type=None)
                .values_list("content_type", flat=True).distinct())


def _object_types(request):
    """The types of object the log holds entries about (the small content type table, once the
    list of them is cached)."""
    ids = cache.get_or_set("backoffice:audit-object-types", _audited_type_ids,
                           OBJECT_TYPES_CACHED)
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned


class AuditFilterSet(django_filters.FilterSet):
    object_type = ObjectTypeFilter(label=_("Type of object"), queryset=_object_types,
                                   field_name="content_type", empty_label=_("All types"))
    object = django_filters.CharFilter(label=_("Object"), field_name="object_repr",
                                       lookup_expr="icontains", max_length=100,
                                       help_text=_("A part of its name, e.g. an organisation."))
    person = django_filters.CharFilter(label=_("Person"), method="filter_person", max_length=254,
                                       help_text=_("A part of the name or e-mail address."))
    action = django_filters.ChoiceFilter(label=pgettext_lazy("part of the platform", "Area"),
                                         choices=AREAS,
                                         lookup_expr="startswith", empty_label=_("All areas"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="created_at__date",
                                          lookup_expr="gte",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label=_("To"), field_name="created_at__date",
                                        lookup_expr="lte",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEntry
        fields = []
        form = AuditFilterForm

    def filter_person(self, queryset, name, value):
        return queryset.filter(Q(actor__full_name__icontains=value)
                               | Q(actor_repr__icontains=value))


def audit_entries(request):
    """The filter set of the request's query and its entries, with what the sentences read."""
    filterset = AuditFilterSet(request.GET or None, request=request,
                               queryset=AuditEntry.objects.select_related("actor", "content_type"))
    # A refused filter (an end before the start) lists everything, with its error at the field.
    return filterset, filterset.qs if filterset.is_valid() else filterset.queryset
