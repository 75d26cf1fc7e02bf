"""Who gets the stricter account rules: coordinators, analysts and administrators must use two
factors and are logged out sooner when idle, because they see every report and can change
the partnership; so must a guest whose organisation holds a detail grant that holds today,
because it reads single incidents (guests.DetailGrant)."""

from django.conf import settings

from lagesbild.guests.models import DetailGrant
from lagesbild.partnerships.models import Membership

PRIVILEGED_ROLES = (Membership.Role.COORDINATOR, Membership.Role.ANALYST)
ROLE, GRANT = "role", "grant"


def privilege(user) -> str | None:
    """Why the user gets the stricter rules: ROLE (an administrator, or a coordinator or
    analyst in an active membership, the same rule that lets them in at all), GRANT (a guest
    whose organisation may read incident detail today) or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_staff or user.is_superuser:
        return ROLE
    memberships = Membership.objects.filter(user=user, active=True, organisation__active=True)
    if memberships.filter(role__in=PRIVILEGED_ROLES).exists():
        return ROLE
    guests = memberships.filter(role=Membership.Role.GUEST).values("organisation")
    granted = DetailGrant.objects.holding().filter(guest__organisation__in=guests)
    return GRANT if granted.exists() else None


def is_privileged(user) -> bool:
    return privilege(user) is not None


def request_privilege(request) -> str | None:
    """`privilege` for the request's user, asked once per request."""
    if not hasattr(request, "_privilege"):
        request._privilege = privilege(request.user)
    return request._privilege


def privileged(request) -> bool:
    return request_privilege(request) is not None


def idle_seconds(request) -> int:
    minutes = (
        settings.SESSION_IDLE_MINUTES_PRIVILEGED
        if privileged(request)
        else settings.SESSION_IDLE_MINUTES
    )
    return minutes * 60
