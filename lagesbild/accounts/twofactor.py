"""Two-factor authentication with django-otp: an authenticator app (TOTP) and one-time
recovery codes.

A session is *verified* once a code from one of the user's devices was accepted in it. A user
with a device must verify every session; a privileged user without one must enrol first
(`policy.is_privileged`); everyone else may enrol when they like.
"""

from django_otp import user_has_device

from lagesbild.accounts.policy import privileged

RECOVERY_CODES = 10


def verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def pending_step(request) -> str | None:
    """What a logged-in session still owes before it may see anything: "verify" (enter a
    code), "enrol" (set up an app first) or None."""
    if not request.user.is_authenticated or verified(request):
        return None
    if user_has_device(request.user):
        return "verify"
    if privileged(request):
        return "enrol"
    return None


def fully_authenticated(request) -> bool:
    """Logged in, with the second factor where one is owed (for the API's session login)."""
    return request.user.is_authenticated and pending_step(request) is None
