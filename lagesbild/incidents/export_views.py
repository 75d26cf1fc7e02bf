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
    refused = refuse_too_many_for_excel(request, fmt, count, reverse("incidents:list"))
    if refused is not None:
        return refused
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
    return file_response(fmt, table, name)


def refuse_too_many_for_excel(request, fmt: str, count: int, list_url: str):
    """Every list's rule for its Excel file: a selection of more rows than a sheet holds is
    refused before anything is written or audited, with a message on the list (its filters
    kept) that says what to do instead; None when the file may be made."""
    if fmt != "xlsx" or count <= exports.XLSX_MAX_ROWS:
        return None
    messages.error(
        request,
        _(
            "Urvalet har %(count)s rader, fler än ett Excel-blad rymmer "
            "(%(max)s). Filtrera mer eller ladda ner CSV."
        )
        % {"count": intcomma(count), "max": intcomma(exports.XLSX_MAX_ROWS)},
    )
    return redirect(f"{list_url}?{request.GET.urlencode()}")


def file_response(fmt: str, table, name: str, layout: exports.Layout = exports.INCIDENTS):
    """The download of a list's rows: Excel as one file, CSV and GeoJSON streamed."""
    content_type = DOWNLOADS[fmt].content_type
    if fmt == "xlsx":
        return FileResponse(
            exports.xlsx_file(table, layout),
            as_attachment=True,
            filename=name,
            content_type=content_type,
        )
    chunks = exports.csv_chunks(table, layout) if fmt == "csv" else exports.geojson_chunks(table)
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
