"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task

from lagesbild.pictures.models import AnalysisRun


@task()
def execute_analysis_run(run_id: int) -> None:
    from lagesbild.pictures.runs import execute

    run = AnalysisRun.objects.filter(pk=run_id).select_related("partnership").first()
    if run is not None:
        execute(run)


@task()
def execute_week_range(partnership_id: int, first: int, last: int) -> None:
    """The analysis of an imported history: every week of the range in one job."""
    from lagesbild.partnerships.models import Partnership
    from lagesbild.pictures.runs import analyse_weeks

    partnership = Partnership.objects.filter(pk=partnership_id).first()
    if partnership is not None:
        analyse_weeks(partnership, first, last)
