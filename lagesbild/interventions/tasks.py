"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task


@task()
def compute_evaluation(request_id: int) -> None:
    from lagesbild.interventions.evaluation import run_request

    run_request(request_id)
