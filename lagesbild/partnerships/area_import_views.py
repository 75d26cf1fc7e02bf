"""Administrera → Områden → Importera: upload a boundary file, map its columns, preview the
areas with their checks, then save (all or nothing).

The uploaded file is kept between the steps in a folder of its own under VAR_DIR, named by a
random key and by the partnership, so another partnership's coordinator cannot reach it; the
folder is removed after saving and stale ones after a day.
"""

import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from lagesbild.geography import area_import, boundaries
from lagesbild.partnerships import forms
from lagesbild.partnerships.access import Role, member_required
from lagesbild.web.htmx import add_service_errors
from lagesbild.web.maps import map_config

coordinator_required = member_required(Role.COORDINATOR)
KEY = re.compile(r"[0-9a-f]{32}")
STALE_SECONDS = 24 * 3600
PREVIEW_ROWS = 500


def _uploads(partnership) -> Path:
    return settings.VAR_DIR / "uploads" / "areas" / str(partnership.pk)


def _remove_stale(partnership) -> None:
    folder = _uploads(partnership)
    if not folder.exists():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and time.time() - entry.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)


def _store(partnership, upload) -> str:
    key = secrets.token_hex(16)
    folder = _uploads(partnership) / key
    folder.mkdir(parents=True)
    suffix = Path(upload.name).suffix.lower()
    with open(folder / f"upload{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return key


def _stored(partnership, key: str) -> Path:
    """The stored upload of this partnership under `key`, or 404."""
    if not KEY.fullmatch(key or ""):
        raise Http404
    files = list((_uploads(partnership) / key).glob("upload.*"))
    if len(files) != 1:
        raise Http404
    return files[0]


def _discard(partnership, key: str) -> None:
    shutil.rmtree(_uploads(partnership) / key, ignore_errors=True)


@coordinator_required
def upload(request):
    """Step 1: the file. Refused at once: wrong type, over the size cap, a zip that would
    unpack too large, a file GDAL cannot read or whose layers are all empty."""
    partnership = request.membership.partnership
    form = forms.AreaUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        key = None
        try:
            boundaries.check_upload(file.name, file.size)
            _remove_stale(partnership)
            key = _store(partnership, file)
            boundaries.layers(boundaries.dataset(_stored(partnership, key)))
        except boundaries.BoundaryFileError as exc:
            if key:
                _discard(partnership, key)
            form.add_error("file", str(exc))
        else:
            return redirect("partnerships:area_import_file", key=key)
    return render(
        request,
        "partnerships/area_import_upload.html",
        {
            "nav": "manage",
            "form": form,
            "max_mb": settings.AREA_IMPORT_MAX_BYTES // (1024 * 1024),
        },
        status=400 if form.errors else 200,
    )


def _mapping(data) -> area_import.Mapping:
    return area_import.Mapping(
        layer=data["layer"],
        name_column=data["name_column"],
        code_column=data["code_column"],
        population_column=data["population_column"] or "",
        parent_column=data["parent_column"] or "",
        kind=data["kind"],
        population_year=data["population_year"],
        mode=data["mode"],
    )


def _preview_geojson(plan: area_import.Plan) -> dict:
    features = []
    for row in plan.rows[:PREVIEW_ROWS]:
        if row.wgs84 is None:
            continue
        status = "error" if row.errors else "repaired" if row.repaired else "ok"
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(row.wgs84.simplify(0.0001, preserve_topology=True)),
                "properties": {"name": row.name, "code": row.code, "status": status},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@coordinator_required
def choose(request, key: str):
    """Step 2 and 3: layer and columns, the preview with its checks, and saving."""
    membership = request.membership
    partnership = membership.partnership
    path = _stored(partnership, key)
    try:
        source = boundaries.dataset(path)
        layers = boundaries.layers(source)
    except boundaries.BoundaryFileError as exc:
        _discard(partnership, key)
        messages.error(request, str(exc))
        return redirect("partnerships:area_import")
    wanted = request.POST.get("layer") or request.GET.get("lager")
    usable = [x for x in layers if x.features > 0]
    layer = next((x for x in usable if x.name == wanted), usable[0])
    posted = request.method == "POST"
    form = forms.AreaImportForm(request.POST if posted else None, layers=layers, layer=layer)
    plan = None
    if posted and form.is_valid():
        chosen = _mapping(form.cleaned_data)
        try:
            if "save" in request.POST:
                plan = area_import.apply_import(
                    actor=request.user,
                    partnership=partnership,
                    source=source,
                    mapping=chosen,
                    request=request,
                )
                _discard(partnership, key)
                messages.success(
                    request,
                    _(
                        "%(created)s områden har lagts till och %(updated)s uppdaterats; "
                        "%(deactivated)s har inaktiverats."
                    )
                    % {
                        "created": plan.created,
                        "updated": plan.updated,
                        "deactivated": len(plan.deactivated),
                    },
                )
                return redirect("partnerships:area_list")
            plan = area_import.plan_import(partnership=partnership, source=source, mapping=chosen)
        except boundaries.BoundaryFileError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            plan = area_import.plan_import(partnership=partnership, source=source, mapping=chosen)
    return render(
        request,
        "partnerships/area_import.html",
        {
            "nav": "manage",
            "form": form,
            "key": key,
            "layers": layers,
            "layer": layer,
            "plan": plan,
            "rows": plan.rows[:PREVIEW_ROWS] if plan else [],
            "preview_rows": PREVIEW_ROWS,
            "preview": _preview_geojson(plan) if plan else None,
            "map_config": map_config(),
        },
        status=400 if form.errors else 200,
    )
