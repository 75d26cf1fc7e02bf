"""Who gets the stricter account rules: coordinators, analysts and administrators must use two
factors and are logged out sooner when idle, because they see every report and can change
the partnership."""

from django.conf import settings

from lagesbild.partnerships.models import Membership

PRIVILEGED_ROLES = (Membership.Role.COORDINATOR, Membership.Role.ANALYST)


def is_privileged(user) -> bool:
    """True for administrators and for anyone who is a coordinator or analyst in an active
    membership (the same rule that lets them in at all)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, active=True, organisation__active=True, role__in=PRIVILEGED_ROLES
    ).exists()


def privileged(request) -> bool:
    """`is_privileged` for the request's user, asked once per request."""
    if not hasattr(request, "_privileged"):
        request._privileged = is_privileged(request.user)
    return request._privileged


def idle_seconds(request) -> int:
    minutes = (
        settings.SESSION_IDLE_MINUTES_PRIVILEGED
        if privileged(request)
        else settings.SESSION_IDLE_MINUTES
    )
    return minutes * 60
