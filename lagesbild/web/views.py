"""The start page and the error pages."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from lagesbild.incidents import queries as incident_queries
from lagesbild.partnerships.access import Role, has_role, member_required


@member_required(Role.REPORTER)
def home(request):
    membership = request.membership
    context = {"nav": "home"}
    if has_role(membership, Role.MEMBER):
        context["summary"] = incident_queries.home_summary(membership)
    else:
        context["my_recent"] = incident_queries.filter_incidents(membership, {})[:5]
    return render(request, "web/home.html", context)


def favicon(request):
    """Browsers and tools that ignore the page's icon links ask for /favicon.ico."""
    return redirect(static("favicon.ico"), permanent=True)


def _error(request, status: int, heading: str, explanation: str):
    return render(
        request,
        "web/error.html",
        {"heading": heading, "explanation": explanation},
        status=status,
    )


def bad_request(request, exception=None):
    return _error(request, 400, _("Felaktig begäran"), _("Begäran kunde inte tolkas."))


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        _("Du saknar behörighet"),
        _("Din roll i samverkan ger inte tillgång till den här sidan."),
    )


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Sidan finns inte"),
        _("Sidan eller uppgiften finns inte, eller så har du inte tillgång till den."),
    )


def server_error(request):
    return render(request, "web/500.html", status=500)
