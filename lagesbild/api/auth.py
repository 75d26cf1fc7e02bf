"""API authentication: the browser session or a bearer token, both ending in a membership."""

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from lagesbild.api.models import ApiToken, hash_token
from lagesbild.partnerships.access import current_membership


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related(
                "membership__user", "membership__partnership", "membership__organisation"
            )
            .filter(
                key_hash=hash_token(token),
                revoked=False,
                # The same rule as memberships_of() for logged-in users.
                membership__active=True,
                membership__organisation__active=True,
            )
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.membership.user
        request._membership = found.membership
        request.membership = found.membership
        return found.membership


class SessionAuth(APIKeyCookie):
    """Logged-in browser users; CSRF is checked for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        membership = current_membership(request)
        request.membership = membership
        return membership
