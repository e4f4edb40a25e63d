"""Background jobs (django-tasks, as notifications/tasks.py): in-process after the commit by
default, by `stadtallianz db_worker` with TASKS_BACKEND=database."""

from django_tasks import task

from . import services


@task()
def build_data_export(export_id: int) -> bool:
    return services.build_export(export_id) is not None
