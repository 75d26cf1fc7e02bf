"""Administrera → Områden → Importera: upload a boundary file, map its columns, preview the
areas with their checks, then save (all or nothing).

The uploaded file is kept between the steps by `web.uploads`, under the partnership's own
folder, so another partnership's coordinator cannot reach it.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from lagesbild.geography import area_import, boundaries
from lagesbild.partnerships import forms
from lagesbild.partnerships.access import Role, member_required
from lagesbild.web import uploads
from lagesbild.web.htmx import add_service_errors
from lagesbild.web.maps import map_config

coordinator_required = member_required(Role.COORDINATOR)
PREVIEW_ROWS = 500
UPLOADS = "areas"


def _stored(partnership, key: str) -> Path:
    return uploads.stored(UPLOADS, partnership, key)


def _discard(partnership, key: str) -> None:
    uploads.discard(UPLOADS, partnership, key)


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
            key = uploads.store(UPLOADS, partnership, file)
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
                if plan.incidents_moving:
                    messages.info(
                        request,
                        _(
                            "%(n)s händelser flyttas till sina nya områden i bakgrunden; "
                            "de berörda veckornas lägesbilder räknas sedan om. Godkända "
                            "lägesbilder ändras inte."
                        )
                        % {"n": plan.incidents_moving},
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
