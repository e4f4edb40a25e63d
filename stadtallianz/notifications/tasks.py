"""Background jobs (django-tasks). In the embedded default they run in-process right after the
commit; with TASKS_BACKEND=database a `manage.py db_worker` process runs them."""

from django_tasks import task

from . import services


@task()
def send_notification_email(notification_id: int) -> bool:
    return services.send_email(notification_id)
