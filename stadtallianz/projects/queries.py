"""Reading projects: the list's filters and prefetches (the same for the page, the API and the
exports), and the GeoJSON of the map. Query counts stay constant however many projects there
are: tags and leads come in one prefetch each, filters are subqueries (no DISTINCT)."""

from django.db.models import Case, Prefetch, When

from stadtallianz.core.filters import filtered
from stadtallianz.core.geo import centre

from .filters import ProjectFilterSet
from .models import ConsortiumMember, Project, ProjectPlace

# The map of all projects stays light: at most this many places (the first ones by project;
# filters narrow the map), and an area with more positions than this is drawn there as a
# point at its centre (the project's page shows it in full).
MAP_MAX_FEATURES = 10_000
MAP_MAX_POSITIONS = 200


def leads_prefetch() -> Prefetch:
    """The accepted lead, if it is a public partner (lists, exports, the API)."""
    return Prefetch("consortium", to_attr="leads", queryset=ConsortiumMember.objects
                    .of_public_organisations().filter(role=ConsortiumMember.Role.LEAD,
                                                      state=ConsortiumMember.State.ACCEPTED)
                    .select_related("organisation"))


def consortium_prefetch() -> Prefetch:
    """The accepted consortium of public partners, lead first (the list's cards show their
    logos): one query for a whole page."""
    return Prefetch("consortium", to_attr="card_consortium", queryset=ConsortiumMember.objects
                    .of_public_organisations().filter(state=ConsortiumMember.State.ACCEPTED)
                    .select_related("organisation")
                    .only("project_id", "role", "organisation__name", "organisation__slug",
                          "organisation__logo", "organisation__status")
                    .order_by(Case(When(role=ConsortiumMember.Role.LEAD, then=0), default=1),
                              "organisation__name", "pk"))


def listed():
    # The descriptions (up to 50,000 characters each) are not shown in lists.
    return (Project.objects.defer("description_de", "description_en")
            .select_related("working_group")
            .prefetch_related("focus_areas", leads_prefetch()))


# The columns of the list's exports (CSV and JSON, pages and API alike), one row per project of
# `listed()`: tags and lead come from its prefetches.
EXPORT_HEADERS = ["slug", "title_de", "title_en", "phase", "progress", "working_group",
                  "lead", "focus_areas", "url"]


def export_rows(projects, request):
    for project in projects:
        yield [project.slug, project.title_de, project.title_en, project.phase,
               project.progress, project.working_group.slug if project.working_group else "",
               project.leads[0].organisation.name if project.leads else "",
               " ".join(f.slug for f in project.focus_areas.all()),
               request.build_absolute_uri(project.get_absolute_url())]


def filter_projects(projects, **values):
    """The list's filters (ProjectFilterSet); empty ones are off."""
    return filtered(ProjectFilterSet, projects, values)


def feature(place: ProjectPlace, project: Project) -> dict:
    return {"type": "Feature", "geometry": place.geometry, "properties": {
        "title": project.title, "subtitle": place.name, "url": project.get_absolute_url(),
        "phase": project.phase}}


def feature_collection(places) -> dict:
    """Places (with their project selected) as a GeoJSON FeatureCollection."""
    return {"type": "FeatureCollection",
            "features": [feature(place, place.project) for place in places]}


def _positions(geometry: dict) -> int:
    if geometry["type"] == "Point":
        return 1
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    return sum(len(ring) for polygon in polygons for ring in polygon)


def overview_collection(places) -> dict:
    """The map of all projects: at most MAP_MAX_FEATURES places, large areas as their centre.
    `truncated` (a foreign member, allowed by RFC 7946) tells when places were left out."""
    places = list(places[:MAP_MAX_FEATURES + 1])
    truncated = len(places) > MAP_MAX_FEATURES
    features = []
    for place in places[:MAP_MAX_FEATURES]:
        if _positions(place.geometry) > MAP_MAX_POSITIONS:
            lon, lat = centre(place.geometry)
            place.geometry = {"type": "Point", "coordinates": [lon, lat]}
        features.append(feature(place, place.project))
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}


def all_places(projects=None):
    places = ProjectPlace.objects.select_related("project").only(
        "name", "geometry", "project__slug", "project__title_de", "project__title_en",
        "project__phase")
    if projects is not None:
        places = places.filter(project__in=projects)
    return places.order_by("project_id", "pk")

