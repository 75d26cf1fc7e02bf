"""Pages of the police's public notices: the list, the map layer's data and the coordinator's
choice of category per event type."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lagesbild.incidents.queries import categories
from lagesbild.partnerships.access import Role, has_role, member_required
from lagesbild.policeevents import queries, services
from lagesbild.policeevents.forms import FilterForm, TypeCategoryForm

PAGE_SIZE = 50


def _filtered(request):
    """The filter form and its cleaned values; an invalid filter is dropped (with its message
    on the form), never a 500."""
    form = FilterForm(request.GET or None, membership=request.membership)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@member_required(Role.MEMBER)
def event_list(request):
    form, filters = _filtered(request)
    qs = queries.filter_events(request.membership, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "policeevents/list.html",
        {
            "nav": "police",
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "at_municipality": qs.filter(area=None).count(),
            "coverage": queries.coverage(request.membership),
            "query": query.urlencode(),
            "can_map_types": has_role(request.membership, Role.COORDINATOR),
        },
    )


@member_required(Role.MEMBER)
def map_groups(request):
    _form, filters = _filtered(request)
    qs = queries.filter_events(request.membership, filters)
    groups = queries.map_groups(request.membership, qs)
    list_url = reverse("policeevents:list")
    for group in groups:
        group["url"] = f"{list_url}?area={group['area']}"
    return JsonResponse({"groups": groups, "total": sum(g["count"] for g in groups)})


@member_required(Role.COORDINATOR)
def types(request):
    """Every event type of the partnership's notices with its category, one small form per
    type; a refused choice shows its message and changes nothing."""
    membership = request.membership
    errors, status = None, 200
    if request.method == "POST":
        form = TypeCategoryForm(request.POST, membership=membership)
        if form.is_valid():
            mapping = services.set_type_category(
                membership=membership,
                event_type=form.cleaned_data["event_type"],
                category=form.cleaned_data["category"],
                request=request,
            )
            messages.success(request, _("Kategorin för %(t)s är sparad.") % {"t": mapping})
            return redirect("policeevents:types")
        errors, status = form.errors, 400
    context = {
        "nav": "police",
        "rows": queries.type_categories(membership),
        "categories": list(categories(membership).order_by("sort_order")),
        "errors": errors,
    }
    return render(request, "policeevents/types.html", context, status=status)
