"""The one helper that writes the audit trail. Services call it explicitly inside their
transaction, so a write and its audit row are committed together or not at all."""

from typing import Any

from django.db import models

from lagesbild.accounts.client_ip import client_ip
from lagesbild.audit.models import Entry


def client_address(request) -> tuple[str | None, str]:
    """IP address (behind a reverse proxy: the client's) and a shortened user agent of the
    request, for 'from where'."""
    if request is None:
        return None, ""
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:200]


def record(
    *,
    actor,
    action: str,
    partnership=None,
    obj: models.Model | None = None,
    summary: str = "",
    request=None,
    **details: Any,
) -> Entry:
    """Write one audit entry: who (`actor`), what (`action`, `obj`, `details`), when (now)
    and from where (`request`'s address)."""
    ip, agent = client_address(request)
    if partnership is None and obj is not None:
        partnership = getattr(obj, "partnership", None)
    return Entry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        partnership=partnership,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        details=details,
        ip_address=ip,
        user_agent=agent,
    )
