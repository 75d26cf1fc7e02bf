"""The history import wizard (coordinators, under Administrera): upload, columns with a
preview of the first rows as they will be stored, categories, the dry run with its error
list, and the import with a progress bar. Thin: parse, call import_jobs, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lagesbild.incidents import import_jobs, imports
from lagesbild.incidents.import_forms import (
    CategoriesForm,
    ColumnsForm,
    HistoryUploadForm,
    ImportForm,
)
from lagesbild.incidents.importers.tabular import ImportFormatError
from lagesbild.incidents.models import Category, ImportJob, ImportSource
from lagesbild.operations import health
from lagesbild.partnerships.access import Role, get_for_member, member_required, scoped
from lagesbild.web.htmx import add_service_errors, poll_wait

RECENT_JOBS = 10


def _posted(request):
    # An empty POST is still a POST: its form must be bound, so it is refused, not shown.
    return request.POST if request.method == "POST" else None


def _job(request, pk) -> ImportJob:
    jobs = ImportJob.objects.select_related("source", "partnership", "requested_by")
    return get_for_member(jobs, request.membership, pk)


@member_required(Role.COORDINATOR)
def start(request):
    """Step 1: the file, its source and how its rows are to be reviewed."""
    membership = request.membership
    form = HistoryUploadForm(_posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_jobs.start_job(
                membership=membership,
                upload=data["file"],
                source_name=data["source"],
                review=data["review"],
                accept_warnings=data["accept_warnings"],
                request=request,
            )
        except (ImportFormatError, OSError) as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("incidents:import_columns", pk=job.pk)
    return render(
        request,
        "incidents/import/start.html",
        {
            "nav": "manage",
            "form": form,
            "sources": scoped(ImportSource.objects.all(), membership),
            "jobs": scoped(ImportJob.objects.select_related("source"), membership)[:RECENT_JOBS],
            "max_mb": settings.IMPORT_MAX_FILE_MB,
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
        status=400 if form.errors else 200,
    )


def _file_gone(request):
    messages.error(request, _("Filen finns inte längre kvar. Ladda upp den igen."))
    return redirect("incidents:import_start")


@member_required(Role.COORDINATOR)
def columns(request, pk: int):
    """Step 2: which column holds what, with the first rows as they will be stored."""
    job = _job(request, pk)
    try:
        system = import_jobs.coordinate_system(job)
    except (Http404, OSError):
        return _file_gone(request)
    initial = {**job.source.columns, "coordinate_system": system}
    form = ColumnsForm(_posted(request), headers=job.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            import_jobs.save_columns(
                actor=request.user,
                job=job,
                columns=form.columns(),
                coordinate_system=form.coordinate_system(),
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if "preview" in request.POST:
                return redirect("incidents:import_columns", pk=job.pk)
            return redirect("incidents:import_categories", pk=job.pk)
    preview, problem = [], ""
    if import_jobs.columns_mapped(job) and not form.errors:
        try:
            preview = import_jobs.preview(job, request.membership)
        except (Http404, OSError):
            return _file_gone(request)
        except ImportFormatError as exc:
            problem = str(exc)
    return render(
        request,
        "incidents/import/columns.html",
        {"nav": "manage", "job": job, "form": form, "preview": preview, "problem": problem},
        status=400 if form.errors else 200,
    )


def _checklist(partnership) -> list[tuple[int, str]]:
    ids = set(imports.leaf_categories(partnership).values())
    found = Category.objects.filter(pk__in=ids).select_related("parent")
    return [(c.pk, f"{c.parent.name} – {c.name}" if c.parent else c.name) for c in found]


@member_required(Role.COORDINATOR)
def categories(request, pk: int):
    """Step 3: what the file's category values mean in the checklist; then the dry run."""
    job = _job(request, pk)
    known = imports.leaf_categories(job.partnership)
    try:
        values = import_jobs.category_values(job)
    except (Http404, OSError):
        return _file_gone(request)
    except (ImportFormatError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("incidents:import_columns", pk=job.pk)
    initial = {}
    for index, (value, _count) in enumerate(values):
        initial[f"v{index}"] = job.source.categories.get(value.lower(), known.get(value.lower()))
    form = CategoriesForm(
        _posted(request),
        values=values,
        categories=_checklist(job.partnership),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_jobs.save_categories(
                actor=request.user, job=job, mapping=form.mapping(), request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("incidents:import_job", pk=job.pk)
    return render(
        request,
        "incidents/import/categories.html",
        {"nav": "manage", "job": job, "form": form},
        status=400 if form.errors else 200,
    )


def _poll(job: ImportJob, waited: int | None = None) -> dict:
    """The progress line; it asks again later each time, as the picture's status line does,
    and says so when no background worker is alive to run the job."""
    worker_missing = health.worker_missing()
    total = job.checked.get("rows") if job.status != ImportJob.Status.CHECKING else None
    return {
        "job": job,
        "wait": poll_wait(waited, worker_missing=worker_missing),
        "worker_missing": worker_missing,
        "done": import_jobs.progress(job),
        "total": total,
    }


@member_required(Role.COORDINATOR)
def job_page(request, pk: int):
    """Step 4: the dry run's outcome and the import button; then the import's progress and
    outcome."""
    job = _job(request, pk)
    form = ImportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            import_jobs.request_import(
                actor=request.user,
                job=job,
                skip_invalid=form.cleaned_data["skip_invalid"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("incidents:import_job", pk=job.pk)
    return render(
        request,
        "incidents/import/job.html",
        {
            "nav": "manage",
            "job": job,
            "form": form,
            "poll": _poll(job),
            "nothing_to_import": import_jobs.nothing_to_import(job),
            "nothing_message": import_jobs.NOTHING_TO_IMPORT,
        },
        status=400 if form.errors else 200,
    )


@member_required(Role.COORDINATOR)
def progress(request, pk: int):
    """htmx polling target while the dry run or the import runs; reloads the page after."""
    job = _job(request, pk)
    try:
        waited = int(request.GET.get("waited", ""))
    except ValueError:
        waited = None
    response = render(request, "incidents/import/_progress.html", {"poll": _poll(job, waited)})
    if not job.in_progress:
        response["HX-Refresh"] = "true"
    return response


@member_required(Role.COORDINATOR)
def errors(request, pk: int):
    """The per-row error list of the dry run (or the import) as CSV."""
    job = _job(request, pk)
    path = import_jobs.errors_file(job)
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"importfel-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
