"""Partnership pages: switching partnership and the coordinator's administration overview."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lagesbild.geography.queries import areas, places
from lagesbild.incidents.queries import categories
from lagesbild.partnerships.access import Role, member_required, scoped, switch_partnership
from lagesbild.partnerships.models import Membership, Organisation


@require_POST
@member_required(Role.REPORTER)
def switch(request):
    switch_partnership(request, request.POST.get("partnership"))
    return redirect("home")


@member_required(Role.COORDINATOR)
def manage(request):
    membership = request.membership
    return render(
        request,
        "partnerships/manage.html",
        {
            "nav": "manage",
            "areas": areas(membership, active_only=False).select_related("parent"),
            "places": places(membership, active_only=False),
            "categories": categories(membership, active_only=False).select_related("parent"),
            "organisations": scoped(Organisation.objects.all(), membership),
            "members": scoped(
                Membership.objects.select_related("user", "organisation"), membership
            ),
        },
    )
