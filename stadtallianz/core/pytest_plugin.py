"""What a test run arranges before Django reads its settings (registered in pyproject.toml's
[tool.pytest.ini_options] as `-p stadtallianz.core.pytest_plugin`, so it is imported before
pytest-django sets Django up; the root conftest.py comes too late for settings).

`make test` runs the suite with pytest-xdist: each worker (gw0, gw1, …) is a process of its own
with a test database of its own (pytest-django adds the worker id to its name), and names what
it creates on the shared broker, in temporary folders and in scratch databases uniquely. Redis
is the one service the workers would share: every test empties the cache (FLUSHDB, the root
conftest's `_empty_cache`), so one worker's flush would reset another's rate-limit counters in
the middle of a test. Each worker therefore uses a Redis database of its own: REDIS_URL's number
plus the worker's index (gw0 keeps it, gw1 the next, …).
"""

import os
from urllib.parse import urlsplit, urlunsplit

# Redis has databases 0 to 15 unless configured otherwise.
REDIS_DATABASES = 16


def redis_url_of_worker(url: str, worker: str) -> str:
    """REDIS_URL with the database number moved on by the worker's index ("gw2": +2)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw"))
    if number >= REDIS_DATABASES:
        raise SystemExit(f"REDIS_URL names database {base}; xdist worker {worker} would need "
                         f"database {number}, and Redis has {REDIS_DATABASES}: choose a lower "
                         f"number or fewer workers")
    return urlunsplit(parts._replace(path=f"/{number}"))


def _give_each_worker_its_own_redis_database() -> None:
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("REDIS_URL")
    if worker and url:
        os.environ["REDIS_URL"] = redis_url_of_worker(url, worker)


_give_each_worker_its_own_redis_database()
