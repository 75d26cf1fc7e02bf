"""Erasure: a coordinator deletes an incident that should never have been stored.

The incident, its history and its redaction records are deleted; the free text in the audit
entries the incident services wrote about it is blanked. What remains is an `Erasure` row
and an audit entry: the incident's number, week, category and area, who erased it, when and
why. The week's analysis is redone, so later runs no longer count it; approved pictures are
frozen snapshots and keep their figures (their lists of incidents simply lose it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.dataprotection import scrub
from lagesbild.dataprotection.models import Erasure
from lagesbild.dataprotection.redaction import MARKER, check_reason
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident


@transaction.atomic
def erase_incident(*, actor, incident: Incident, reason: str, request=None) -> Erasure:
    """Delete the incident for good. Raises ValidationError (nothing deleted) without a
    reason, or while duplicates merged into it still point at it."""
    reason = check_reason(reason)
    incident = (
        Incident.objects.select_for_update()
        .select_related("category", "area", "partnership")
        .get(pk=incident.pk)
    )
    absorbed = list(incident.absorbed.values_list("pk", flat=True))
    if absorbed:
        raise ValidationError(
            _(
                "Dubbletter är sammanslagna med händelsen (nr %(ids)s). Radera dem först; "
                "de beskriver troligen samma sak."
            )
            % {"ids": ", ".join(str(pk) for pk in absorbed)}
        )
    erasure = Erasure.objects.create(
        partnership=incident.partnership,
        incident_number=incident.pk,
        iso_week=incident.iso_week,
        category=incident.category.name,
        area=incident.area.name,
        reason=reason,
        actor=actor,
    )
    texts = [getattr(incident, name) for name in scrub.TEXT_FIELDS]
    texts += list(incident.changes.exclude(reason="").values_list("reason", flat=True))
    texts = [text for text in texts if text]
    scrub.scrub_stored_pictures(incident.partnership_id, texts, texts, MARKER)
    scrub.blank_incident_texts([incident.pk])
    record(
        actor=actor,
        action="incident.erased",
        obj=incident,
        summary=reason,
        request=request,
        week=weeks.iso(incident.iso_week),
        category=incident.category.name,
        area=incident.area.name,
    )
    partnership, iso_week = incident.partnership, weeks.iso(incident.iso_week)
    incident.delete()
    if settings.ANALYSIS_ON_CHANGE:
        # Imported here: the picture builds on incidents, not the other way round.
        from lagesbild.pictures.runs import request_run

        transaction.on_commit(lambda: request_run(partnership, iso_week))
    return erasure
