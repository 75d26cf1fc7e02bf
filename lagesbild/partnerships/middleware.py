"""Every time a person sees is in the time zone of the partnership they act in.

Weeks, the analysis and the exports already take the partnership's zone; pages used the
server's (TIME_ZONE), so an incident on Sunday 23:40 in a partnership's own zone could be
listed as Monday morning and a picture "computed at" one hour on the page and another in
its PDF. This middleware makes the partnership's zone the current one for the request, so
templates (|date), form fields and timezone.localdate() all agree with the weeks.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from lagesbild.partnerships.access import current_membership


def partnership_zone(partnership) -> ZoneInfo:
    """The partnership's time zone; the installation's where its name is not a known zone."""
    try:
        return ZoneInfo(partnership.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def activate_partnership_zone(membership) -> None:
    """Make the membership's partnership zone the current one until the request ends: for
    callers identified after this middleware ran (API tokens)."""
    timezone.activate(partnership_zone(membership.partnership))


class PartnershipTimeZoneMiddleware:
    """Activates the current partnership's time zone for the request (after authentication;
    the membership it looks up is the one the views then use, so it costs no extra query).

    Every request runs inside an override, also without a membership, so a zone activated
    later in the request (an API token's) is undone when it ends and never reaches the next
    request this thread serves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        membership = current_membership(request) if user and user.is_authenticated else None
        zone = partnership_zone(membership.partnership) if membership else None
        with timezone.override(zone):
            return self.get_response(request)
