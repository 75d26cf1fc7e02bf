"""Background tasks (django-tasks; the database-backed worker is `manage.py worker`)."""

from django_tasks import task


@task()
def relocate_incidents(partnership_id: int) -> None:
    """After the areas changed (an import, an area drawn by hand): the incidents and the
    police's notices follow their new areas (`area_import.relocate_all`)."""
    from lagesbild.geography.area_import import relocate_all
    from lagesbild.partnerships.models import Partnership

    partnership = Partnership.objects.filter(pk=partnership_id).first()
    if partnership is not None:
        relocate_all(partnership)
