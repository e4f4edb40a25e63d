"""Fixtures every app's tests share: people in each role, a partner organisation, API tokens and
JSON calls (`token_for`, `call`), and the check that the services CI requires are really there (a
missing service fails the run, never skips)."""

import json
import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

DEMO_PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test accounts only

# The hashers production uses (Argon2 first), as configured, before the suite swaps them.
PRODUCTION_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port),
                                      timeout=3):
            return True
    except OSError:
        return False


def _flush_by_delete_on_postgresql():
    """A transactional test (races, live server, browser) empties every table when it ends.
    Django does that on PostgreSQL with one TRUNCATE of all tables, which gives each of ~100
    tables and ~400 indexes a new file: measured 5.5 s per test on this machine, against 0.2 s
    for a DELETE of the same rows (the tables of a test hold a few rows each). Every foreign key
    here is deferred, so the deletes may run in any order within the flush's transaction. A
    flush that must reset sequences or cascade to tables not listed keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        return [" ".join(f"{style.SQL_KEYWORD('DELETE FROM')} "
                         f"{style.SQL_FIELD(self.quote_name(table))};" for table in tables)]

    DatabaseOperations.sql_flush = sql_flush


def pytest_sessionstart(session):
    _flush_by_delete_on_postgresql()
    required = {name.strip() for name in os.environ.get("REQUIRED_SERVICES", "").split(",")
                if name.strip()}
    problems = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in required and engine != "django.db.backends.postgresql":
        problems.append("REQUIRED_SERVICES names postgresql but DATABASE_URL is not PostgreSQL")
    if "postgresql" in required and not _reachable(os.environ.get("DATABASE_URL", ""), 5432):
        problems.append("PostgreSQL is not reachable at DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL", "")
    if "redis" in required and not (redis_url and _reachable(redis_url, 6379)):
        problems.append("Redis is not reachable at REDIS_URL")
    mqtt_url = os.environ.get("MQTT_URL", "")
    if "mqtt" in required and not (mqtt_url and _reachable(mqtt_url, 1883)):
        problems.append("The MQTT broker (Mosquitto) is not reachable at MQTT_URL")
    if problems:
        pytest.exit("Required services missing: " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of a test land in its own folders (public media and private documents)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request's LocaleMiddleware leaves its language
    active in the test's thread, and `reverse` would otherwise follow the previous test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def contract():
    """The published OpenAPI document as a checker of answers (tests/api/contract.py)."""
    from tests.api.contract import published_contract

    return published_contract()


@pytest.fixture(autouse=True)
def _answers_follow_the_contract(monkeypatch):
    """Every answer of /api/v1/ that a test receives through Django's test client is checked
    against the published document: a documented status, content type and body schema
    (tests/api/contract.py). The test fails at teardown with each answer that breaks it. The
    checker is built once per session, on the first answer of /api/v1/; other answers cost
    nothing. Yields the list of problems found so far (a test of the check itself may read and
    empty it)."""
    from django.test.client import Client

    from tests.api.contract import API_PREFIX, published_contract

    problems = []
    send = Client.request

    def checked(self, **request):
        # Built before the request is sent (once per session), so that the time it takes never
        # falls between two requests of a test (a rate-limit window, a race).
        contract = (published_contract() if request.get("PATH_INFO", "").startswith(API_PREFIX)
                    else None)
        response = send(self, **request)
        if contract is not None and not getattr(response, "streaming", False):
            problems.extend(contract.problems(
                request["REQUEST_METHOD"], request["PATH_INFO"], response.status_code,
                response.get("Content-Type", ""), response.content))
        return response

    monkeypatch.setattr(Client, "request", checked)
    yield problems
    assert not problems, "answers that break the published contract:\n" + "\n".join(problems)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 costs a tenth of a second and more per hash by design, and the suite creates and logs
    in thousands of accounts: with it, hashing was a large part of the suite's time. Tests use
    MD5 (Django's advice for tests); the tests of the hashing itself ask for `argon2_hashing`."""
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS])
    fast.enable()
    yield
    fast.disable()


@pytest.fixture
def argon2_hashing(settings):
    """The password hashers as production configures them (Argon2 first), with MD5 last so that the
    accounts other fixtures made before this one still log in (as after a change of hasher)."""
    settings.PASSWORD_HASHERS = [*PRODUCTION_PASSWORD_HASHERS,
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (cached pages, throttles, CKAN's package dicts)."""
    from django.core.cache import caches

    for alias in caches.settings:
        caches[alias].clear()


@pytest.fixture
def make_user(db):
    from stadtallianz.accounts.models import User

    def make(email: str, *, full_name: str = "", password: str = DEMO_PASSWORD, **fields):
        fields.setdefault("email_confirmed_at", timezone.now())
        return User.objects.create_user(email, password,
                                        full_name=full_name or email.split("@")[0], **fields)

    return make


@pytest.fixture
def make_organisation(db):
    from stadtallianz.partners.models import Organisation

    counter = {"n": 0}

    def make(name: str | None = None, *, status=Organisation.Status.PARTNER, **fields):
        counter["n"] += 1
        name = name or f"Organisation {counter['n']}"
        fields.setdefault("slug", f"org-{counter['n']}-{slugify(name)}"[:200])
        fields.setdefault("type", Organisation.Type.COMPANY)
        if status in Organisation.PUBLIC_STATUSES:
            fields.setdefault("partner_since", timezone.now())
        return Organisation.objects.create(name=name, status=status, **fields)

    return make


@pytest.fixture
def organisation(make_organisation):
    """A confirmed alliance partner."""
    return make_organisation("Stadtwerke Beispielstadt", description_de="Energie und Mobilität.")


@pytest.fixture
def citizen(make_user):
    return make_user("citizen@example.org", full_name="Clara Citizen")


@pytest.fixture
def partner_admin(make_user, organisation):
    from stadtallianz.partners.models import Membership

    user = make_user("admin@example.org", full_name="Anna Admin")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def partner_member(make_user, organisation):
    from stadtallianz.partners.models import Membership

    user = make_user("member@example.org", full_name="Max Member")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def other_admin(make_user, make_organisation):
    """The admin of a different organisation."""
    from stadtallianz.partners.models import Membership

    other = make_organisation("Andere GmbH")
    user = make_user("other-admin@example.org", full_name="Otto Other")
    Membership.objects.create(user=user, organisation=other, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator@example.org", full_name="Cora Coordinator", is_coordinator=True)


@pytest.fixture
def superuser(db):
    from stadtallianz.accounts.models import User

    return User.objects.create_superuser("root@example.org", DEMO_PASSWORD, full_name="Root")


@pytest.fixture
def token_for(db):
    """token_for(user) issues an API token for that person and returns its key."""
    from stadtallianz.accounts.models import ApiToken

    def make(user, name: str = "test"):
        _token, key = ApiToken.issue(user=user, name=name)
        return key

    return make


@pytest.fixture
def call(client):
    """call(method, path, body, key=…, **headers) sends JSON to the API, with a bearer token if
    given (`via`: another test client, e.g. a logged-in one)."""

    def send(method: str, path: str, body=None, *, key: str | None = None, via=None, **headers):
        if key:
            headers["Authorization"] = f"Bearer {key}"
        kwargs = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(via or client, method.lower())(path, **kwargs)

    return send


@pytest.fixture
def client_for(client):
    """client_for(user) returns a test client logged in as that person (None: anonymous)."""
    from django.test import Client

    def make(user):
        if user is None:
            return client
        logged_in = Client()
        logged_in.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return logged_in

    return make
