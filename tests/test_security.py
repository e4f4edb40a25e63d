"""Security properties every response and every form has."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.test import Client


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    """No inline script or style is allowed, and no third-party script origin."""
    response = client.get("/de/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_pages_deny_framing_and_sniffing(client):
    response = client.get("/de/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused(citizen):
    """CSRF protection is on: a forged form post from another site is answered 403."""
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    response = forged.post("/de/logout/")
    assert response.status_code == 403


def test_passwords_are_hashed_with_argon2(argon2_hashing):
    """Production's hashers (the suite itself hashes with MD5 for speed, conftest.py)."""
    assert get_hasher().algorithm == "argon2"
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_in_production(client, citizen):
    """Tests run in production mode (DEBUG off): cookies only travel over HTTPS."""
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
