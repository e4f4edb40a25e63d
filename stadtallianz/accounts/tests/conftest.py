import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request's LocaleMiddleware leaves its language
    active in the test's thread, and `reverse` would otherwise follow the previous test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
