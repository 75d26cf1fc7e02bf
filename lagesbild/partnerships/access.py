"""THE scoping mechanism. Every view, API endpoint, query and export reaches partnership data
through this module:

- `current_membership(request)` says who the user is in which partnership;
- `member_required(role)` guards a view and sets `request.membership`;
- `scoped(queryset, membership)` limits any query to what that membership may see;
- `get_for_member(queryset, membership, pk)` fetches one object or answers 404, the same for
  "does not exist" and "belongs to another partnership", so ids reveal nothing.

A guest (another authority, `Role.GUEST`) ranks below every other role, so `member_required`
refuses guests everywhere; only views under `guest_required` admit them. `scoped` gives a guest
nothing of a model unless GUEST_RULES says what of it a guest may see.
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from lagesbild.incidents import coverage, weeks
from lagesbild.partnerships.models import Membership
from lagesbild.pictures import periods

Role = Membership.Role

ROLE_RANK = {Role.GUEST: 0, Role.REPORTER: 1, Role.MEMBER: 2, Role.ANALYST: 3, Role.COORDINATOR: 4}
SESSION_KEY = "partnership_id"


def has_role(membership: Membership | None, role: str) -> bool:
    """True when the membership holds `role` or a higher one."""
    return membership is not None and ROLE_RANK[membership.role] >= ROLE_RANK[role]


def memberships_of(user) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(
        user=user, active=True, organisation__active=True
    ).select_related("partnership", "organisation", "user")


def current_membership(request) -> Membership | None:
    """The membership the user acts in: the partnership chosen in the session, else the first."""
    if hasattr(request, "_membership"):
        return request._membership
    memberships = list(memberships_of(request.user))
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    membership = next((m for m in memberships if m.partnership_id == chosen), None)
    if membership is None and memberships:
        membership = memberships[0]
    request._membership = membership
    return membership


def member_required(role: str = Role.REPORTER) -> Callable:
    """View decorator: anonymous users go to the login page, users without the role get 403.

    Sets `request.membership` so the view never looks it up itself.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if not has_role(membership, role):
                raise PermissionDenied
            request.membership = membership
            return view(request, *args, **kwargs)

        wrapper.required_role = role
        return wrapper

    return decorator


def guest_required(view):
    """View decorator for the guests' own pages: anonymous users go to the login page, anyone
    but a guest gets 403 (members have their own, fuller pages). Sets `request.membership`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = current_membership(request)
        if membership is None or membership.role != Role.GUEST:
            raise PermissionDenied
        request.membership = membership
        return view(request, *args, **kwargs)

    wrapper.required_role = Role.GUEST
    return wrapper


def staff_required(view):
    """View decorator for the installation's administrator (`is_staff`), who creates
    partnerships: anonymous users go to the login page, everyone else gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _incident_visibility(membership: Membership) -> Q:
    """Reporters see what they reported; restricted incidents are for coordinators, analysts
    and the reporting organisation; a rejected report (it may be one that should never have
    been written) is for coordinators and its reporter."""
    own = Q(reporter=membership.user)
    if membership.role == Role.REPORTER:
        return own
    if has_role(membership, Role.COORDINATOR):
        return Q()
    not_rejected = ~Q(status="rejected") | own
    if has_role(membership, Role.ANALYST):
        return not_rejected
    return not_rejected & (Q(visibility="partnership") | Q(organisation=membership.organisation))


def _indicator_visibility(membership: Membership, path: str = "") -> Q:
    """An indicator shown to "coordinators and analysts only" is hidden from the others,
    with its values."""
    if has_role(membership, Role.ANALYST):
        return Q()
    return Q(**{f"{path}visibility": "members"})


def _taking_part(membership: Membership):
    """The ids of the interventions the guest's organisation is responsible for or
    contributes to (a joint effort, gemensam satsning)."""
    from lagesbild.interventions.models import Intervention

    org = membership.organisation_id
    return Intervention.objects.filter(Q(responsible=org) | Q(contributors=org)).values("pk")


def _granted_incidents(membership: Membership) -> Q:
    """Incidents under one of the organisation's detail grants that holds today: in the
    grant's areas that the organisation is still invited to, occurred within its period, open
    to the partnership (not restricted, not rejected). Checked at every read, so an expired or
    revoked grant, or an area taken off the invitation, shows nothing."""
    from lagesbild.guests.models import DetailGrant

    grants = (
        DetailGrant.objects.holding()
        .filter(guest__organisation=membership.organisation_id)
        .prefetch_related("areas", "guest__areas")
    )
    zone = ZoneInfo(membership.partnership.time_zone)
    granted = Q(pk__in=[])
    for grant in grants:
        invited = {area.pk for area in grant.guest.areas.all()}
        # Whole days in the partnership's time zone, as plain bounds an index can use.
        granted |= Q(
            area__in=[area.pk for area in grant.areas.all() if area.pk in invited],
            occurred_at__gte=datetime.combine(grant.starts, time.min, zone),
            occurred_at__lt=datetime.combine(grant.ends + timedelta(days=1), time.min, zone),
        )
    return granted & Q(visibility="partnership") & ~Q(status="rejected")


def _ended_periods(membership: Membership) -> Q:
    """Approved pictures of periods that have ended: never a draft, never the running week,
    quarter, tertial or year (a coordinator may approve a running period, with a warning).
    Periods of one kind are written alike ("2026-W07", "2026-Q3", "2026"), so their text
    orders them."""
    partnership = membership.partnership
    running = weeks.iso(coverage.current_week(partnership))
    ended = Q(period_kind="week", period__lt=running)
    today = periods.today_for(partnership)
    for kind in periods.PERIOD_KINDS:
        ended |= Q(period_kind=kind, period__lt=str(periods.Period.containing(kind, today)))
    return ended


def _invited_areas(membership: Membership) -> Q:
    """The areas the guest's organisation is invited to (none without an invitation)."""
    from lagesbild.guests.models import GuestOrganisation

    invitation = GuestOrganisation.objects.filter(organisation=membership.organisation_id)
    return Q(pk__in=invitation.values("areas"))


# What a guest may see of a model; a model not named here gives a guest no rows at all.
GUEST_RULES = {
    "partnership": lambda membership: Q(),
    "area": _invited_areas,
    "picture": _ended_periods,
    "intervention": lambda membership: Q(pk__in=_taking_part(membership)),
    "progressnote": lambda membership: Q(intervention__in=_taking_part(membership)),
    "decision": lambda membership: Q(shared_with_guests=True),
    "incident": _granted_incidents,
    "guestorganisation": lambda membership: Q(organisation=membership.organisation_id),
    "detailgrant": lambda membership: Q(guest__organisation=membership.organisation_id),
}

# How to reach the partnership id from a model, where it is not the `partnership` field.
PARTNERSHIP_PATHS = {
    "partnership": "id",
    "decision": "meeting__partnership",
    "apitoken": "membership__partnership",
    "indicatorvalue": "indicator__partnership",
}
# Row-level rules on top of the partnership filter.
EXTRA_RULES = {
    "incident": _incident_visibility,
    "indicator": _indicator_visibility,
    "indicatorvalue": lambda membership: _indicator_visibility(membership, "indicator__"),
}


def scoped(queryset: QuerySet, membership: Membership | None) -> QuerySet:
    """Limit `queryset` to the rows `membership` may see; nothing at all without a membership."""
    queryset = partnership_rows(queryset, membership)
    name = queryset.model._meta.model_name
    if membership is not None and membership.role == Role.GUEST:
        guest_rule = GUEST_RULES.get(name)
        return queryset.none() if guest_rule is None else queryset.filter(guest_rule(membership))
    rule = EXTRA_RULES.get(name)
    if rule is not None and membership is not None:
        queryset = queryset.filter(rule(membership))
    return queryset


def partnership_rows(queryset: QuerySet, membership: Membership | None) -> QuerySet:
    """The partnership's rows without the row-level visibility rules: only for aggregate
    figures (counts in the weekly table), which every member sees alike."""
    if membership is None:
        return queryset.none()
    path = PARTNERSHIP_PATHS.get(queryset.model._meta.model_name, "partnership")
    return queryset.filter(**{path: membership.partnership_id})


def get_for_member(source: QuerySet | type[Model], membership: Membership | None, pk) -> Model:
    """One object the membership may see, or Http404 whether it is missing or not theirs."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    try:
        return scoped(queryset, membership).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def switch_partnership(request, partnership_id) -> Membership:
    """Make another of the user's partnerships the current one (404 if not a member).

    `partnership_id` comes straight from a form, so it is matched against the user's own few
    memberships as text: garbage or a huge number is simply not one of them (and never
    reaches the database as an id, where it would crash the query)."""
    wanted = str(partnership_id).strip()
    membership = next(
        (m for m in memberships_of(request.user) if str(m.partnership_id) == wanted), None
    )
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.partnership_id
    request._membership = membership
    return membership
