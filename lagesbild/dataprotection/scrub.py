"""Removing copies of an incident's text from every place the application writes one.

An incident's free text is written in its own fields, and copies of parts of it can reach its
history (`IncidentChange.reason`, `changes`) and the audit trail (the summary and details of
the entries about it: a rejection's reason is both). Analysis runs and approved pictures hold
figures, names of areas and categories and incident numbers, never an incident's text; they
are checked all the same, and any string in them that holds the whole original field is
rewritten too, so a future change that copies text there cannot keep a redacted original.
"""

import json
from collections.abc import Callable
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from lagesbild.audit.models import Entry
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.pictures.models import AnalysisRun, Picture

# The free-text fields of an incident, in the order they are shown.
TEXT_FIELDS = ("description", "rejection_reason")
# The audit actions the incident services write (incident.created, incident.rejected, ...):
# their summary is the reason the user typed. Reads, redactions and erasures are left alone;
# their summaries are the coordinator's own words about the incident, not the incident's text.
INCIDENT_ACTIONS = [f"incident.{action}" for action in IncidentChange.Action.values]
# A shorter whole text is not searched for in pictures and runs: "Norr" would match the area.
MIN_COPY_LENGTH = 12


def replace_in(value: Any, rewrite: Callable[[str], str]) -> Any:
    """`value` (a JSON-like structure) with `rewrite` applied to every string in it; keys are
    the application's own words and stay as they are."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [replace_in(item, rewrite) for item in value]
    if isinstance(value, dict):
        return {key: replace_in(item, rewrite) for key, item in value.items()}
    return value


def _holding(queryset, field: str, text: str):
    """Rows whose `field` (text or JSON) holds `text`, however the database spells JSON
    (SQLite keeps it with \\u escapes, PostgreSQL as the characters)."""
    escaped = json.dumps(text)[1:-1]
    cast = Cast(field, TextField())
    return queryset.annotate(_as_text=cast).filter(
        Q(_as_text__contains=text) | Q(_as_text__contains=escaped)
    )


def scrub_incident_copies(incident: Incident, passages: list[str], marker: str) -> int:
    """Replace each passage with `marker` in the incident's history and in the audit
    entries about it. Returns the number of rows rewritten."""

    def rewrite(text: str) -> str:
        for passage in passages:
            text = text.replace(passage, marker)
        return text

    rewritten = 0
    for change in IncidentChange.objects.filter(incident=incident):
        reason, changes = rewrite(change.reason), replace_in(change.changes, rewrite)
        if (reason, changes) != (change.reason, change.changes):
            change.reason, change.changes = reason, changes
            change.save(update_fields=["reason", "changes"])
            rewritten += 1
    entries = Entry.objects.filter(object_type="incident", object_id=str(incident.pk))
    for entry in entries:
        summary, details = rewrite(entry.summary), replace_in(entry.details, rewrite)
        if (summary, details) != (entry.summary, entry.details):
            entry.summary, entry.details = summary, details
            entry.save(update_fields=["summary", "details"])
            rewritten += 1
    return rewritten


def scrub_stored_pictures(partnership_id: int, originals: list[str], passages, marker) -> int:
    """Rewrite any string in the partnership's analysis runs and approved pictures that holds
    one of the whole `originals` (a copy of the field), replacing the passages in it."""
    originals = [o for o in originals if len(o) >= MIN_COPY_LENGTH]
    if not originals:
        return 0

    def rewrite(text: str) -> str:
        if not any(original in text for original in originals):
            return text
        for passage in passages:
            text = text.replace(passage, marker)
        return text

    rewritten = 0
    stores = ((AnalysisRun, "results"), (Picture, "content"))
    for model, field in stores:
        queryset = model.objects.filter(partnership_id=partnership_id)
        matching = Q(pk__in=[])
        for original in originals:
            matching |= Q(pk__in=_holding(queryset, field, original).values("pk"))
        for row in queryset.filter(matching):
            setattr(row, field, replace_in(getattr(row, field), rewrite))
            row.save(update_fields=[field])
            rewritten += 1
    return rewritten


def blank_incident_texts(incident_ids) -> tuple[int, int]:
    """Empty the free text of the incidents and every copy of it in their history and in the
    audit entries the incident services wrote about them (retention and erasure: all of it
    goes, so no search is needed). Returns (history rows, audit entries) blanked."""
    history = (
        IncidentChange.objects.filter(incident_id__in=incident_ids).exclude(reason="")
    ).update(reason="")
    audit = (
        Entry.objects.filter(
            object_type="incident",
            object_id__in=[str(pk) for pk in incident_ids],
            action__in=INCIDENT_ACTIONS,
        ).exclude(summary="")
    ).update(summary="")
    return history, audit
