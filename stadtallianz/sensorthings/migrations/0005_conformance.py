# SensorThings 1.1 conformance (issue 11, item 8):
# - a whole-number result is read back as an integer. Stored rows keep reading as before
#   (result_integer false): whether a stored 20.0 was sent as 20 or 20.0 is not known, so it is
#   not guessed.
# - Datastream.observedArea is kept up to date (areas.py); here it is computed once for the raw
#   datastreams from the features their stored observations name (aggregated datastreams get
#   theirs from their served windows at the next ingest or retention run).
import json

from django.db import migrations, models


def observed_areas(apps, schema_editor):
    import shapely
    from shapely.geometry import shape

    Datastream = apps.get_model("sensorthings", "Datastream")
    Observation = apps.get_model("sensorthings", "Observation")
    FeatureOfInterest = apps.get_model("sensorthings", "FeatureOfInterest")
    used: dict[int, set[int]] = {}
    for datastream_id, feature_id in (Observation.objects.filter(bucket_count__isnull=True)
                                      .order_by().values_list("datastream_id",
                                                              "feature_of_interest_id")
                                      .distinct().iterator()):
        used.setdefault(datastream_id, set()).add(feature_id)
    shapes = {}
    for pk, feature in FeatureOfInterest.objects.filter(
            pk__in=set().union(*used.values()) if used else []).values_list("pk", "feature"):
        if isinstance(feature, dict) and feature.get("type") == "Feature":
            feature = feature.get("geometry")
        try:
            shapes[pk] = shape(feature)
        except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
            continue
    for datastream_id, features in used.items():
        found = [shapes[pk] for pk in features if pk in shapes and not shapes[pk].is_empty]
        if found:
            hull = shapely.union_all(found).convex_hull
            Datastream.objects.filter(pk=datastream_id).exclude(
                privacy_level="aggregated").update(
                observed_area=json.loads(shapely.to_geojson(hull)))


class Migration(migrations.Migration):
    dependencies = [("sensorthings", "0004_read_indexes")]

    operations = [
        migrations.AddField(
            model_name="observation",
            name="result_integer",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(observed_areas, migrations.RunPython.noop),
    ]
