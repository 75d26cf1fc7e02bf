"""Account rules that hold for every request: no caching of answers, the session's time
limits and the second factor."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from lagesbild.accounts import sessions, twofactor


def no_store(get_response):
    """Pages and API answers carry incident data and personal names: no browser or proxy may
    keep a copy (a shared computer's back button, a proxy's disk). Static files are answered
    by WhiteNoise before this runs and keep their long caching."""

    def middleware(request):
        response = get_response(request)
        add_never_cache_headers(response)
        return response

    return middleware


def session_limits(get_response):
    """An idle or too old session is logged out; the request then goes on as anonymous, so a
    page asks for the login (with a message why) and the API answers 401."""

    def middleware(request):
        if request.user.is_authenticated:
            reason = sessions.expired(request)
            if reason is not None:
                logout(request)
                messages.info(
                    request,
                    _("Du loggades ut eftersom du inte varit aktiv på en stund. Logga in igen.")
                    if reason == "idle"
                    else _("Inloggningen har gått ut. Logga in igen."),
                )
        return get_response(request)

    return middleware


# Pages a session may reach before its second factor: the steps themselves, logging out and
# the language switch. The API is not redirected: its session login refuses instead.
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "set_language",
    "accounts:verify",
    "accounts:enrol",
    "admin:login",
    "admin:logout",
}


def second_factor(get_response):
    """A logged-in session that owes a code goes to the code page; a privileged user without
    an app goes to set one up, whatever page they asked for."""

    def middleware(request):
        step = twofactor.pending_step(request) if request.user.is_authenticated else None
        if step is not None and not _open_before_second_factor(request):
            target = reverse("accounts:verify" if step == "verify" else "accounts:enrol")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return get_response(request)

    return middleware


def _open_before_second_factor(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in OPEN_BEFORE_SECOND_FACTOR or match.namespace == "api"
