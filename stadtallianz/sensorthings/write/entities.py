"""Creating, changing and deleting entities, driven by the entity table (entities.py): deep
insert, links to existing entities ({"@iot.id": n}), the lab scope of a token, the
HistoricalLocation of a thing whose locations change, and the standard's cascades."""

from collections import defaultdict

from django.utils import timezone

from .. import areas, ingest, labs, privacy
from ..entities import ENTITY_TYPES, EntityType
from ..errors import StaError, bad_request, not_found
from ..models import HistoricalLocation, Observation, PrivacyLevel
from ..mqtt.notify import announce
from ..paths import LARGEST_ID
from .values import convert

# Navigations a new entity cannot do without.
REQUIRED_NAVIGATIONS = {
    "Datastream": ("Thing", "Sensor", "ObservedProperty"),
    "Observation": ("Datastream",),
    "HistoricalLocation": ("Thing",),
}
# Entities a token may link only within its own lab; the rest describe what can be shared.
OWNED_LINKS = {"Thing", "Location", "Datastream", "HistoricalLocation", "Observation"}


def visible(entity: EntityType, caller):
    """The entities a caller may address at all: another lab's restricted datastreams (and
    their observations) do not exist for it, nor do features of interest it may not know of
    (privacy.features), so it cannot link its observations to them."""
    objects = entity.model.objects.all()
    if entity.name == "FeatureOfInterest":
        return objects.filter(privacy.features(caller))
    if entity.name == "Datastream":
        return objects.filter(privacy.datastreams(caller))
    if entity.name == "Observation":
        return objects.filter(privacy.datastreams(caller, "datastream__"))
    return objects


def resolve(caller, segments):
    """The one entity a path such as Things(1) or Things(1)/Datastreams(2) or
    Datastreams(1)/Sensor addresses; 404 when there is none (for this caller)."""
    first = segments[0]
    if first.id is None:
        raise bad_request(f"Name one entity, e.g. {first.entity.set_name}(1).")
    obj = visible(first.entity, caller).filter(pk=first.id).first()
    for segment in segments[1:]:
        if obj is None:
            break
        navigation = segment.navigation
        objects = visible(segment.entity, caller).filter(**{navigation.reverse: obj})
        if navigation.to_many:
            if segment.id is None:
                raise bad_request(f"Name one entity, e.g. {navigation.name}(1).")
            objects = objects.filter(pk=segment.id)
        obj = objects.first()
    if obj is None:
        raise not_found()
    return obj


def lab_of(entity: EntityType, obj) -> int:
    if entity.name == "HistoricalLocation":
        return obj.thing.lab_id
    if entity.name == "Observation":
        return obj.datastream.lab_id
    return obj.lab_id


def back_navigation(entity: EntityType, accessor: str):
    """The navigation of `entity` that leads back along `accessor` (e.g. Datastream.Thing for
    Thing.datastreams)."""
    for navigation in entity.navigations.values():
        if navigation.accessor == accessor:
            return navigation
    raise bad_request(f"{entity.name} cannot be created here.")


def is_many_to_many(entity: EntityType, accessor: str) -> bool:
    return entity.model._meta.get_field(accessor).many_to_many


class Writer:
    """One write request of one lab token; collects what it created and changed so the MQTT
    notifications go out once the transaction commits."""

    def __init__(self, caller):
        self.caller = caller
        self.lab_id = caller.lab_id
        self.now = timezone.now()
        self.created: dict[str, list[int]] = defaultdict(list)
        self.changed: dict[str, list[int]] = defaultdict(list)
        # The properties each update set: their MQTT property topics are announced.
        self.changed_properties: dict[str, dict[int, set[str]]] = defaultdict(dict)
        self._default_privacy_level = None

    @property
    def default_privacy_level(self) -> str:
        """The level the lab's operator chose for the datastreams its devices create."""
        if self._default_privacy_level is None:
            self._default_privacy_level = labs.directory().default_privacy_level(self.lab_id)
        return self._default_privacy_level

    def announce_all(self) -> None:
        for name, ids in self.created.items():
            announce(name, ids)
        for name, ids in self.changed.items():
            announce(name, ids, created=False, changed=self.changed_properties[name])

    # --- checks -----------------------------------------------------------------------------

    def check_owned(self, entity: EntityType, obj) -> None:
        if lab_of(entity, obj) != self.lab_id:
            raise StaError(f"{entity.name} {obj.pk} belongs to another living lab; a token "
                           "creates and changes only its own lab's entities.", 403)

    def link(self, entity: EntityType, data: dict):
        """The existing entity of a link {"@iot.id": n}. Other members are ignored, as
        FROST-Server does: its clients send the whole linked entity."""
        value = data["@iot.id"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"{entity.name}: @iot.id must be a whole number.")
        obj = (visible(entity, self.caller).filter(pk=value).first()
               if 0 < value <= LARGEST_ID else None)
        if obj is None:
            raise bad_request(f"There is no {entity.name} with id {value}.")
        if entity.name in OWNED_LINKS and lab_of(entity, obj) != self.lab_id:
            raise StaError(f"{entity.name} {value} belongs to another living lab; a token "
                           "links only its own lab's Things, Locations and Datastreams.", 403)
        return obj

    def _split(self, entity: EntityType, data: dict) -> tuple[dict, dict]:
        properties, navigations = {}, {}
        for key, value in data.items():
            if key.startswith("@iot.") or "@iot." in key:
                continue  # annotations a client may echo back (selfLink, navigationLink)
            if key in entity.navigations:
                navigations[key] = value
            elif key in entity.properties and key != "id":
                properties[key] = value
            else:
                raise bad_request(f"{entity.name} has no property {key!r}.")
        return properties, navigations

    # --- create -----------------------------------------------------------------------------

    def insert_or_link(self, entity: EntityType, data, given=None):
        if not isinstance(data, dict):
            raise bad_request(f"{entity.name} must be a JSON object (a new entity or "
                              '{"@iot.id": n}).')
        if "@iot.id" in data:
            return self.link(entity, data)
        return self.insert(entity, data, given=given)

    def insert(self, entity: EntityType, data, *, given=None):
        """Creates the entity and everything inlined in it (deep insert). `given`: navigation
        name → entity (or list of entities) fixed by the path, e.g. the Thing of
        Things(1)/Datastreams."""
        given = given or {}
        if not isinstance(data, dict):
            raise bad_request(f"{entity.name} must be a JSON object.")
        if "@iot.id" in data:
            raise bad_request(f"{entity.name}: @iot.id is given by the server; to link an "
                              "existing entity use …/$ref.")
        properties, navigations = self._split(entity, data)
        fields = {}
        for name, value in properties.items():
            fields.update(convert(entity, entity.properties[name], value))
        for name, prop in entity.properties.items():
            if prop.required and name not in properties:
                raise bad_request(f"{entity.name}: the property {name} is required.")
        single = {}
        for navigation in entity.navigations.values():
            if navigation.to_many:
                continue
            target = ENTITY_TYPES[navigation.target]
            if navigation.name in given:
                obj = given[navigation.name]
                if target.name in OWNED_LINKS:
                    self.check_owned(target, obj)
                if navigation.name in navigations:
                    raise bad_request(f"{entity.name}: {navigation.name} is given by the path "
                                      "already.")
                single[navigation.name] = obj
            elif navigations.get(navigation.name) is not None:
                if entity.name == "Observation" and navigation.name == "FeatureOfInterest":
                    self._check_feature(single.get("Datastream"), navigations[navigation.name])
                single[navigation.name] = self.insert_or_link(target,
                                                              navigations[navigation.name])
        for name in REQUIRED_NAVIGATIONS.get(entity.name, ()):
            if name not in single:
                raise bad_request(f"{entity.name}: {name} is required, as a new entity or a "
                                  'link {"@iot.id": n}.')
        obj = self._make(entity, fields, single)
        self._insert_children(entity, obj, navigations, given)
        return obj

    def _make(self, entity: EntityType, fields: dict, single: dict):
        accessors = {entity.navigations[name].accessor: obj for name, obj in single.items()}
        if entity.name == "Observation":
            return self._observation(fields, single)
        if entity.name == "Datastream":
            # The thing is the token's (links are checked), so the datastream is its lab's,
            # with the level the lab's operator chose for new datastreams.
            obj = entity.model.objects.create(
                lab_id=single["Thing"].lab_id, privacy_level=self.default_privacy_level,
                **fields, **accessors)
        elif entity.name == "HistoricalLocation":
            obj = entity.model.objects.create(**fields, **accessors)
        else:
            obj = entity.model.objects.create(lab_id=self.lab_id, **fields, **accessors)
        self.created[entity.name].append(obj.pk)
        return obj

    @staticmethod
    def _check_feature(datastream, data) -> None:
        """A new FeatureOfInterest with each value of an aggregated datastream would publish
        where each person was counted: refused before it is created. (A linked one is checked
        by ingest.store, which every ingest path goes through.)"""
        inline = not (isinstance(data, dict) and "@iot.id" in data)
        if (inline and datastream is not None
                and datastream.privacy_level == PrivacyLevel.AGGREGATED):
            raise bad_request(ingest.aggregated_feature_message(datastream.pk))

    def _observation(self, fields: dict, single: dict):
        datastream = single["Datastream"]
        feature = single.get("FeatureOfInterest")
        [new_id] = ingest.store([ingest.NewObservation(
            datastream_id=datastream.pk,
            phenomenon_time_start=fields.get("phenomenon_time_start") or self.now,
            phenomenon_time_end=fields.get("phenomenon_time_end"),
            result=fields["result"], result_time=fields.get("result_time"),
            result_quality=fields.get("result_quality"),
            valid_time_start=fields.get("valid_time_start"),
            valid_time_end=fields.get("valid_time_end"), parameters=fields.get("parameters"),
            feature_of_interest_id=feature.pk if feature else None)], lab_id=self.lab_id)
        return Observation.objects.get(pk=new_id)

    def _insert_children(self, entity: EntityType, obj, navigations: dict, given: dict):
        for navigation in entity.navigations.values():
            if not navigation.to_many:
                continue
            items = navigations.get(navigation.name)
            if items is None:
                items = []
            if not isinstance(items, list):
                raise bad_request(f"{entity.name}: {navigation.name} must be a list.")
            target = ENTITY_TYPES[navigation.target]
            if is_many_to_many(entity, navigation.accessor):
                linked = [self.insert_or_link(target, item) for item in items]
                for other in given.get(navigation.name, []):
                    if target.name in OWNED_LINKS:
                        self.check_owned(target, other)
                    linked.append(other)
                if linked:
                    getattr(obj, navigation.accessor).add(*linked)
                    self.after_link(entity, obj, navigation.name, linked)
                continue
            back = back_navigation(target, navigation.reverse)
            for item in items:
                if isinstance(item, dict) and "@iot.id" in item:
                    raise bad_request(
                        f"{entity.name}: an existing {target.name} cannot be moved here; "
                        f"change its {back.name} with PATCH.")
                self.insert(target, item, given={back.name: obj})

    def after_link(self, entity: EntityType, obj, navigation: str, targets) -> None:
        """A thing whose locations changed gets a HistoricalLocation. A Location created for
        (or linked from) a Thing becomes that thing's location, replacing the earlier ones,
        as FROST-Server does: a moving device posts its new Location."""
        if entity.name == "Thing" and navigation == "Locations":
            self._location_changed(obj)
        elif entity.name == "Location" and navigation == "Things":
            for thing in targets:
                thing.locations.set([obj])
                self._location_changed(thing)

    def _location_changed(self, thing) -> None:
        locations = list(thing.locations.all())
        if not locations:
            return
        historical = HistoricalLocation.objects.create(thing=thing, time=self.now)
        historical.locations.set(locations)
        self.created["HistoricalLocation"].append(historical.pk)

    # --- change -----------------------------------------------------------------------------

    def update(self, entity: EntityType, obj, data: dict, *, replace: bool) -> None:
        """PATCH (only what is given changes; a JSON property is replaced as a whole) or PUT
        (every required property must be given; optional ones not given are cleared)."""
        self.check_owned(entity, obj)
        if entity.name == "Observation" and obj.bucket_count is not None:
            raise bad_request("Observation: this is a window of an aggregated Datastream, "
                              "computed by the platform; it cannot be changed.")
        properties, navigations = self._split(entity, data)
        fields = {}
        for name, value in properties.items():
            fields.update(convert(entity, entity.properties[name], value))
        if replace:
            for name, prop in entity.properties.items():
                if name in properties or name == "id":
                    continue
                if prop.required:
                    raise bad_request(f"{entity.name}: PUT replaces the entity; the property "
                                      f"{name} is required.")
                if entity.name == "Datastream" and prop.kind == "interval":
                    continue  # the span of the observations, kept by the platform
                if entity.name == "Observation" and name == "phenomenonTime":
                    fields.update(phenomenon_time_start=self.now, phenomenon_time_end=None)
                    continue
                fields.update(dict.fromkeys(prop.fields))
        before = (obj.datastream_id, obj.phenomenon_time_start) if (
            entity.name == "Observation") else None
        for name, value in navigations.items():
            navigation = entity.navigations[name]
            target = ENTITY_TYPES[navigation.target]
            if navigation.to_many:
                if not (is_many_to_many(entity, navigation.accessor)
                        and entity.name in ("Thing", "HistoricalLocation")):
                    raise bad_request(f"{entity.name}: {name} cannot be changed here; link or "
                                      "unlink with …/$ref or change the other side.")
                if not isinstance(value, list):
                    raise bad_request(f"{entity.name}: {name} must be a list.")
                linked = [self._existing(entity, name, target, item) for item in value]
                getattr(obj, navigation.accessor).set(linked)
                self.after_link(entity, obj, name, linked)
                continue
            if value is None:
                raise bad_request(f"{entity.name}: {name} cannot be removed.")
            other = self._existing(entity, name, target, value)
            if name == "Datastream" and other.privacy_level == PrivacyLevel.AGGREGATED:
                raise bad_request("Observation: an observation cannot move to an aggregated "
                                  "Datastream.")
            setattr(obj, navigation.accessor, other)
            if entity.name == "Datastream" and name == "Thing":
                obj.lab_id = other.lab_id
        if entity.name == "Observation":
            self._set_result(obj, fields)
        for field, value in fields.items():
            setattr(obj, field, value)
        obj.save()
        self.changed[entity.name].append(obj.pk)
        self.changed_properties[entity.name].setdefault(obj.pk, set()).update(
            set(entity.properties) - {"id"} if replace else properties)
        if entity.name == "Observation":
            ingest.recompute_hours([before, (obj.datastream_id, obj.phenomenon_time_start)])
            ingest.widen_spans([obj])
            areas.refresh({before[0], obj.datastream_id})  # its feature may have changed

    def _existing(self, entity: EntityType, name: str, target: EntityType, value):
        """The entity a PATCH or PUT links to: only existing ones, named {"@iot.id": n}. The
        standard creates related entities with POST (deep insert) only; an update that carried
        one inline would create it as a side effect, so it is refused (400, nothing stored)."""
        if not (isinstance(value, dict) and "@iot.id" in value):
            raise bad_request(
                f"{entity.name}: {name} in an update names an existing {target.name} as "
                '{"@iot.id": n}; related entities are created with POST, not inline in PATCH '
                "or PUT.")
        return self.link(target, value)

    @staticmethod
    def _set_result(obj, fields: dict) -> None:
        if "result" not in fields:
            return
        value = fields.pop("result")
        number = ingest.number_of(value)
        obj.result_number = number
        obj.result_json = ingest.json_result(value, number)
        obj.result_integer = type(value) is int

    # --- delete -----------------------------------------------------------------------------

    def delete(self, entity: EntityType, obj) -> None:
        """Deletes with the standard's cascades: a Thing takes its Datastreams and
        HistoricalLocations, a Location its HistoricalLocations, a Datastream, Sensor or
        ObservedProperty its Datastreams with their Observations, a FeatureOfInterest its
        Observations. A shared Sensor, ObservedProperty or FeatureOfInterest still used by
        another lab is not deleted (409)."""
        self.check_owned(entity, obj)
        name = entity.name
        if name in ("Sensor", "ObservedProperty") and obj.datastreams.exclude(
                lab_id=self.lab_id).exists():
            raise StaError(f"{name} {obj.pk} is used by Datastreams of another living lab and "
                           "cannot be deleted.", 409)
        if name == "FeatureOfInterest" and obj.observations.exclude(
                datastream__lab_id=self.lab_id).exists():
            raise StaError(f"FeatureOfInterest {obj.pk} is used by Observations of another "
                           "living lab and cannot be deleted.", 409)
        if name == "Location":
            HistoricalLocation.objects.filter(locations=obj).delete()
        raw_hour = ((obj.datastream_id, obj.phenomenon_time_start)
                    if name == "Observation" and obj.bucket_count is None else None)
        # Whose observedArea may shrink: the observation's datastream, or those that observed
        # the feature (its observations go with it).
        shrinking = ({obj.datastream_id} if name == "Observation" else set(
            obj.observations.order_by().values_list("datastream_id", flat=True).distinct())
            if name == "FeatureOfInterest" else set())
        obj.delete()
        if raw_hour:
            ingest.recompute_hours([raw_hour])
        if shrinking:
            areas.refresh(shrinking)
