"""The project list's filters, the same for the page, the map, the export and the API
(core/filters.py)."""

import django_filters

from stadtallianz.core.filters import TagFilter, TagFilterSet

from .models import ConsortiumMember, Project


class ProjectFilterSet(TagFilterSet):
    # A project's SDGs are linked through ProjectSDG (with an optional target).
    sdg = TagFilter(relation="sdg_relations", tag="goal", by="number")
    phase = django_filters.CharFilter()
    group = django_filters.CharFilter(field_name="working_group__slug")
    organisation = django_filters.CharFilter(method="filter_organisation")

    class Meta:
        model = Project
        fields = []

    def filter_organisation(self, projects, name, value):
        # Projects in whose consortium the public organisation is an accepted member.
        return projects.filter(pk__in=ConsortiumMember.objects.of_public_organisations()
                               .filter(organisation__slug=value,
                                       state=ConsortiumMember.State.ACCEPTED)
                               .values("project_id"))
