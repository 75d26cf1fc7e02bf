"""Downloads of the incident list with its filters: CSV, Excel and GeoJSON (exports.py).

Members and up may export (a reporter's list is their own reports, which they read on the
page); each download is written to the audit trail with its filters and number of rows.
The partnership's small-count rule ("<n") is about counts; these files hold single events
and places, as the situation picture's Excel file does, so it has nothing to hide here.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lagesbild.audit.record import record
from lagesbild.incidents import exports, queries
from lagesbild.incidents.forms import FilterForm
from lagesbild.incidents.views import incident_list
from lagesbild.partnerships.access import Role, member_required


@dataclass(frozen=True)
class Download:
    extension: str
    content_type: str


DOWNLOADS = {
    "csv": Download("csv", "text/csv; charset=utf-8"),
    "xlsx": Download("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "geojson": Download("geojson", "application/geo+json"),
}


@require_GET
@never_cache
@member_required(Role.MEMBER)
def export_incidents(request, fmt: str):
    download = DOWNLOADS.get(fmt)
    if download is None:
        raise Http404
    membership = request.membership
    form = FilterForm(request.GET or None, membership=membership)
    if form.is_bound and not form.is_valid():
        return incident_list(request)  # the list with the filters' messages, 400
    queryset = queries.filter_incidents(membership, form.cleaned_data if form.is_bound else {})
    count = queryset.count()
    if fmt == "xlsx" and count > exports.XLSX_MAX_ROWS:
        messages.error(
            request,
            _(
                "Urvalet har %(count)s händelser, fler än ett Excel-blad rymmer "
                "(%(max)s). Filtrera mer eller ladda ner CSV."
            )
            % {"count": intcomma(count), "max": intcomma(exports.XLSX_MAX_ROWS)},
        )
        return redirect(f"{reverse('incidents:list')}?{request.GET.urlencode()}")
    record(
        actor=request.user,
        action="incident.export",
        partnership=membership.partnership,
        request=request,
        format=fmt,
        filters={name: value for name, value in request.GET.items() if name in form.fields},
        rows=count,
    )
    table = exports.rows(queryset, membership.partnership.time_zone)
    name = exports.filename(download.extension, timezone.localtime())
    if fmt == "xlsx":
        return FileResponse(
            exports.xlsx_file(table),
            as_attachment=True,
            filename=name,
            content_type=download.content_type,
        )
    chunks = exports.csv_chunks(table) if fmt == "csv" else exports.geojson_chunks(table)
    response = StreamingHttpResponse(chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
