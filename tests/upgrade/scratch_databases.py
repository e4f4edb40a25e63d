"""Databases of their own for tests that run the platform in subprocesses (the restore drill, the
upgrade test): named after the test database (so parallel runs and xdist workers never share
one), created empty and dropped afterwards. On SQLite (whose test database is in memory) they are
files in the test's temporary folder."""

from pathlib import Path
from urllib.parse import quote

from django.db import connections


class ScratchDatabases:
    def __init__(self, folder: Path):
        self.folder = folder
        self.settings = connections["default"].settings_dict
        self.created: list[str] = []

    @property
    def is_postgresql(self) -> bool:
        return self.settings["ENGINE"] == "django.db.backends.postgresql"

    def _admin(self):
        import psycopg

        return psycopg.connect(
            host=self.settings["HOST"] or None, port=self.settings["PORT"] or None,
            user=self.settings["USER"] or None, password=self.settings["PASSWORD"] or None,
            dbname="postgres", autocommit=True)

    def new(self, suffix: str) -> str:
        """An empty database; returns its DATABASE_URL."""
        if not self.is_postgresql:
            return f"sqlite:///{self.folder / f'{suffix}.sqlite3'}"
        name = f"{self.settings['NAME']}_{suffix}"
        assert len(name) <= 63, name
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        user = quote(self.settings["USER"] or "", safe="")
        password = quote(self.settings["PASSWORD"] or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = self.settings["HOST"] or "127.0.0.1"
        port = self.settings["PORT"] or 5432
        return f"postgres://{credentials}{host}:{port}/{name}"

    def drop_all(self) -> None:
        if not self.created:
            return
        with self._admin() as admin:
            for name in self.created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()
