"""Reads across partnerships, for the administrator of the installation only: every other
read goes through `access.scoped` and stays inside one partnership."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lagesbild.incidents.models import Incident
from lagesbild.partnerships.models import Membership, Partnership


def installation_overview() -> QuerySet[Partnership]:
    """Every partnership with its number of active members and of reports waiting for
    review: what an administrator looks after. Figures only, no report is read."""
    return Partnership.objects.annotate(
        members=_count(Membership.objects.filter(active=True)),
        waiting=_count(Incident.objects.filter(status=Incident.Status.NEW)),
    ).order_by("name")


def _count(rows) -> Coalesce:
    """A count of `rows` per partnership, as a subquery (two joins would multiply)."""
    per_partnership = (
        rows.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_partnership, output_field=IntegerField()), 0)
