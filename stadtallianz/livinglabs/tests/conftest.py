"""Fixtures of the living-lab tests: the SensorThings fixtures (two labs, their tokens, a
datastream built with the ORM) and a lab with one datastream of each privacy level."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.tests.conftest import (  # noqa: F401 - fixtures
    AASEE,
    basic,
    bearer,
    lab,
    lab_key,
    make_datastream,
    other_lab,
    other_lab_key,
)

# Marker values: each is stored in exactly one kind of datastream, so a leak shows by value.
PUBLIC_VALUE = 21.5
RESTRICTED_VALUE = 987.5
K = 20
WITHHELD_COUNT = 17  # a closed window of counts below k
SHOWN_COUNT = 23
OPEN_COUNT = 41  # the window still open


def hour_ago(hours: float):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours)


def add_raw(stream, value, when, *, feature=None):
    """A raw observation and its hourly aggregate, as ingest would store them."""
    feature = feature or sta.FeatureOfInterest.objects.get_or_create(
        lab=stream.lab, name="Boje", defaults={"description": "Boje", "feature": AASEE})[0]
    obs = sta.Observation.objects.create(datastream=stream, phenomenon_time_start=when,
                                         result_number=value, feature_of_interest=feature)
    hour = when.replace(minute=0, second=0, microsecond=0)
    sta.HourlyAggregate.objects.update_or_create(
        datastream=stream, hour=hour,
        defaults={"count": 1, "total": value, "minimum": value, "maximum": value})
    return obs


def add_window(stream, total, count, start):
    feature = sta.FeatureOfInterest.objects.get_or_create(
        lab=stream.lab, name="Zählstelle", defaults={"description": "Zählstelle",
                                                      "feature": AASEE})[0]
    end = start + timedelta(seconds=stream.aggregation_window)
    return sta.Observation.objects.create(
        datastream=stream, phenomenon_time_start=start, phenomenon_time_end=end,
        result_number=total if stream.counts_people else total / count, bucket_count=count,
        bucket_sum=total, feature_of_interest=feature)


@pytest.fixture
def streams(lab, make_datastream):  # noqa: F811
    """A public, a restricted and an aggregated (people count, k=20) datastream of `lab`, with
    values: the public and restricted ones each a marker value an hour ago; the aggregated one
    a closed window of SHOWN_COUNT, a closed window of WITHHELD_COUNT (< k) and an open
    window of OPEN_COUNT."""
    public = make_datastream(lab, name="Wassertemperatur", privacy_level=PrivacyLevel.PUBLIC)
    restricted = make_datastream(lab, name="Geheimsensor Quokka",
                                 privacy_level=PrivacyLevel.RESTRICTED)
    counts = make_datastream(lab, name="Radzählung", privacy_level=PrivacyLevel.AGGREGATED,
                             counts_people=True, k_threshold=K, aggregation_window=3600)
    add_raw(public, PUBLIC_VALUE, hour_ago(1))
    add_raw(restricted, RESTRICTED_VALUE, hour_ago(1))
    add_window(counts, SHOWN_COUNT, 4, hour_ago(3))
    add_window(counts, WITHHELD_COUNT, 2, hour_ago(2))
    add_window(counts, OPEN_COUNT, 9, hour_ago(0))  # open: ends an hour from now
    return {"public": public, "restricted": restricted, "counts": counts}


@pytest.fixture
def make_project(db):
    from stadtallianz.projects.models import Project

    def make(title: str):
        from django.utils.text import slugify

        return Project.objects.create(title_de=title, slug=slugify(title))

    return make
