"""Every UI string has a German translation: the catalogue committed for each app covers every
message that makemessages extracts from the app's code and templates today."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
APPS = sorted(path for path in PACKAGE.iterdir() if (path / "apps.py").exists())


def extract_messages(app: Path, workdir: Path) -> Path | None:
    """Runs makemessages over a copy of the app; returns the template (.pot) it wrote, if any."""
    copy = workdir / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("locale", "tests", "__pycache__"))
    (copy / "locale").mkdir()
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings",
           "PYTHONPATH": str(PACKAGE.parent), "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "de", "--keep-pot"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    pot = copy / "locale" / "django.pot"
    return pot if pot.exists() else None


@pytest.mark.parametrize("app", APPS, ids=lambda path: path.name)
def test_every_message_of_the_app_is_translated_into_german(app, tmp_path):
    pot = extract_messages(app, tmp_path)
    if pot is None:
        return  # the app has no user-facing strings
    catalogue = app / "locale" / "de" / "LC_MESSAGES" / "django.po"
    assert catalogue.exists(), f"{app.name} has messages but no German catalogue"
    # msgcmp treats untranslated and fuzzy entries as missing, so this fails for each message
    # that is new, untranslated or still marked fuzzy.
    # gettext's tools from PATH, as makemessages and compilemessages run them.
    result = subprocess.run(["msgcmp", str(catalogue), str(pot)],  # noqa: S603, S607
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("app", APPS, ids=lambda path: path.name)
def test_german_catalogue_compiles(app, tmp_path):
    catalogue = app / "locale" / "de" / "LC_MESSAGES" / "django.po"
    if not catalogue.exists():
        return
    command = ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalogue)]
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603, S607
    assert result.returncode == 0, result.stderr
