"""The entities of a set a caller may read: the privacy rules (privacy.py) applied to an entity
type. Every read filters through it: the entity sets, $expand, the subqueries of $filter
(filter.py) and the geometries the geospatial functions look at (geo.py)."""

from django.db.models import Q

from .. import privacy
from ..entities import EntityType


def visible(entity: EntityType, caller) -> Q:
    """The privacy filter of an entity set (everything but datastreams, observations and
    features of interest is public metadata)."""
    if entity.name == "Datastream":
        return privacy.datastreams(caller)
    if entity.name == "Observation":
        return privacy.observations(caller)
    if entity.name == "FeatureOfInterest":
        return privacy.features(caller)
    return Q()


def visible_queryset(entity: EntityType, caller):
    return entity.model.objects.filter(visible(entity, caller))
