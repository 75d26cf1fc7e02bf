"""How long a login lasts: an idle limit (shorter for privileged users) and an absolute
lifetime from the login, however busy the session. Times are Unix seconds in the session."""

import time

from django.conf import settings

from lagesbild.accounts.policy import idle_seconds

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
# Writing the last-seen time at most once a minute keeps most requests free of a session save.
SEEN_RESOLUTION = 60


def start(request) -> None:
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def expired(request) -> str | None:
    """ "idle" or "lifetime" when the logged-in session is over; None while it lasts (then the
    last-seen time is brought up to date)."""
    session = request.session
    now = time.time()
    login_at = session.get(LOGIN_AT)
    if login_at is None:
        start(request)
        return None
    if now - login_at > settings.SESSION_MAX_HOURS * 3600:
        return "lifetime"
    seen_at = session.get(SEEN_AT, login_at)
    if now - seen_at > idle_seconds(request):
        return "idle"
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return None
