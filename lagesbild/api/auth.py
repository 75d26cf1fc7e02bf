"""API authentication: the browser session or a bearer token, both ending in a membership.

A token's scope is enforced here, once for every endpoint: a read token may only read
(GET, HEAD, OPTIONS); anything else is answered 403 before the endpoint runs.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from lagesbild.accounts.twofactor import fully_authenticated
from lagesbild.api.models import ApiToken, hash_token
from lagesbild.partnerships.access import current_membership

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related(
                "membership__user", "membership__partnership", "membership__organisation"
            )
            .filter(
                key_hash=hash_token(token),
                revoked=False,
                expires_at__gt=timezone.now(),
                # The same rule as memberships_of() for logged-in users.
                membership__active=True,
                membership__organisation__active=True,
            )
            .first()
        )
        if found is None:
            return None
        if found.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise HttpError(403, _("API-nyckeln får bara läsa. Skapa en nyckel som får skriva."))
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.membership.user
        request._membership = found.membership
        request.membership = found.membership
        return found.membership


class SessionAuth(APIKeyCookie):
    """Logged-in browser users (with their second factor where one is owed); CSRF is checked
    for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if not fully_authenticated(request):
            return None
        membership = current_membership(request)
        request.membership = membership
        return membership


def docs_login_required(view):
    """The API description and its docs page are for callers who may use the API: a logged-in
    session or a bearer token. They hold no partnership data, but there is no reason to hand
    an outsider the map of what can be called."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if fully_authenticated(request) or TokenAuth()(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": _("Logga in eller ange en API-nyckel.")}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper
