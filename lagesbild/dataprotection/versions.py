"""What the analysis must know about removals: erasing an incident or moving old points to
their area's centre changes the figures without a new report or history entry, so the
analysis runs' data fingerprint includes this."""

from django.db.models import Max

from lagesbild.dataprotection.models import Erasure, RetentionRun


def removals_version(partnership) -> str:
    """Changes with every erasure and every retention run that moved points."""
    erased = Erasure.objects.filter(partnership=partnership).aggregate(last=Max("id"))["last"]
    moved = (
        RetentionRun.objects.filter(partnership=partnership, points_coarsened__gt=0)
        .aggregate(last=Max("id"))
        .get("last")
    )
    return f"{erased}:{moved}"
