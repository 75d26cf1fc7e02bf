"""Middleware of the project's own."""

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from lagesbild.web import views

NUL = "\x00"


def _fields_with_nul(request) -> list[str]:
    """The names of the query, form and top-level JSON fields whose value holds a NUL."""
    names = [k for k, values in request.GET.lists() if any(NUL in v for v in [k, *values])]
    content_type = request.content_type or ""
    if request.method == "POST" and content_type.startswith("application/json"):
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return names  # not JSON at all: the API's own parser refuses it
        if isinstance(body, dict):
            names += [k for k, v in body.items() if _holds_nul(k) or _holds_nul(v)]
    elif request.method == "POST":
        names += [k for k, values in request.POST.lists() if any(NUL in v for v in [k, *values])]
    return names


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RefuseNulCharacters:
    """Refuse any request with a NUL character in a parameter, before a view sees it.

    PostgreSQL cannot store or even compare text that holds a NUL (it raises instead), and
    no field of ours has a use for one; SQLite would store it silently. Refusing it here
    makes the answer the same on both databases and for every parameter, present and future:
    400 with the error page, or 422 with the API's {"errors": {field: [...]}}.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = _fields_with_nul(request)
        if not names:
            return self.get_response(request)
        message = _("Texten innehåller ett otillåtet tecken (NUL).")
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": {name: [message] for name in names}}, status=422)
        return views.bad_request(request, explanation=message)


class RefuseOversizedRequests:
    """Refuse a request whose declared body is larger than the largest upload we accept
    (`MAX_REQUEST_BYTES`), from its Content-Length alone: the body is never read, so a 2 GB
    upload costs neither the time to receive it nor the disk to spool it. Placed before
    anything that reads request.POST (the NUL check, the CSRF check)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= settings.MAX_REQUEST_BYTES:
            return self.get_response(request)
        message = _("Filen är för stor: största tillåtna är %(max)s MB.") % {
            "max": settings.MAX_REQUEST_BYTES // (1024 * 1024)
        }
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": {"body": [message]}}, status=413)
        response = views.bad_request(request, explanation=message)
        response.status_code = 413
        return response
