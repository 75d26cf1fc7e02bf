"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task


@task()
def check_import(job_id: int) -> None:
    from lagesbild.incidents.import_jobs import run_check

    run_check(job_id)


@task()
def run_import(job_id: int) -> None:
    from lagesbild.incidents.import_jobs import run_job

    run_job(job_id)
