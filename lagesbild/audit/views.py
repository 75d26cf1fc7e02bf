"""The partnership's audit trail, readable by coordinators and never editable in the app."""

from django.core.paginator import Paginator
from django.shortcuts import render

from lagesbild.audit.models import Entry
from lagesbild.partnerships.access import Role, member_required, scoped


@member_required(Role.COORDINATOR)
def trail(request):
    entries = scoped(Entry.objects.select_related("actor"), request.membership)
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"nav": "manage", "page": page, "action": action})
