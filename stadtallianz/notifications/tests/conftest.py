import pytest

from stadtallianz.notifications import services

# The working groups' shared people and group.
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


class FailingBackend:
    """An e-mail backend whose server is down: every send raises, like an SMTP outage."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "stadtallianz.notifications.tests.conftest.FailingBackend"


@pytest.fixture
def make_notification(django_capture_on_commit_callbacks):
    """make_notification(user, key) notifies through the real path (a test template pair)."""

    def make(user, key="test:1", *, send=True, **context):
        with django_capture_on_commit_callbacks(execute=send):
            return services.notify(user, kind="test", key=key,
                                   template="notifications/tests/hello",
                                   context={"thing": context.get("thing", "Radweg")},
                                   url="/de/working-groups/")

    return make
