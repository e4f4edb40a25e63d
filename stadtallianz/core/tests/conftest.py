import pytest


@pytest.fixture
def scratch(django_db_setup, django_db_blocker, tmp_path):
    """Databases of their own for a backup's source and its restored copy (named after the
    test database, so parallel runs never share one), dropped at the end."""
    # Imported here: `stadtallianz shell` imports the backup tests' helpers (add_drill_content)
    # without the checkout's `tests` package on its path.
    from tests.upgrade.scratch_databases import ScratchDatabases

    # A folder of their own (SQLite files), apart from the instances' media folders that the
    # tests look into.
    databases = ScratchDatabases(tmp_path / "databases")
    databases.folder.mkdir()
    yield databases
    with django_db_blocker.unblock():
        databases.drop_all()
