"""The import wizard's steps as services: a file kept with its job, the column and category
mappings (remembered by the import source), the dry run and the import, both run by the
background worker (`tasks.py`), with their progress in a small file beside the upload so a
page can follow a run that holds its transaction open.

Every step is the coordinator's, audited; the worker's functions claim their job with a
conditional update, so two workers never run one job twice.
"""

import csv
import logging
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lagesbild.audit.record import record
from lagesbild.incidents import imports
from lagesbild.incidents.importers import coordinates, tabular
from lagesbild.incidents.models import ImportJob, ImportSource, Incident
from lagesbild.partnerships.models import Membership
from lagesbild.web import uploads

log = logging.getLogger(__name__)

UPLOADS = "history"
PREVIEW_ROWS = 5
# More distinct category values than this is not a category column.
MAX_CATEGORY_VALUES = 300
REQUIRED = ("occurred_at", "category")
NOTHING_TO_IMPORT = gettext_lazy(
    "Inget kan importeras: ingen rad är både felfri och ny. Se orsakerna ovan, rätta filen "
    "och ladda upp den igen, eller ändra kolumner, koordinatsystem eller kategorier och "
    "provkör igen."
)


# --- files -----------------------------------------------------------------------------------


def job_file(job: ImportJob) -> Path:
    """The job's uploaded file (404 when it is gone)."""
    return uploads.stored(UPLOADS, job.partnership, job.upload_key)


def errors_file(job: ImportJob) -> Path:
    return job_file(job).parent / "fel.csv"


def _progress_file(job: ImportJob) -> Path:
    return job_file(job).parent / "progress"


def progress(job: ImportJob) -> int:
    """Rows the running dry run or import has got through."""
    try:
        return int(_progress_file(job).read_text() or 0)
    except (OSError, ValueError):
        return 0


def _layout(source: ImportSource) -> tabular.Layout:
    columns = {name: (header.lower(),) for name, header in source.columns.items() if header}
    return tabular.Layout(columns, frozenset(REQUIRED))


def rows(job: ImportJob):
    """The job's rows, keyed by the layout's names through the source's column mapping."""
    return tabular.open_file(job_file(job), layout=_layout(job.source))


def coordinate_system(job: ImportJob) -> str:
    """The source's coordinate system, or until one is chosen the one the file's first
    positions look written in (guessed once per job object: the columns page asks for it
    for its form and again for its preview, and an .xlsx is read through to its end
    before its first row)."""
    if job.source.coordinate_system:
        return job.source.coordinate_system
    if not hasattr(job, "_guessed_system"):
        job._guessed_system = _guess_system(job)
    return job._guessed_system


def _guess_system(job: ImportJob) -> str:
    points = []
    try:
        for _number, row in rows(job):
            if len(points) >= PREVIEW_ROWS:
                break
            try:
                points.append(
                    (
                        imports.parse_decimal(row.get("lon", "")),
                        imports.parse_decimal(row.get("lat", "")),
                    )
                )
            except ValueError:
                continue
    except tabular.ImportFormatError:
        return coordinates.WGS84
    return coordinates.guess(points)


def _options(job: ImportJob) -> imports.Options:
    return imports.Options(
        category_map=job.source.categories,
        coordinate_system=coordinate_system(job),
        source_id=job.source_id,
        accept_warnings=job.accept_warnings,
        review=job.review,
    )


# --- the steps -------------------------------------------------------------------------------


def start_job(
    *,
    membership: Membership,
    upload,
    source_name: str,
    review: str,
    accept_warnings: bool,
    request=None,
) -> ImportJob:
    """Keep the file and start its job; ImportFormatError (nothing kept) when it cannot be
    read. A new source name makes a new source; the columns named as the documented
    template names them are mapped from the start."""
    if review not in (Incident.Status.ACCEPTED, Incident.Status.NEW):
        raise ValidationError({"review": _("Välj om händelserna ska granskas.")})
    partnership = membership.partnership
    key = uploads.store(UPLOADS, partnership, upload)
    try:
        headers, _sample = tabular.sample(uploads.stored(UPLOADS, partnership, key), 1)
    except (tabular.ImportFormatError, OSError):
        uploads.discard(UPLOADS, partnership, key)
        raise
    with transaction.atomic():
        source, _created = ImportSource.objects.get_or_create(
            partnership=partnership, name=source_name.strip()
        )
        if not source.columns:
            source.columns = _guessed_columns(headers)
            source.save(update_fields=["columns"])
        job = ImportJob.objects.create(
            partnership=partnership,
            source=source,
            requested_by=membership.user,
            upload_key=key,
            file_name=Path(upload.name).name[:200],
            headers=headers,
            review=review,
            accept_warnings=accept_warnings,
        )
        record(
            actor=membership.user,
            action="incident.import_upload",
            obj=job,
            partnership=partnership,
            summary=f"{source.name}: {job.file_name}",
            request=request,
        )
    return job


def _guessed_columns(headers: list[str]) -> dict[str, str]:
    guessed = {}
    for header in headers:
        name = tabular.INCIDENTS.column(header)
        if name and name not in guessed:
            guessed[name] = header
    return guessed


def columns_mapped(job: ImportJob) -> bool:
    return all(job.source.columns.get(name) for name in REQUIRED)


def save_columns(
    *, actor, job: ImportJob, columns: dict[str, str], coordinate_system: str = "", request=None
) -> None:
    """Remember which of the file's columns holds what and the coordinate system of its
    positions (for the source's next file too)."""
    _require_mapping(job)
    if coordinate_system and coordinate_system not in coordinates.SYSTEMS:
        raise ValidationError(_("Välj ett koordinatsystem ur listan."))
    chosen = [header for header in columns.values() if header]
    if len(chosen) != len(set(chosen)):
        raise ValidationError(_("En kolumn i filen kan bara betyda en sak."))
    missing = [name for name in REQUIRED if not columns.get(name)]
    if missing:
        labels = ", ".join(tabular.LABELS[name] for name in missing)
        raise ValidationError(_("Välj vilken kolumn som är %(c)s.") % {"c": labels})
    job.source.columns = {name: header for name, header in columns.items() if header}
    job.source.coordinate_system = coordinate_system
    job.source.save(update_fields=["columns", "coordinate_system"])
    job.__dict__.pop("_guessed_system", None)  # guessed from the columns mapped before
    record(
        actor=actor,
        action="incident.import_columns",
        obj=job.source,
        partnership=job.partnership,
        request=request,
        columns=job.source.columns,
        coordinate_system=coordinate_system,
    )


def preview(job: ImportJob, membership: Membership) -> list[imports.PreviewRow]:
    first = []
    for item in rows(job):
        if len(first) >= PREVIEW_ROWS:
            break
        first.append(item)
    return imports.preview(membership=membership, rows=first, options=_options(job))


def category_values(job: ImportJob) -> list[tuple[str, int]]:
    """The file's distinct category values with their number of rows, commonest first."""
    counts: Counter[str] = Counter()
    for _number, row in rows(job):
        counts[row.get("category", "").strip()] += 1
        if len(counts) > MAX_CATEGORY_VALUES:
            raise ValidationError(
                _(
                    "Kategorikolumnen har fler än %(n)s olika värden. Välj kolumnen som "
                    "håller händelsens typ."
                )
                % {"n": MAX_CATEGORY_VALUES}
            )
    return [(value, count) for value, count in counts.most_common() if value]


def save_categories(
    *, actor, job: ImportJob, mapping: dict[str, int | None], request=None
) -> ImportJob:
    """Remember what the file's category values mean (for the source's next file too) and
    queue the dry run."""
    _require_mapping(job)
    allowed = set(imports.leaf_categories(job.partnership).values())
    remembered = dict(job.source.categories)
    for value, category_id in mapping.items():
        if category_id is None:
            remembered.pop(value.lower(), None)
        elif category_id not in allowed:
            raise ValidationError(_("Välj en kategori ur samverkans checklista."))
        else:
            remembered[value.lower()] = category_id
    with transaction.atomic():
        job.source.categories = remembered
        job.source.save(update_fields=["categories"])
        job.status = ImportJob.Status.CHECKING
        job.save(update_fields=["status"])
        record(
            actor=actor,
            action="incident.import_categories",
            obj=job.source,
            partnership=job.partnership,
            request=request,
            categories=remembered,
        )
        transaction.on_commit(lambda: _enqueue_check(job.pk))
    return job


def _require_mapping(job: ImportJob) -> None:
    if job.status not in (ImportJob.Status.MAPPING, ImportJob.Status.CHECKED):
        raise ValidationError(_("Importen är redan på väg och kan inte ändras."))
    if job.status == ImportJob.Status.CHECKED:
        # A mapping changed after the dry run must be checked again before importing.
        job.status = ImportJob.Status.MAPPING
        job.save(update_fields=["status"])


def nothing_to_import(job: ImportJob) -> bool:
    """The dry run found rows with errors and not one row that would be a new incident:
    importing would end "done" with nothing created."""
    return bool(job.checked.get("refused")) and not job.checked.get("created")


def request_import(*, actor, job: ImportJob, skip_invalid: bool, request=None) -> ImportJob:
    """Queue the import of a checked file for the background worker."""
    if job.status != ImportJob.Status.CHECKED:
        raise ValidationError(_("Provkör filen innan den importeras."))
    if nothing_to_import(job):
        raise ValidationError(NOTHING_TO_IMPORT)
    if job.checked.get("refused") and not skip_invalid:
        raise ValidationError(
            _("Filen har rader med fel. Rätta dem, eller välj att bara importera de felfria.")
        )
    with transaction.atomic():
        job.status, job.skip_invalid = ImportJob.Status.QUEUED, skip_invalid
        job.save(update_fields=["status", "skip_invalid"])
        record(
            actor=actor,
            action="incident.import_requested",
            obj=job,
            partnership=job.partnership,
            request=request,
            skip_invalid=skip_invalid,
        )
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return job


def _enqueue_check(job_id: int) -> None:
    from lagesbild.incidents.tasks import check_import

    check_import.enqueue(job_id)


def _enqueue_import(job_id: int) -> None:
    from lagesbild.incidents.tasks import run_import

    run_import.enqueue(job_id)


# --- the worker's side -----------------------------------------------------------------------


def _claim(job_id: int) -> ImportJob | None:
    queued = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED)
    if not queued.update(status=ImportJob.Status.RUNNING):
        return None
    return ImportJob.objects.select_related("partnership", "source", "requested_by").get(pk=job_id)


def _membership(job: ImportJob) -> Membership:
    return Membership.objects.select_related("partnership").get(
        partnership=job.partnership, user=job.requested_by, active=True
    )


class _ErrorList:
    """The per-row error list as CSV beside the upload, written as refusals come in."""

    def __init__(self, job: ImportJob):
        self.handle = errors_file(job).open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle, delimiter=";")
        self.writer.writerow([_("Rad"), _("Orsak"), _("Fel")])

    def __call__(self, number: int, error: imports.RowError) -> None:
        self.writer.writerow([number, imports.Reason.label(error.reason), str(error)])

    def close(self) -> None:
        self.handle.close()


def _report(result: imports.ImportResult) -> dict:
    return {
        "rows": result.rows,
        "created": result.created,
        "already_imported": result.already_imported,
        "refused": result.refused,
        "reasons": result.summary(),
    }


def _run(job: ImportJob, work) -> None:
    """Run `work(membership, on_error, progress)` for the job, with its error list and
    progress file, and keep its report (or its error) on the job."""
    progress_file = _progress_file(job)
    errors = _ErrorList(job)
    try:
        membership = _membership(job)
        result = work(membership, errors, lambda done: progress_file.write_text(str(done)))
    except Membership.DoesNotExist:
        job.status = ImportJob.Status.FAILED
        job.error = _("Den som laddade upp filen är inte längre aktiv medlem i samverkan.")
        return None
    except tabular.ImportFormatError as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
        return None
    except Exception:
        log.exception("import job %s failed", job.pk)
        job.status, job.error = ImportJob.Status.FAILED, _("Ett internt fel.")
        return None
    finally:
        errors.close()
        job.finished_at = timezone.now()
    return result


def run_check(job_id: int) -> ImportJob | None:
    """The dry run (the worker's task): every row checked, nothing written."""
    # Not claimed: a dry run writes nothing, so one run twice costs time only.
    job = (
        ImportJob.objects.select_related("partnership", "source", "requested_by")
        .filter(pk=job_id, status=ImportJob.Status.CHECKING)
        .first()
    )
    if job is None:
        return None
    result = _run(
        job,
        lambda membership, on_error, step: imports.check_incidents(
            membership=membership,
            rows=rows(job),
            options=_options(job),
            on_error=on_error,
            progress=step,
        ),
    )
    if result is not None:
        job.status, job.checked = ImportJob.Status.CHECKED, _report(result)
    job.save(update_fields=["status", "checked", "error", "finished_at"])
    return job


def run_job(job_id: int) -> ImportJob | None:
    """The import (the worker's task): all in one transaction, audited by the import."""
    job = _claim(job_id)
    if job is None:
        return None
    result = _run(
        job,
        lambda membership, on_error, step: imports.import_incidents(
            membership=membership,
            rows=rows(job),
            skip_invalid=job.skip_invalid,
            options=_options(job),
            on_error=on_error,
            progress=step,
        ),
    )
    if result is not None:
        job.result = _report(result)
        if result.refused and not job.skip_invalid:
            job.status = ImportJob.Status.FAILED
            job.error = _("Inget importerades eftersom rader hade fel.")
        else:
            job.status = ImportJob.Status.DONE
    job.save(update_fields=["status", "result", "error", "finished_at"])
    return job
