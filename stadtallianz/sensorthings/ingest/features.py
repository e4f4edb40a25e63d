"""The features of interest of incoming observations: a named one is checked against what
the datastream's lab may know of, a missing one is generated from the thing's location (and
reused), one sent inline (MQTT deep insert) is created in the lab or its identical twin reused.
Aggregated datastreams take only the generated feature: a feature per value would publish
where each one was counted."""

import json

from django.db.models import Min

from .. import privacy
from ..errors import bad_request
from ..models import FeatureOfInterest, Location, PrivacyLevel, Thing
from .records import NewObservation


def aggregated_feature_message(datastream_id: int) -> str:
    return (f"Observation: Datastream {datastream_id} is aggregated, and aggregated "
            "datastreams use the thing's location as their feature of interest (a feature "
            "per value would publish where each one was counted); send the Observation "
            "without a FeatureOfInterest.")


def fill_features(observations: list[NewObservation], streams: dict[int, dict]) -> None:
    """Checks the named features of interest and generates the missing ones from the thing's
    (first) location, reusing the feature generated from that location before. An aggregated
    datastream takes only that generated feature."""
    from ..mqtt.notify import announce

    # A named feature must be one the datastream's lab may know of (privacy.features_of_lab);
    # one it may not is answered like a missing one, so its existence is not revealed.
    named: dict[int, set[int]] = {}
    for o in observations:
        if o.feature_of_interest_id is not None:
            named.setdefault(streams[o.datastream_id]["lab_id"], set()).add(
                o.feature_of_interest_id)
    for lab_id, features in named.items():
        found = set(FeatureOfInterest.objects.filter(privacy.features_of_lab(lab_id),
                                                     pk__in=features)
                    .values_list("pk", flat=True))
        if missing := sorted(features - found):
            raise bad_request(f"There is no FeatureOfInterest with id {missing[0]}.")
    aggregated = {d for d, row in streams.items()
                  if row["privacy_level"] == PrivacyLevel.AGGREGATED}
    _create_sent_features(observations, streams, aggregated)
    needing = {o.datastream_id for o in observations
               if o.feature_of_interest_id is None or o.datastream_id in aggregated}
    if not needing:
        return
    things = {streams[d]["thing_id"] for d in needing}
    first_location = dict(
        Thing.locations.through.objects.filter(thing_id__in=things)
        .values("thing_id").annotate(first=Min("location_id")).values_list("thing_id", "first"))
    for datastream_id in sorted(needing):
        if streams[datastream_id]["thing_id"] not in first_location:
            if datastream_id in aggregated:
                raise bad_request(
                    f"Observation: the Thing of the aggregated Datastream {datastream_id} has "
                    "no Location; aggregated datastreams use the thing's location as their "
                    "feature of interest, so give the Thing a Location first.")
            raise bad_request(
                f"Observation: the Thing of Datastream {datastream_id} has no Location to "
                "generate a FeatureOfInterest from; send a FeatureOfInterest with the "
                "Observation or give the Thing a Location.")
    location_ids = set(first_location.values())

    def generated() -> dict:
        # The first feature generated from each location (the one every ingest reuses).
        return {location: feature for location, feature in reversed(
            FeatureOfInterest.objects.filter(generated_from_id__in=location_ids)
            .order_by("pk").values_list("generated_from_id", "pk"))}

    features = generated()
    if location_ids - features.keys():
        # Locked, then looked up again: two ingests for things at the same location must not
        # both generate its feature.
        missing = list(Location.objects.select_for_update().filter(
            pk__in=location_ids - features.keys()).order_by("pk"))
        features = generated()
    else:
        missing = []
    for location in missing:
        if location.pk in features:
            continue
        features[location.pk] = FeatureOfInterest.objects.create(
            lab_id=location.lab_id, name=location.name, description=location.description,
            encoding_type=location.encoding_type, feature=location.location,
            generated_from=location).pk
        announce("FeatureOfInterest", [features[location.pk]])
    for observation in observations:
        thing = streams[observation.datastream_id]["thing_id"]
        if observation.feature_of_interest_id is None:
            observation.feature_of_interest_id = features[first_location[thing]]
        elif (observation.datastream_id in aggregated
              and observation.feature_of_interest_id != features[first_location[thing]]):
            raise bad_request(aggregated_feature_message(observation.datastream_id))


def _create_sent_features(observations: list[NewObservation], streams: dict[int, dict],
                          aggregated: set[int]) -> None:
    """Features of interest sent inline with an observation (MQTT deep insert): checked like a
    deep insert over HTTP, created in the datastream's lab, or the lab's identical feature
    reused (so a redelivered message, or a device sending the same feature with every value,
    creates one). Refused for an aggregated datastream."""
    from ..entities import ENTITY_TYPES
    from ..mqtt.notify import announce
    from ..write.values import convert

    entity = ENTITY_TYPES["FeatureOfInterest"]
    # A device usually sends the same feature with every value: one lookup per distinct
    # feature and lab in the batch, not one per message.
    found: dict[tuple[int, str], int] = {}
    for o in observations:
        if o.new_feature is None:
            continue
        if o.datastream_id in aggregated:
            raise bad_request(aggregated_feature_message(o.datastream_id))
        unknown = sorted(set(o.new_feature) - (set(entity.properties) - {"id"}))
        if unknown:
            raise bad_request(f"FeatureOfInterest has no property {unknown[0]!r}.")
        fields = {}
        for name, prop in entity.properties.items():
            if name in o.new_feature:
                fields.update(convert(entity, prop, o.new_feature[name]))
            elif prop.required and name != "id":
                raise bad_request(f"FeatureOfInterest: the property {name} is required.")
        lab_id = streams[o.datastream_id]["lab_id"]
        key = (lab_id, json.dumps(fields, sort_keys=True, default=str))
        if key not in found:
            same = [pk for pk, *values in FeatureOfInterest.objects.filter(
                lab_id=lab_id, generated_from=None, name=fields["name"]).order_by("pk")
                .values_list("pk", *fields) if values == list(fields.values())]
            if same:
                found[key] = same[0]
            else:
                found[key] = FeatureOfInterest.objects.create(lab_id=lab_id, **fields).pk
                announce("FeatureOfInterest", [found[key]])
        o.feature_of_interest_id = found[key]
        o.new_feature = None
