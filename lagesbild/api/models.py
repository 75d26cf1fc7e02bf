"""API tokens: a token acts as one membership (user, partnership and role), within its scope
and until it expires or is revoked."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def default_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the raw token is shown once
    (a token is 32 random bytes, so a fast hash is enough: there is nothing to guess)."""

    class Scope(models.TextChoices):
        READ = "read", _("Läsa")
        READ_WRITE = "read_write", _("Läsa och skriva")

    membership = models.ForeignKey(
        "partnerships.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("namn"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    scope = models.CharField(
        _("behörighet"), max_length=12, choices=Scope.choices, default=Scope.READ
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("giltig till"), default=default_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("återkallad"), default=False)
    revoked_at = models.DateTimeField(_("återkallad den"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def usable(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()

    @classmethod
    def issue(
        cls, membership, name: str, *, scope: str = Scope.READ, expires_at=None
    ) -> tuple["ApiToken", str]:
        raw = "lb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership,
            name=name,
            key_hash=hash_token(raw),
            prefix=raw[:8],
            scope=scope,
            expires_at=expires_at or default_expiry(),
        )
        return token, raw
