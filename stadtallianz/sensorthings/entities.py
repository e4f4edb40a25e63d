"""The SensorThings data model as the API sees it: entity sets, their properties and navigation
properties, and how each maps onto our models. Reading (query/) and writing (write/) both go
through this one table, so a property is named and typed in one place only.
"""

from dataclasses import dataclass, field

from . import models


@dataclass(frozen=True)
class Property:
    name: str  # as in the standard, e.g. "phenomenonTime"
    kind: str  # string | json | geometry | datetime | interval | time | result | id
    # Model fields: one for most properties; (start, end) for an interval; None for `result`,
    # which is stored in result_number, result_json and result_integer (models.result_of).
    fields: tuple[str, ...] = ()
    required: bool = False  # must be given on create

    @property
    def field(self) -> str:
        return self.fields[0]


@dataclass(frozen=True)
class Navigation:
    name: str  # e.g. "Datastreams"
    target: str  # entity type name, e.g. "Datastream"
    to_many: bool
    accessor: str  # ORM path from the source model, e.g. "datastreams"
    # The ORM path back from the target to the source (to filter the target collection).
    reverse: str


@dataclass
class EntityType:
    name: str
    set_name: str
    model: type
    properties: dict[str, Property] = field(default_factory=dict)
    navigations: dict[str, Navigation] = field(default_factory=dict)


def _props(*items: Property) -> dict[str, Property]:
    return {"id": Property("id", "id", ("id",)), **{p.name: p for p in items}}


def _navs(*items: Navigation) -> dict[str, Navigation]:
    return {n.name: n for n in items}


NAME = Property("name", "string", ("name",), required=True)
DESCRIPTION = Property("description", "string", ("description",), required=True)
PROPERTIES = Property("properties", "json", ("properties",))
ENCODING = Property("encodingType", "string", ("encoding_type",), required=True)

ENTITY_TYPES: dict[str, EntityType] = {
    entity.name: entity
    for entity in [
        EntityType(
            "Thing", "Things", models.Thing,
            _props(NAME, DESCRIPTION, PROPERTIES),
            _navs(Navigation("Locations", "Location", True, "locations", "things"),
                  Navigation("HistoricalLocations", "HistoricalLocation", True,
                             "historical_locations", "thing"),
                  Navigation("Datastreams", "Datastream", True, "datastreams", "thing")),
        ),
        EntityType(
            "Location", "Locations", models.Location,
            _props(NAME, DESCRIPTION, ENCODING,
                   Property("location", "geometry", ("location",), required=True), PROPERTIES),
            _navs(Navigation("Things", "Thing", True, "things", "locations"),
                  Navigation("HistoricalLocations", "HistoricalLocation", True,
                             "historical_locations", "locations")),
        ),
        EntityType(
            "HistoricalLocation", "HistoricalLocations", models.HistoricalLocation,
            _props(Property("time", "datetime", ("time",), required=True)),
            _navs(Navigation("Thing", "Thing", False, "thing", "historical_locations"),
                  Navigation("Locations", "Location", True, "locations",
                             "historical_locations")),
        ),
        EntityType(
            "Datastream", "Datastreams", models.Datastream,
            _props(NAME, DESCRIPTION,
                   Property("observationType", "string", ("observation_type",), required=True),
                   Property("unitOfMeasurement", "json", ("unit_of_measurement",),
                            required=True),
                   Property("observedArea", "geometry", ("observed_area",)),
                   Property("phenomenonTime", "interval",
                            ("phenomenon_time_start", "phenomenon_time_end")),
                   Property("resultTime", "interval", ("result_time_start", "result_time_end")),
                   PROPERTIES),
            _navs(Navigation("Thing", "Thing", False, "thing", "datastreams"),
                  Navigation("Sensor", "Sensor", False, "sensor", "datastreams"),
                  Navigation("ObservedProperty", "ObservedProperty", False,
                             "observed_property", "datastreams"),
                  Navigation("Observations", "Observation", True, "observations",
                             "datastream")),
        ),
        EntityType(
            "Sensor", "Sensors", models.Sensor,
            _props(NAME, DESCRIPTION, ENCODING,
                   Property("metadata", "string", ("metadata",), required=True), PROPERTIES),
            _navs(Navigation("Datastreams", "Datastream", True, "datastreams", "sensor")),
        ),
        EntityType(
            "ObservedProperty", "ObservedProperties", models.ObservedProperty,
            _props(NAME, Property("definition", "string", ("definition",), required=True),
                   DESCRIPTION, PROPERTIES),
            _navs(Navigation("Datastreams", "Datastream", True, "datastreams",
                             "observed_property")),
        ),
        EntityType(
            "Observation", "Observations", models.Observation,
            _props(
                # An instant, or an interval when phenomenon_time_end is set.
                Property("phenomenonTime", "time",
                         ("phenomenon_time_start", "phenomenon_time_end")),
                Property("resultTime", "datetime", ("result_time",)),
                Property("result", "result", ("result_number", "result_json", "result_integer"),
                         required=True),
                Property("resultQuality", "json", ("result_quality",)),
                Property("validTime", "interval", ("valid_time_start", "valid_time_end")),
                Property("parameters", "json", ("parameters",))),
            _navs(Navigation("Datastream", "Datastream", False, "datastream", "observations"),
                  Navigation("FeatureOfInterest", "FeatureOfInterest", False,
                             "feature_of_interest", "observations")),
        ),
        EntityType(
            "FeatureOfInterest", "FeaturesOfInterest", models.FeatureOfInterest,
            _props(NAME, DESCRIPTION, ENCODING,
                   Property("feature", "geometry", ("feature",), required=True), PROPERTIES),
            _navs(Navigation("Observations", "Observation", True, "observations",
                             "feature_of_interest")),
        ),
    ]
}

BY_SET_NAME: dict[str, EntityType] = {e.set_name: e for e in ENTITY_TYPES.values()}
