"""Fixtures of the SensorThings tests: two labs of different operators, a token for each, and a
small sensor setup built with the ORM (tests of the write side build theirs through the API)."""

import base64
from datetime import date

import pytest

from stadtallianz.livinglabs.models import LabToken, LivingLab, PrivacyLevel
from stadtallianz.sensorthings import models as sta

AASEE = {"type": "Point", "coordinates": [7.6086, 51.9553]}


@pytest.fixture
def lab(organisation):
    return LivingLab.objects.create(
        name_de="Reallabor Aasee", slug="aasee", description_de="Wasser und Luft am Aasee.",
        area=AASEE, starts_on=date(2026, 1, 1), state=LivingLab.State.RUNNING,
        operator=organisation, contact_name="Reallabor-Team",
        contact_email="reallabor@example.org", default_privacy_level=PrivacyLevel.PUBLIC)


@pytest.fixture
def other_lab(make_organisation):
    return LivingLab.objects.create(
        name_de="Reallabor Promenade", slug="promenade", description_de="Radverkehr.",
        area={"type": "Point", "coordinates": [7.63, 51.96]}, starts_on=date(2026, 1, 1),
        operator=make_organisation("Verkehrsbetrieb"), contact_name="Team",
        contact_email="team@example.org")


@pytest.fixture
def lab_key(lab):
    """The full key of a token of `lab` (`lab_xxxxxxxx_<secret>`)."""
    return LabToken.issue(lab=lab, name="Messboje")[1]


@pytest.fixture
def other_lab_key(other_lab):
    return LabToken.issue(lab=other_lab, name="Zählstelle")[1]


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def basic(key: str) -> dict:
    username, secret = key[:12], key[13:]
    encoded = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


@pytest.fixture
def make_datastream():
    """make_datastream(lab, privacy_level=…, **fields): a thing with a location, a sensor, an
    observed property and one datastream of `lab`."""

    def make(lab, *, name="Wassertemperatur", **fields):
        location = sta.Location.objects.create(lab=lab, name="Boje", description="Boje im See",
                                               location=AASEE)
        thing = sta.Thing.objects.create(lab=lab, name=f"Messstation {name}",
                                         description="Station")
        thing.locations.add(location)
        sensor = sta.Sensor.objects.create(lab=lab, name="PT100", description="Thermometer",
                                           encoding_type="text/html", metadata="https://example.org")
        observed = sta.ObservedProperty.objects.create(
            lab=lab, name="Temperatur", definition="http://vocab.nerc.ac.uk/collection/P01/",
            description="Wassertemperatur")
        fields.setdefault("unit_of_measurement",
                          {"name": "Grad Celsius", "symbol": "°C",
                           "definition": "http://unitsofmeasure.org/ucum.html#para-30"})
        fields.setdefault("observation_type",
                          "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement")
        return sta.Datastream.objects.create(
            lab=lab, thing=thing, sensor=sensor, observed_property=observed, name=name,
            description=f"{name} des Sees", **fields)

    return make


@pytest.fixture
def observe():
    """observe(datastream, values, start=…, step=…): raw observations of `datastream`, built with
    the ORM (one feature of interest per datastream); returns them. For an aggregated datastream
    pass window rows instead: observe(ds, [(count, total), …], step=window) stores closed
    windows (bucket_count/bucket_sum) as ingest.py would."""
    from datetime import UTC, datetime, timedelta

    def make(datastream, values, *, start=datetime(2026, 3, 1, tzinfo=UTC),
             step=timedelta(minutes=10), feature=None):
        feature = feature or sta.FeatureOfInterest.objects.create(
            lab=datastream.lab, name=f"Ort {datastream.name}", description="Messort",
            feature=AASEE)
        rows = []
        for index, value in enumerate(values):
            time = start + index * step
            if isinstance(value, tuple):  # an aggregated window
                count, total = value
                result = total if datastream.counts_people else total / count
                rows.append(sta.Observation(
                    datastream=datastream, feature_of_interest=feature,
                    phenomenon_time_start=time, phenomenon_time_end=time + step,
                    result_number=result, bucket_count=count, bucket_sum=total))
            else:
                numeric = isinstance(value, int | float) and not isinstance(value, bool)
                rows.append(sta.Observation(
                    datastream=datastream, feature_of_interest=feature,
                    phenomenon_time_start=time, result_time=time,
                    result_number=value if numeric else None,
                    result_json=None if numeric else value))
        return sta.Observation.objects.bulk_create(rows)

    return make
