"""Inviting other authorities as guests and granting them incident detail for a stated
period and purpose. Every write is audited, and so is every read of granted detail."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.guests.models import DetailGrant, GuestOrganisation
from lagesbild.incidents.models import Incident
from lagesbild.incidents.privacy import validate_no_identity_numbers
from lagesbild.partnerships.access import scoped

# A grant is for a stated, limited period; a longer need is a new decision.
MAX_GRANT_DAYS = 366
DETAIL_PAGE = 100  # incidents per page of granted detail


def _check_same_partnership(partnership, objects) -> None:
    if any(obj.partnership_id != partnership.pk for obj in objects):
        raise ValidationError(_("Välj bland samverkans egna organisationer och områden."))


@transaction.atomic
def invite_guest(*, actor, partnership, organisation, areas, request=None) -> GuestOrganisation:
    """Invite `organisation` as a guest that sees the approved pictures of `areas`, or change
    which areas an invited one sees (none: it sees no picture)."""
    _check_same_partnership(partnership, [organisation, *areas])
    guest, created = GuestOrganisation.objects.get_or_create(
        organisation=organisation, defaults={"partnership": partnership, "invited_by": actor}
    )
    dropped = set(guest.areas.values_list("pk", flat=True)) - {area.pk for area in areas}
    guest.areas.set(areas)
    # Detail of an area no longer invited ends with the invitation (the read rule checks it
    # too); the grants then also stop naming it to the guest.
    for grant in guest.grants.all():
        grant.areas.remove(*dropped)
    record(
        actor=actor,
        action="guest.invite" if created else "guest.areas",
        obj=guest,
        request=request,
        summary=_("%(org)s ser %(areas)s")
        % {"org": organisation.name, "areas": ", ".join(a.name for a in areas) or "–"},
        areas=[a.pk for a in areas],
    )
    return guest


@transaction.atomic
def grant_detail(
    *, actor, guest: GuestOrganisation, areas, purpose: str, starts: date, ends: date, request=None
) -> DetailGrant:
    """Let the guest organisation see incident detail of some of its invited areas: the
    incidents that occurred from `starts` to `ends`, readable until `ends` has passed."""
    errors = {}
    invited = set(guest.areas.values_list("pk", flat=True))
    if not purpose.strip():
        errors["purpose"] = _("Skriv syftet med behörigheten.")
    if not areas:
        errors["areas"] = _("Välj minst ett område.")
    elif not {a.pk for a in areas} <= invited:
        errors["areas"] = _("Välj bland de områden myndigheten är inbjuden till.")
    if ends < starts:
        errors["ends"] = _("Slutdatumet ligger före startdatumet.")
    elif ends < timezone.localdate():
        errors["ends"] = _("Slutdatumet har redan passerat.")
    elif (ends - starts).days >= MAX_GRANT_DAYS:
        errors["ends"] = _("En behörighet gäller högst ett år; bevilja en ny när den löpt ut.")
    if errors:
        raise ValidationError(errors)
    validate_no_identity_numbers(purpose)
    grant = DetailGrant.objects.create(
        partnership=guest.partnership,
        guest=guest,
        purpose=purpose.strip(),
        starts=starts,
        ends=ends,
        granted_by=actor,
    )
    grant.areas.set(areas)
    record(
        actor=actor,
        action="guest.grant",
        obj=grant,
        request=request,
        summary=_("%(org)s får se händelsedetaljer %(starts)s–%(ends)s: %(purpose)s")
        % {"org": guest, "starts": starts, "ends": ends, "purpose": grant.purpose},
        areas=[a.pk for a in areas],
        starts=starts.isoformat(),
        ends=ends.isoformat(),
    )
    return grant


@transaction.atomic
def revoke_grant(*, actor, grant: DetailGrant, request=None) -> DetailGrant:
    """End a grant before its last day."""
    if grant.revoked_at is not None:
        raise ValidationError(_("Behörigheten är redan återkallad."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor=actor,
        action="guest.revoke",
        obj=grant,
        request=request,
        summary=_("Behörigheten för %(org)s återkallad") % {"org": grant.guest},
    )
    return grant


@transaction.atomic
def read_granted_detail(*, actor, membership, page=None, request=None) -> Page:
    """One page of the incidents the guest's active grants show (access.py decides which, at
    this very read), with one audit entry naming them: a read of detail is as traceable as a
    write. Paged, so a year's grant on a busy area is neither one huge page nor one huge entry."""
    # The areas' and places' outlines are not shown and are large: left out of each row.
    rows = Incident.objects.select_related("category", "area", "place").defer(
        "area__geometry", "place__geometry"
    )
    incidents = scoped(rows, membership).order_by("-occurred_at", "-id")
    shown = Paginator(incidents, DETAIL_PAGE).get_page(page)
    record(
        actor=actor,
        action="guest.detail_read",
        partnership=membership.partnership,
        request=request,
        summary=_("%(n)s händelser lästa med behörighet") % {"n": len(shown)},
        incidents=[i.pk for i in shown],
        page=shown.number,
    )
    return shown
