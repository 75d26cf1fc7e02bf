"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task


@task()
def poll_police_events(call_id: int) -> None:
    """Fetch the police's feed for a poll the worker's heartbeat claimed."""
    from lagesbild.policeevents.polling import run_scheduled_call

    run_scheduled_call(call_id)
