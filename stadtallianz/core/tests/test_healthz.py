import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def probe_healthz(**env: str) -> dict:
    """Asks /healthz in a fresh process whose services are configured by `env`."""
    process_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=process_env,  # noqa: S603
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_healthz_reports_a_reachable_database(client):
    """Load balancers see 200 and the database named as ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"
    # With Redis configured (production, CI's PostgreSQL run) the cache is checked as well.
    if settings.REDIS_URL:
        assert body["cache"] == "ok"
    else:
        assert "cache" not in body


def test_healthz_answers_503_when_the_database_is_unreachable():
    """Nothing listens on port 1: the database is down, and /healthz says so with 503."""
    answer = probe_healthz(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
                           DATABASE_CONN_MAX_AGE="0")
    assert answer["status"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["database"].startswith("unavailable")


def test_healthz_answers_503_when_redis_is_unreachable(tmp_path):
    """A configured cache that does not answer makes the instance unhealthy too."""
    answer = probe_healthz(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                           REDIS_URL="redis://127.0.0.1:1/0")
    assert answer["status"] == 503
    assert answer["body"]["database"] == "ok"
    assert answer["body"]["cache"].startswith("unavailable")
