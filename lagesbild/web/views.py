"""The start page and the error pages."""

import json
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from lagesbild.incidents import queries as incident_queries
from lagesbild.partnerships import queries as partnership_queries
from lagesbild.partnerships.access import Role, current_membership, has_role, member_required
from lagesbild.web import installable
from lagesbild.web.errors import NotYet


def home(request):
    """The start page: a member's own, or, for an administrator of the installation who is
    member of no partnership, the installation's, which leads to their work instead of a
    refusal."""
    user = request.user
    if user.is_authenticated and user.is_staff and current_membership(request) is None:
        return render(
            request,
            "web/installation.html",
            {"nav": "home", "partnerships": partnership_queries.installation_overview()},
        )
    membership = current_membership(request)
    if membership is not None and membership.role == Role.GUEST:
        return redirect("guests:start")  # a guest's start page is their own
    return _member_home(request)


@member_required(Role.REPORTER)
def _member_home(request):
    membership = request.membership
    context = {"nav": "home"}
    if has_role(membership, Role.MEMBER):
        context["summary"] = incident_queries.home_summary(membership)
    else:
        context["my_recent"] = incident_queries.filter_incidents(membership, {})[:5]
    return render(request, "web/home.html", context)


@cache_control(no_cache=True)
def service_worker(request):
    """The reporting form's service worker, at the root so that its scope may cover the
    form; no-cache, so that the browser sees a new release at the next visit."""
    # Without the request: the context processors would read the membership, and the
    # browser asks for this script again after every navigation to the form.
    script = render_to_string(
        "web/service-worker.js", {"config": json.dumps(installable.service_worker_settings())}
    )
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")


def web_manifest(request):
    """The web app manifest that makes the reporting form installable on a phone."""
    return JsonResponse(
        installable.web_manifest(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def favicon(request):
    """Browsers and tools that ignore the page's icon links ask for /favicon.ico."""
    return redirect(static("favicon.ico"), permanent=True)


def _error(request, status: int, heading: str, explanation: str, link=None):
    return render(
        request,
        "web/error.html",
        {"heading": heading, "explanation": explanation, "link": link},
        status=status,
    )


def bad_request(request, exception=None, explanation=None):
    return _error(
        request, 400, _("Felaktig begäran"), explanation or _("Begäran kunde inte tolkas.")
    )


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        _("Du saknar behörighet"),
        _("Din roll i samverkan ger inte tillgång till den här sidan."),
    )


def page_not_found(request, exception=None):
    if isinstance(exception, NotYet):
        link = {"url": exception.link_url, "label": exception.link_label}
        return _error(request, 404, exception.heading, exception.explanation, link)
    return _error(
        request,
        404,
        _("Sidan finns inte"),
        _("Sidan eller uppgiften finns inte, eller så har du inte tillgång till den."),
    )


# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """The last resort: rendered without the request, so without the context processors,
    which read the database (the membership in the navigation). An unreachable database is
    a 503 the client may retry, not a 500."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return service_unavailable(request)
    return HttpResponse(render_to_string("web/500.html"), status=500)


def service_unavailable(request):
    """503 with Retry-After: a static Swedish page, or JSON for the API."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"errors": {"__all__": ["Tjänsten är tillfälligt otillgänglig. Försök igen snart."]}},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("web/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
