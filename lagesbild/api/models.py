"""API tokens: a token acts as one membership (user, partnership and role)."""

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the raw token is shown once."""

    membership = models.ForeignKey(
        "partnerships.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("namn"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("återkallad"), default=False)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, membership, name: str) -> tuple["ApiToken", str]:
        raw = "lb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership, name=name, key_hash=hash_token(raw), prefix=raw[:8]
        )
        return token, raw
