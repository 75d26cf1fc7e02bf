"""Shared API pieces: role checks and turning service errors into 422 answers."""

from django.core.exceptions import ValidationError
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError

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


def schema_errors(exc: SchemaError) -> dict:
    """A request that does not fit the schema, in the same shape as the services' errors:
    {"errors": {field: [messages]}} (pydantic's messages are English; our own validators'
    are Swedish)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        fields = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        name = fields[-1] if fields and fields[-1] != "payload" else "__all__"
        cause = error.get("ctx", {}).get("error")
        errors.setdefault(name, []).append(str(cause) if cause else error.get("msg", ""))
    return {"errors": errors}


class ErrorsOut(Schema):
    """Why a request was refused, per field ("__all__" when no one field is to blame)."""

    errors: dict[str, list[str]]


class MessageOut(Schema):
    detail: str
