"""Redaction: a coordinator removes text from an incident (a passage or a whole field).

The removed text is replaced by a marker in the incident and in every copy the application
keeps (see `scrub`); the redaction is recorded with the field, the number of characters, who
and why, never the text. Approved pictures and every export read the incident's text from the
incident, so they show the marker from the moment the redaction is saved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.dataprotection import scrub
from lagesbild.dataprotection.models import REDACTABLE_FIELDS, Redaction
from lagesbild.incidents.models import Incident
from lagesbild.incidents.privacy import validate_no_identity_numbers

MARKER = "[maskerat]"
FIELDS = REDACTABLE_FIELDS
# A shorter passage would also hit unrelated words in the history ("och", "på").
MIN_PASSAGE = 3


def check_reason(reason: str) -> str:
    """The coordinator's reason: required, and never itself the place a removed identity
    number ends up."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Skälet får vara högst 300 tecken.")})
    try:
        validate_no_identity_numbers(reason)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from exc
    return reason


@transaction.atomic
def redact_incident_text(
    *, actor, incident: Incident, field: str, passage: str = "", reason: str, request=None
) -> Redaction:
    """Replace `passage` (or, when it is empty, the whole field) with the marker in the
    incident's `field` and in every copy of it. Raises ValidationError, changing nothing,
    when the field is not a free-text field, the passage is not in it or the reason is
    missing."""
    if field not in FIELDS:
        raise ValidationError({"field": _("Välj ett fritextfält.")})
    reason = check_reason(reason)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    current = getattr(incident, field)
    whole = not passage.strip()
    if whole:
        if not current or current == MARKER:
            raise ValidationError({"field": _("Fältet är tomt; det finns inget att maskera.")})
        passage = current
    elif passage not in current:
        raise ValidationError(
            {"passage": _("Texten finns inte i fältet. Kopiera den exakt som den står.")}
        )
    elif len(passage.strip()) < MIN_PASSAGE:
        raise ValidationError(
            {
                "passage": _("Markera minst %(n)s tecken, annars träffas vanliga ord.")
                % {"n": MIN_PASSAGE}
            }
        )
    originals = [getattr(incident, name) for name in scrub.TEXT_FIELDS]
    for name in scrub.TEXT_FIELDS:
        setattr(incident, name, getattr(incident, name).replace(passage, MARKER))
    incident.save(update_fields=list(scrub.TEXT_FIELDS))
    scrub.scrub_incident_copies(incident, [passage], MARKER)
    scrub.scrub_stored_pictures(incident.partnership_id, originals, [passage], MARKER)
    redaction = Redaction.objects.create(
        incident=incident,
        field=field,
        whole_field=whole,
        characters=len(passage),
        reason=reason,
        actor=actor,
    )
    record(
        actor=actor,
        action="incident.redacted",
        obj=incident,
        summary=reason,
        request=request,
        field=field,
        whole_field=whole,
        characters=len(passage),
    )
    return redaction
