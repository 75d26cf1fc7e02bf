"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task

from lagesbild.dataprotection.models import RetentionRun


@task()
def execute_retention_run(run_id: int) -> None:
    """Apply a retention run claimed by the worker's daily check."""
    from lagesbild.dataprotection.retention import execute

    run = RetentionRun.objects.filter(pk=run_id, finished_at__isnull=True).first()
    if run is not None:
        execute(run)
