"""Pages of the police's public notices: the list and its CSV and Excel files, the map
layer's data and the coordinator's choice of category per event type."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lagesbild.audit.record import record
from lagesbild.incidents import exports as incident_exports
from lagesbild.incidents.export_views import file_response, refuse_too_many_for_excel
from lagesbild.incidents.queries import categories
from lagesbild.partnerships.access import Role, has_role, member_required
from lagesbild.policeevents import exports, queries, services
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
    return _list_page(request, form, filters)


def _list_page(request, form, filters, status: int = 200):
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
        status=status,
    )


@require_GET
@never_cache
@member_required(Role.MEMBER)
def export(request, fmt: str):
    """The filtered list as CSV or Excel, streamed, audited with its filters and rows. A
    refused filter gives the list with its message (400), no file; so does (with a redirect)
    a selection larger than an Excel sheet holds, as for the incident list."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, filters = _filtered(request)
    if form.is_bound and not form.is_valid():
        return _list_page(request, form, filters, status=400)
    membership = request.membership
    queryset = queries.filter_events(membership, filters)
    count = queryset.count()
    refused = refuse_too_many_for_excel(request, fmt, count, reverse("policeevents:list"))
    if refused is not None:
        return refused
    record(
        actor=request.user,
        action="policeevents.export",
        partnership=membership.partnership,
        request=request,
        format=fmt,
        filters={name: value for name, value in request.GET.items() if name in form.fields},
        rows=count,
    )
    table = exports.rows(queryset, membership.partnership.time_zone)
    name = incident_exports.filename(fmt, timezone.localtime(), stem="polisens-notiser")
    return file_response(fmt, table, name, exports.LAYOUT)


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
