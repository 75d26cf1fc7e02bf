"""Access: a user's own data as one JSON document (the register extract a person may ask
for): their account, memberships, second factor and API tokens (never secrets), the incidents
they reported, with their own text, and the audit entries of what they did."""

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.api.models import ApiToken
from lagesbild.audit.models import Entry
from lagesbild.audit.record import record
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.partnerships.models import Membership

FORMAT_VERSION = 1


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _account(user) -> dict:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "active": user.is_active,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
    }


def _memberships(user) -> list[dict]:
    rows = Membership.objects.filter(user=user).select_related("partnership", "organisation")
    return [
        {
            "partnership": m.partnership.name,
            "organisation": m.organisation.name,
            "role": m.role,
            "active": m.active,
            "created_at": _when(m.created_at),
        }
        for m in rows.order_by("pk")
    ]


def _second_factor(user) -> dict:
    return {
        "authenticator_apps": TOTPDevice.objects.filter(user=user, confirmed=True).count(),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user).count(),
    }


def _tokens(user) -> list[dict]:
    rows = ApiToken.objects.filter(membership__user=user).select_related("membership__partnership")
    return [
        {
            "name": t.name,
            "starts_with": t.prefix,
            "partnership": t.membership.partnership.name,
            "scope": t.scope,
            "created_at": _when(t.created_at),
            "expires_at": _when(t.expires_at),
            "last_used_at": _when(t.last_used_at),
            "revoked": t.revoked,
        }
        for t in rows.order_by("pk")
    ]


def _incidents(user) -> list[dict]:
    """The reports they filed. Their history says what happened to each report and when,
    not who else handled it (that is someone else's data)."""
    rows = (
        Incident.objects.filter(reporter=user)
        .select_related("partnership", "category", "area", "place", "organisation")
        .prefetch_related("changes")
        .order_by("pk")
    )
    return [
        {
            "number": i.pk,
            "partnership": i.partnership.name,
            "occurred_at": _when(i.occurred_at),
            "week": weeks.iso(i.iso_week),
            "reported_at": _when(i.reported_at),
            "organisation": i.organisation.name if i.organisation else None,
            "category": i.category.name,
            "severity": i.severity,
            "area": i.area.name,
            "place": i.place.name if i.place else None,
            "lon": i.lon,
            "lat": i.lat,
            "description": i.description,
            "source": i.source,
            "external_id": i.external_id,
            "status": i.status,
            "rejection_reason": i.rejection_reason,
            "visibility": i.visibility,
            "history": [{"at": _when(c.at), "action": c.action} for c in i.changes.all()],
        }
        for i in rows
    ]


def _audit_entries(user) -> list[dict]:
    rows = Entry.objects.filter(actor=user).select_related("partnership").order_by("at", "pk")
    return [
        {
            "at": _when(e.at),
            "action": e.action,
            "partnership": e.partnership.name if e.partnership else None,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "summary": e.summary,
            "details": e.details,
            "ip_address": e.ip_address,
            "user_agent": e.user_agent,
        }
        for e in rows.iterator(chunk_size=2000)
    ]


@transaction.atomic
def user_extract(*, user, request=None, via: str = "web") -> dict:
    """Everything above about `user`, as one JSON-ready dict. The extract is audited (`via`
    says how: the account page, or an administrator's command for someone who cannot log
    in); the entry is written first, so the extract lists itself."""
    record(actor=user, action="account.data_extract", request=request, via=via)
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "account": _account(user),
        "memberships": _memberships(user),
        "second_factor": _second_factor(user),
        "api_tokens": _tokens(user),
        "incidents": _incidents(user),
        "audit_entries": _audit_entries(user),
    }
