"""Logins, failed logins and lockouts in the audit trail, and the clock of a new session.

Connected in `AccountsConfig.ready`: Django's login views and django-axes announce these
events only through signals.
"""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from lagesbild.accounts import sessions
from lagesbild.accounts.services import record_for_user, user_named

log = logging.getLogger(__name__)


def _tried_name(credentials) -> str:
    return str((credentials or {}).get("username") or "")[:150]


@receiver(user_logged_in, dispatch_uid="lagesbild.accounts.logged_in")
def logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    sessions.start(request)
    record_for_user(user, action="login", actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="lagesbild.accounts.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    """A wrong password (counted towards the lockout). Attempts refused during a lockout
    were not counted and are not written either: a guessing run must not fill the trail."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    name = _tried_name(credentials)
    record_for_user(
        user_named(name),
        action="login.failed",
        request=request,
        summary=name,
        failures=request.axes_failures_since_start,
        path=request.path[:100],
    )


@receiver(user_locked_out, dispatch_uid="lagesbild.accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        # Still locked: refused without counting (see login_failed).
        log.warning("Login refused during lockout: %s from %s", username, ip_address)
        return
    name = str(username or "")[:150]
    record_for_user(
        user_named(name),
        action="login.locked",
        request=request,
        summary=name,
        minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    )
