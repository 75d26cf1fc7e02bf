"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task

from lagesbild.pictures.models import AnalysisRun


@task()
def execute_analysis_run(run_id: int) -> None:
    from lagesbild.pictures.runs import execute

    run = AnalysisRun.objects.filter(pk=run_id).select_related("partnership").first()
    if run is not None:
        execute(run)
