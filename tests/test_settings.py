"""The settings module: production mode refuses to start without what it cannot guess, and
Django's deployment checks find nothing to complain about."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items()
                 if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL",
                                "SECURE_SSL_REDIRECT", "STATIC_MANIFEST",
                                # set by the browser tests for their own process only
                                "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean_env.update(env)
    return subprocess.run(  # noqa: S603 - this interpreter with fixed arguments
        [sys.executable, "-m", "stadtallianz.cli", *args], cwd=ROOT, env=clean_env,
        capture_output=True, text=True, timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "allianz.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_mode_refuses_to_start_without(missing):
    """Without a secret key or allowed hosts, production mode stops with a message naming it."""
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_deployment_checks_report_nothing_in_production_mode():
    """`manage.py check --deploy` is clean with the production settings."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_mode_starts_with_safe_defaults():
    """A first look needs no configuration at all: DEBUG on, SQLite, local hosts."""
    result = run_manage("check", DEBUG="true", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr


def test_manage_py_in_a_checkout_starts_in_development_mode():
    """A developer's `python manage.py …` needs no configuration; the deployed `stadtallianz`
    command without configuration still refuses (test above)."""
    clean_env = {key: value for key, value in os.environ.items()
                 if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL",
                                "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean_env["DATABASE_URL"] = "sqlite:///:memory:"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean_env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    refused = run_manage("check", DATABASE_URL="sqlite:///:memory:")
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr


def test_cli_module_runs():
    """The `stadtallianz` console command wraps manage.py."""
    result = run_manage("help", DEBUG="true", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0
    assert "migrate" in result.stdout


def test_a_value_that_is_not_of_its_type_stops_the_start_naming_it():
    """Settings are read through environs: a number that is none is refused at once, rather
    than failing later or being taken for its default."""
    result = run_manage("check", DEBUG="true", DATABASE_URL="sqlite:///:memory:",
                        PROXY_COUNT="one")
    assert result.returncode != 0
    assert "PROXY_COUNT" in result.stderr


def test_lists_of_names_drop_spaces_and_empty_items():
    result = run_manage("shell", "-c", "from django.conf import settings; "
                        "print(settings.ALLOWED_HOSTS, settings.AXES_IPWARE_PROXY_COUNT)",
                        DEBUG="true", DATABASE_URL="sqlite:///:memory:",
                        ALLOWED_HOSTS=" a.example.org , b.example.org ,", PROXY_COUNT="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['a.example.org', 'b.example.org'] 1"


def test_a_variable_set_to_an_empty_value_takes_its_default():
    """An unfilled line of the environment file (`PRIVATE_MEDIA_ROOT=`) must not put members-only
    documents into the working directory, switch the rate limit off or stop the start."""
    result = run_manage("shell", "-c", "from django.conf import settings; "
                        "print(settings.PRIVATE_MEDIA_ROOT.name, settings.MEDIA_ROOT.name, "
                        "settings.ANON_READ_RATE, settings.EMAIL_BACKEND)",
                        DEBUG="true", DATABASE_URL="sqlite:///:memory:", PRIVATE_MEDIA_ROOT="",
                        MEDIA_ROOT="", ANON_READ_RATE="", EMAIL_URL="", DATABASE_CONN_MAX_AGE="")
    assert result.returncode == 0, result.stderr
    private, media, rate, backend = result.stdout.strip().splitlines()[-1].split()
    assert (private, media, rate) == ("private", "media", "600/60")
    assert backend.startswith("django.core.mail.backends.")
