"""Issuing and revoking API tokens: by their owner in the app or on the command line, revoked
also by the partnership's coordinators. Audited."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.api.models import ApiToken
from lagesbild.audit.record import record


@transaction.atomic
def issue_token(
    *, actor, membership, name: str, scope: str, days: int, request=None
) -> tuple[ApiToken, str]:
    """A new token acting as `membership`, valid for `days` days; the raw token is returned
    once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv vad nyckeln ska användas till.")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Välj läsa eller läsa och skriva.")})
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        message = _("En nyckel gäller mellan 1 och %(max)s dagar.")
        raise ValidationError({"days": message % {"max": settings.API_TOKEN_MAX_DAYS}})
    token, raw = ApiToken.issue(
        membership, name, scope=scope, expires_at=timezone.now() + timedelta(days=days)
    )
    record(
        actor=actor,
        action="api_token.create",
        obj=token,
        partnership=membership.partnership,
        summary=name,
        request=request,
        scope=scope,
        expires_at=token.expires_at.isoformat(),
        member=membership.user.get_username(),
    )
    return token, raw


@transaction.atomic
def revoke_token(*, actor, token: ApiToken, request=None) -> ApiToken:
    """Stop a token from working (it stays listed as revoked)."""
    if not token.revoked:
        token.revoked, token.revoked_at = True, timezone.now()
        token.save(update_fields=["revoked", "revoked_at"])
        record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            partnership=token.membership.partnership,
            summary=token.name,
            request=request,
        )
    return token
