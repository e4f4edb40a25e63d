"""A public and a members-only thread in the working groups' `group`, started by its `member`.

A plain module shared by the discussions' conftest and test_api_threads_and_moderation.py:
`from stadtallianz.discussions.tests.fixtures import *  # noqa: F403` (see
stadtallianz/workinggroups/tests/fixtures.py for why a star import).
"""

import pytest

from stadtallianz.discussions import services
from stadtallianz.discussions.models import Thread

__all__ = ["public_thread", "private_thread"]


@pytest.fixture
def public_thread(group, member):
    return services.thread_create(group=group, title="Radwege am Ring", body="Wer macht mit?",
                                  visibility=Thread.Visibility.PUBLIC, by=member)


@pytest.fixture
def private_thread(group, member):
    return services.thread_create(group=group, title="Interne Planung", body="Nur für uns.",
                                  visibility=Thread.Visibility.MEMBERS, by=member)
