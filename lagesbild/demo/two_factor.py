"""Authenticator apps for the demo's coordinator, analyst and administrator, who must log in
with two factors like everyone in those roles.

A newcomer without an authenticator app still gets in: the secrets are kept in
var/demo_two_factor.json (beside the demo passwords) and `manage.py demo_code` prints the code
an app would show now. Only accounts listed in that file have codes printed.
"""

import json
from base64 import b32encode

from django.conf import settings
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.accounts.policy import is_privileged


def secrets_file():
    return settings.VAR_DIR / "demo_two_factor.json"


def stored_secrets() -> dict[str, str]:
    path = secrets_file()
    return json.loads(path.read_text()) if path.exists() else {}


def enrol_demo_apps(usernames) -> dict[str, str]:
    """Give each privileged account among `usernames` an app unless it has one; return
    {username: base32 secret} of the demo's apps (kept from earlier runs)."""
    known = stored_secrets()
    users = get_user_model().objects.filter(username__in=list(usernames))
    for user in users:
        if not is_privileged(user):
            continue
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        device = TOTPDevice.objects.create(user=user, name="Demo", confirmed=True)
        known[user.username] = b32encode(device.bin_key).decode()
    if known:
        path = secrets_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known, indent=2))
        path.chmod(0o600)
    return known


def current_code(username: str) -> str | None:
    """The code the demo account's app shows now, or None if it is not a demo app."""
    if username not in stored_secrets():
        return None
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        return None
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"
