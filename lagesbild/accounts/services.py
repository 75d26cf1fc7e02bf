"""Writes on accounts: the second factor (enrol, verify, recovery codes, reset) and unlocking
a locked-out login. Keyword-only, one transaction each, audited.

Events about a person rather than a partnership (their login, their second factor) are
written once for every partnership the person belongs to, so each partnership's trail is
complete on its own; a user name that belongs to no one is written without a partnership
(the administrators read those in the admin).
"""

from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.accounts.twofactor import RECOVERY_CODES
from lagesbild.audit.record import record
from lagesbild.partnerships.models import Membership

APP_DEVICE_NAME = "Autentiseringsapp"


def record_for_user(user, *, action: str, actor=None, request=None, summary="", **details):
    """One audit entry per partnership `user` belongs to (one without a partnership if none,
    or if `user` is None because the name belongs to no account)."""
    partnerships = (
        {m.partnership for m in Membership.objects.filter(user=user).select_related("partnership")}
        if user is not None
        else set()
    )
    for partnership in partnerships or [None]:
        record(
            actor=actor,
            action=action,
            partnership=partnership,
            obj=user,
            summary=summary or (user.get_username() if user is not None else ""),
            request=request,
            **details,
        )


# --- the second factor -------------------------------------------------------------------------


def pending_app(user) -> TOTPDevice:
    """The user's authenticator app being set up: the same secret on every visit until it is
    confirmed, so a reloaded page does not invalidate what was already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Reservkoder"))
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_app(*, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app being set up with a code it shows: it replaces any earlier app, the
    session counts as verified and new recovery codes are made and returned (shown once)."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(_normalise(code)):
        raise ValidationError(
            {"code": _("Koden stämmer inte. Skriv de sex siffror appen visar nu.")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    record_for_user(user, action="two_factor.enrol", actor=user, request=request)
    return codes


@transaction.atomic
def new_recovery_codes(*, request) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working)."""
    codes = _new_recovery_codes(request.user)
    record_for_user(
        request.user, action="two_factor.recovery_codes", actor=request.user, request=request
    )
    return codes


def verify(*, request, code: str) -> None:
    """Accept a code from the app (six digits) or a recovery code for this session, or raise
    ValidationError. Each device slows down after wrong codes (1, 2, 4 … seconds)."""
    user = request.user
    code = _normalise(code)
    model = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        devices = [d for d in devices_for_user(user, for_verify=True) if isinstance(d, model)]
        if any(not d.verify_is_allowed()[0] for d in devices):
            raise ValidationError(
                {"code": _("För många felaktiga koder i rad. Vänta en halv minut och försök igen.")}
            )
        device = next((d for d in devices if d.verify_token(code)), None)
    if device is None:
        record_for_user(user, action="login.code_failed", request=request)
        raise ValidationError({"code": _("Koden stämmer inte.")})
    otp_login(request, device)
    if model is StaticDevice:
        left = StaticToken.objects.filter(device__user=user).count()
        record_for_user(user, action="login.recovery_code", actor=user, request=request, left=left)


@transaction.atomic
def remove_second_factor(*, actor, user, request=None, member: Membership | None = None) -> None:
    """Remove the user's app and recovery codes: by the user (when their role does not
    require two factors) or for a member who lost their phone, by a coordinator (`member`)
    or an administrator. A required user must enrol again at their next login."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    if member is not None:
        record(
            actor=actor,
            action="two_factor.reset",
            obj=member,
            summary=user.get_username(),
            request=request,
        )
    else:
        record_for_user(user, action="two_factor.reset", actor=actor, request=request)


# --- lockout -----------------------------------------------------------------------------------


def locked_usernames(usernames) -> set[str]:
    """Which of `usernames` are locked out now (from at least one address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


@transaction.atomic
def unlock(*, actor, user, request=None, member: Membership | None = None) -> int:
    """Forget the user's failed logins from every address, so they can log in at once."""
    count = axes_reset(username=user.get_username())
    if member is not None:
        record(
            actor=actor,
            action="login.unlock",
            obj=member,
            summary=user.get_username(),
            request=request,
        )
    else:
        record_for_user(user, action="login.unlock", actor=actor, request=request)
    return count


def user_named(username: str):
    return get_user_model().objects.filter(username=username).first()


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME / timedelta(minutes=1))
