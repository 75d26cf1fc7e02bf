"""Downloads of the situation picture: PDF, Excel and GIS files of the week's live draft or of
an approved version, and PDF and Excel files of a periodic picture (quarter, tertial, year)
likewise.

Who may export is who may read the picture: members and up, reporters only where the
partnership lets reporters see it; the Excel file's incidents are further limited to what the
reader's role may see. Every export is written to the audit trail.
"""

from dataclasses import replace

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lagesbild.audit.record import record
from lagesbild.incidents import coverage, weeks
from lagesbild.partnerships.access import Role, member_required
from lagesbild.pictures import periodic, runs, services
from lagesbild.pictures.exports import periodic_excel
from lagesbild.pictures.exports.edition import Edition
from lagesbild.pictures.exports.formats import FORMATS, Format
from lagesbild.pictures.views import period_or_404, require_picture_access, week_or_404


def _periodic_pdf(edition: Edition) -> bytes:
    # Loaded on the first PDF, as the weekly one is (formats._pdf): ReportLab is slow to import.
    from lagesbild.pictures.exports import periodic_pdf

    return periodic_pdf.build(edition)


# A periodic picture has other figures than the week's, so only how its files are built
# differs; type, extension and file name are the weekly formats'.
PERIODIC_FORMATS = {
    "pdf": replace(FORMATS["pdf"], build=_periodic_pdf),
    "xlsx": replace(FORMATS["xlsx"], build=periodic_excel.build),
}


def _format(fmt: str, formats: dict[str, Format] = FORMATS) -> Format:
    try:
        return formats[fmt]
    except KeyError as exc:
        raise Http404 from exc


@require_GET
@never_cache
@member_required(Role.REPORTER)
def export_week(request, iso: str, fmt: str):
    """The live draft of the week, from the newest finished analysis run (the one the page
    shows). While the first run computes there is nothing to export: back to the page."""
    require_picture_access(request)
    chosen = _format(fmt)
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    first = coverage.first_week(partnership)
    if first is None or code < first:
        # Before reporting began there is no picture to hand over; the page says why.
        return redirect("pictures:week", iso=weeks.iso(code))
    run = runs.latest_run(partnership, weeks.iso(code))
    if run is None:
        runs.request_run(partnership, weeks.iso(code))
        messages.info(request, _("Lägesbilden beräknas. Exportera när beräkningen är klar."))
        return redirect("pictures:week", iso=weeks.iso(code))
    content = services.assemble(partnership, code, run)
    return _download(request, Edition(content, request.membership), fmt, chosen)


@require_GET
@never_cache
@member_required(Role.REPORTER)
def export_version(request, iso: str, version: int, fmt: str):
    """An approved version exactly as it was approved."""
    require_picture_access(request)
    chosen = _format(fmt)
    period = weeks.iso(week_or_404(request, iso))
    picture = services.approved_version(request.membership, period, version)
    return _download(request, Edition(picture.content, request.membership, picture), fmt, chosen)


@require_GET
@never_cache
@member_required(Role.REPORTER)
def export_period(request, period: str, fmt: str):
    """The live draft of a quarter, tertial or year as the period page shows it."""
    require_picture_access(request)
    chosen = _format(fmt, PERIODIC_FORMATS)
    content = periodic.compute_period(
        request.membership.partnership, period_or_404(request, period), with_incident_ids=False
    )
    return _download(request, Edition(content, request.membership), fmt, chosen)


@require_GET
@never_cache
@member_required(Role.REPORTER)
def export_period_version(request, period: str, version: int, fmt: str):
    """An approved periodic version exactly as it was approved."""
    require_picture_access(request)
    chosen = _format(fmt, PERIODIC_FORMATS)
    picture = services.approved_version(
        request.membership, str(period_or_404(request, period)), version
    )
    edition = Edition(picture.content, request.membership, picture)
    return _download(request, edition, fmt, chosen)


def _download(request, edition: Edition, fmt: str, chosen: Format) -> HttpResponse:
    data = chosen.build(edition)
    version = edition.picture.version if edition.picture else None
    record(
        actor=request.user,
        action="picture.export",
        partnership=request.membership.partnership,
        obj=edition.picture,
        summary=f"{edition.period} {fmt}" + (f" v{version}" if version else ""),
        request=request,
        format=fmt,
        period=edition.period,
        version=version,
    )
    response = HttpResponse(data, content_type=chosen.content_type)
    filename = edition.filename(chosen.extension, chosen.variant)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("vecka/<str:iso>/export/<str:fmt>/", export_week, name="export"),
    path(
        "vecka/<str:iso>/version/<int:version>/export/<str:fmt>/",
        export_version,
        name="export_version",
    ),
    path("period/<str:period>/export/<str:fmt>/", export_period, name="period_export"),
    path(
        "period/<str:period>/version/<int:version>/export/<str:fmt>/",
        export_period_version,
        name="period_export_version",
    ),
]
