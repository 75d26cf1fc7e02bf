"""Shared API pieces: role checks and turning service errors into 422 answers."""

from django.core.exceptions import ValidationError
from ninja.errors import HttpError

from lagesbild.partnerships.access import has_role
from lagesbild.partnerships.middleware import activate_partnership_zone


def require_role(request, role: str):
    """The caller's membership, or 403 when the role is too low. Times in and out are then
    in the partnership's time zone, for token callers as for the browser."""
    membership = getattr(request, "membership", None)
    if not has_role(membership, role):
        raise HttpError(403, "Din roll ger inte tillgång till detta.")
    activate_partnership_zone(membership)
    return membership


def validation_errors(exc: ValidationError) -> dict:
    """{"errors": {field: [messages]}} with "__all__" for errors not tied to a field."""
    if hasattr(exc, "error_dict"):
        return {"errors": exc.message_dict}
    return {"errors": {"__all__": exc.messages}}
