"""Fills the search column of the datasets there are, and on PostgreSQL indexes it with
trigrams, so that a word of a CKAN `q` or of the catalogue's search (a LIKE '%word%') is looked
up in the index instead of reading every dataset's texts (bench/opendata.py)."""

from django.db import migrations

INDEX = "opendata_dataset_search_trgm"


def fill(apps, schema_editor):
    Dataset = apps.get_model("opendata", "Dataset")
    for dataset in Dataset.objects.select_related("publisher").iterator():
        publisher = dataset.publisher.name if dataset.publisher_id else ""
        dataset.search_text = " ".join([
            dataset.title_de, dataset.title_en, dataset.description_de, dataset.description_en,
            " ".join(map(str, dataset.keywords or [])), dataset.slug, publisher]).lower()
        dataset.save(update_fields=["search_text"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may
    # create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON opendata_dataset "
                          "USING gin (search_text gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_search_text")]
    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
