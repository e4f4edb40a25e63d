"""Fixtures of the open-data tests. `make_dataset` writes a dataset row as the catalogue holds
it (tests of a channel build what they read; the services have their own tests)."""

import itertools

import pytest
from django.utils import timezone

from stadtallianz.opendata.models import Dataset, Distribution

_numbers = itertools.count(1)


@pytest.fixture
def make_dataset(db):
    def make(*, distributions=(("CSV", "/de/data/example.csv"),), **fields):
        number = next(_numbers)
        now = timezone.now()
        values = {
            "kind": Dataset.Kind.PARTNER, "slug": f"datensatz-{number}",
            "state": Dataset.State.PUBLISHED, "title_de": f"Datensatz {number}",
            "title_en": f"Dataset {number}",
            "description_de": "Zählungen des Radverkehrs an Dauerzählstellen.",
            "contact_name": "Open-Data-Team", "contact_email": "opendata@example.org",
            "themes": ["TRAN"], "keywords": ["Radverkehr"], "accrual_periodicity": "DAILY",
            "issued": now, "modified": now,
        }
        values.update(fields)
        dataset = Dataset.objects.create(**values)
        for position, (file_type, url) in enumerate(distributions):
            Distribution.objects.create(
                dataset=dataset, title_de=f"{file_type}-Datei", title_en=f"{file_type} file",
                access_url=url, download_url=url, file_type=file_type, position=position,
                modified=now)
        return dataset
    return make
