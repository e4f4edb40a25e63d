"""`Datastream.observedArea`, kept up to date like its phenomenonTime: the convex hull of the
features of interest of the observations a reader can be served (a Point for one point
feature, a LineString for points on a line, else a Polygon), so the geospatial $filter
functions on it (st_within(observedArea, …)) find the datastreams that observed a place.

- Ingest (`widen`, from ingest.store): the hull grows by the features of the new raw
  observations; features already inside cost one query and no write.
- Changes that can shrink it (an observation moved or deleted through the API, the retention
  job, a datastream becoming aggregated) call `refresh`, which recomputes it from the features
  that still have observations. Aggregated datastreams count only served windows (their
  feature is the thing's location, which is public anyway).
"""

import json

import shapely
from django.db.models import Exists, OuterRef

from .models import Datastream, FeatureOfInterest, Observation, PrivacyLevel
from .privacy import served_windows
from .query.geo import to_shape


def _hull(shapes) -> dict | None:
    shapes = [s for s in shapes if s is not None and not s.is_empty]
    if not shapes:
        return None
    hull = shapely.union_all(shapes).convex_hull
    # Through JSON: Shapely writes tuples, the API and the database want lists.
    return json.loads(shapely.to_geojson(hull))


def widen(features_by_datastream: dict[int, set[int]]) -> None:
    """Adds the features (ids) of new observations to their datastreams' observed areas."""
    if not features_by_datastream:
        return
    feature_ids = set().union(*features_by_datastream.values())
    geometries = {pk: to_shape(feature) for pk, feature in FeatureOfInterest.objects.filter(
        pk__in=feature_ids).values_list("pk", "feature")}
    areas = dict(Datastream.objects.filter(pk__in=features_by_datastream)
                 .values_list("pk", "observed_area"))
    for datastream_id in sorted(features_by_datastream):
        current = to_shape(areas.get(datastream_id))
        new = [geometries.get(pk) for pk in features_by_datastream[datastream_id]]
        new = [g for g in new if g is not None]
        if not new or (current is not None and all(current.covers(g) for g in new)):
            continue
        Datastream.objects.filter(pk=datastream_id).update(
            observed_area=_hull([current, *new]))


def refresh(datastream_ids=None, now=None) -> None:
    """Recomputes the observed areas of the datastreams (all when None) from the features that
    have (served) observations of them: one EXISTS query per datastream over the features of
    its lab and the shared ones it uses, each answered from the (feature) index."""
    streams = Datastream.objects.all()
    if datastream_ids is not None:
        streams = streams.filter(pk__in=datastream_ids)
    for datastream_id, level in streams.values_list("pk", "privacy_level").iterator():
        if level == PrivacyLevel.AGGREGATED:  # few windows, one feature: read them
            used = (Observation.objects.filter(served_windows(now=now),
                                               datastream_id=datastream_id,
                                               bucket_count__isnull=False)
                    .order_by().values("feature_of_interest_id").distinct())
            features = FeatureOfInterest.objects.filter(pk__in=used)
        else:
            features = FeatureOfInterest.objects.filter(Exists(Observation.objects.filter(
                datastream_id=datastream_id, feature_of_interest=OuterRef("pk"))))
        features = features.values_list("feature", flat=True)
        Datastream.objects.filter(pk=datastream_id).update(
            observed_area=_hull([to_shape(feature) for feature in features]))
