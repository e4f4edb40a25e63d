"""Production's queue: django-tasks-db keeps the job in the database and `db_worker` runs it."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker manages its own database connection (it closes one left in a transaction), so this
# test runs outside the usual test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_the_queued_email(database_queue, member, make_notification):
    notification = make_notification(member)
    assert mail.outbox == []  # queued, not sent by the request
    assert DBTaskResult.objects.filter(
        task_path="stadtallianz.notifications.tasks.send_notification_email").count() == 1
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert [m.to for m in mail.outbox] == [[member.email]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert len(mail.outbox) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(database_queue, member,
                                                           django_capture_on_commit_callbacks):
    from django.db import transaction

    from stadtallianz.notifications import services
    from stadtallianz.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.notify(member, kind="test", key="k", template="notifications/tests/hello",
                                context={"thing": "x"}, url="/")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()
