"""Pages of the situation picture: the week, its progress state, assessments, approval,
versions, comparison and the map data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lagesbild.geography.models import Area
from lagesbild.incidents import coverage, weeks
from lagesbild.indicators import map_layers as indicator_map_layers
from lagesbild.operations import health
from lagesbild.partnerships.access import Role, get_for_member, has_role, member_required
from lagesbild.pictures import periodic, periods, presenters, runs, services
from lagesbild.pictures.exports.formats import links as export_links
from lagesbild.pictures.forms import ApproveForm, AssessmentForm
from lagesbild.pictures.models import Picture
from lagesbild.policeevents.queries import section_for as police_section_for
from lagesbild.web.errors import NotYet
from lagesbild.web.htmx import poll_wait
from lagesbild.web.maps import map_config


def require_picture_access(request):
    membership = request.membership
    if not (has_role(membership, Role.MEMBER) or membership.partnership.reporters_see_picture):
        raise PermissionDenied


def week_or_404(request, iso: str) -> int:
    """The week of the URL; 404 for no real week, and 404 with a sentence for a week that
    has not begun (the picture of a week to come would be a page of zeros)."""
    try:
        code = weeks.parse(iso)
    except ValueError as exc:
        raise Http404 from exc
    partnership = request.membership.partnership
    current = coverage.current_week(partnership)
    if code > current:
        raise NotYet(
            _("Vecka %(w)s har inte börjat") % {"w": weeks.iso(code)},
            _(
                "Det finns ingen lägesbild för en vecka som inte har börjat. Innevarande "
                "vecka är %(now)s; den senaste hela veckan är %(last)s."
            )
            % {
                "now": presenters.week_label(weeks.iso(current)),
                "last": presenters.week_label(weeks.iso(weeks.shift(current, -1))),
            },
            reverse("pictures:week", args=[weeks.iso(weeks.shift(current, -1))]),
            _("Till den senaste hela veckan"),
        )
    return code


def _before_coverage(request, first_iso: str | None):
    """A week or period before the partnership began reporting: words, not a page of
    zeros, and a link to its first reported week (or the report form)."""
    partnership = request.membership.partnership
    start = coverage.coverage_start(partnership)
    return render(
        request,
        "pictures/before_coverage.html",
        {
            "nav": "picture",
            "start": start,
            "first_iso": first_iso,
            "explicit": partnership.coverage_start is not None,
        },
    )


def _week_links(partnership, code: int) -> dict:
    """Previous and next week; no next week past the present and no previous week before
    the partnership began reporting."""
    current = coverage.current_week(partnership)
    first = coverage.first_week(partnership)
    return {
        "previous_iso": weeks.iso(weeks.shift(code, -1))
        if first is not None and code > first
        else None,
        "next_iso": weeks.iso(weeks.shift(code, 1)) if code < current else None,
        "week_state": coverage.week_state(partnership, code),
    }


# The first and the longest wait, in seconds, before a page waiting for a run asks again.


def _poll(iso: str, run, waited: int | None = None) -> dict:
    """The status line of a page waiting for `run`: it asks again after 3 s, then each time
    half as long again up to 30 s, so a page left open while a run waits does not ask every
    3 s for as long as it waits. With no background worker alive the line says so and asks
    only every 30 s (it reloads by itself once a started worker has computed the run)."""
    worker_missing = health.worker_missing()
    wait = poll_wait(waited, worker_missing=worker_missing)
    return {"iso": iso, "run": run, "wait": wait, "worker_missing": worker_missing}


@member_required(Role.REPORTER)
def latest(request):
    """The picture of the week that just ended (Tuesday's meeting looks at last week)."""
    require_picture_access(request)
    last = coverage.last_complete_week(request.membership.partnership)
    return redirect("pictures:week", iso=weeks.iso(last))


def _live_content(request, code: int):
    """The draft content from the newest run, or None while the first run is computing.
    A stale run is shown (with a note) while a fresh one is queued."""
    partnership = request.membership.partnership
    iso = weeks.iso(code)
    run = runs.latest_run(partnership, iso)
    stale = runs.is_stale(run, partnership)
    pending = runs.request_run(partnership, iso, waiting=True) if stale else None
    content = services.assemble(partnership, code, run) if run else None
    return content, run, pending


def _page_context(request, content: dict, **extra) -> dict:
    sort = request.GET.get("sort", "area")
    descending = request.GET.get("dir") == "desc"
    return {
        "nav": "picture",
        "content": content,
        "matrix": presenters.matrix(content, sort, descending),
        "choropleth": presenters.choropleth(content),
        "hotspot_legend": presenters.hotspot_legend(content["hotspots"]),
        "flags": services.flagged(content["series"]),
        "trend_charts": presenters.trend_charts(content),
        "map_config": map_config(),
        "can_assess": has_role(request.membership, Role.COORDINATOR),
        # The draft's notices are today's; a version's, those it was approved with (none in
        # versions approved before they were frozen).
        "police": police_section_for(content.get("police"), request.membership),
        "sees_police_list": has_role(request.membership, Role.MEMBER),
        **extra,
    }


@member_required(Role.REPORTER)
def week(request, iso: str):
    require_picture_access(request)
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    approved = services.latest_approved(partnership, weeks.iso(code))
    first = coverage.first_week(partnership)
    if approved is None and (first is None or code < first):
        return _before_coverage(request, weeks.iso(first) if first else None)
    content, run, pending = _live_content(request, code)
    base = {
        "iso": weeks.iso(code),
        **_week_links(partnership, code),
        "run": run,
        "pending": pending,
        "poll": _poll(weeks.iso(code), pending) if pending else None,
        "approved": approved,
        "snapshot": None,
    }
    if content is None:
        return render(request, "pictures/computing.html", {"nav": "picture", **base})
    context = _page_context(
        request,
        content,
        **base,
        assessment_forms=_assessment_forms(request, content),
        approve_form=ApproveForm(
            needs_note=approved is not None, warnings=services.approval_warnings(content)
        ),
        export_links=export_links(weeks.iso(code)),
    )
    return render(request, "pictures/week.html", context)


def _assessment_forms(request, content):
    if not has_role(request.membership, Role.COORDINATOR):
        return {}
    scale = content["scale"]
    return {
        area_id: AssessmentForm(
            scale=scale,
            prefix=f"a{area_id}",
            initial={"level": entry["level"] or "", "comment": entry["comment"]},
        )
        for area_id, entry in content["assessments"].items()
    }


@member_required(Role.REPORTER)
def status(request, iso: str):
    """htmx polling target while a run computes: tells the page to reload when done."""
    require_picture_access(request)
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    active = runs.active_run(partnership, weeks.iso(code))
    if active is None and runs.failed_run(partnership, weeks.iso(code)) is not None:
        # Reloading would queue the same computation to fail again, every few seconds.
        return render(request, "pictures/_status.html", {"poll": {"failed": True}})
    if active is None:
        response = render(request, "pictures/_status.html", {"poll": {"done": True}})
        response["HX-Refresh"] = "true"
        return response
    try:
        waited = int(request.GET.get("waited", ""))
    except ValueError:
        waited = None
    return render(
        request, "pictures/_status.html", {"poll": _poll(weeks.iso(code), active, waited)}
    )


@require_POST
@member_required(Role.COORDINATOR)
def assess(request, iso: str, area_id: int):
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    area = get_for_member(Area.objects.all(), request.membership, area_id)
    form = AssessmentForm(request.POST, scale=partnership.assessment_scale, prefix=f"a{area.pk}")
    if form.is_valid():
        try:
            services.save_assessment(
                actor=request.user,
                partnership=partnership,
                area=area,
                iso=weeks.iso(code),
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                return render(request, "pictures/_assessment_saved.html", {"area": area})
            messages.success(request, _("Bedömningen av %(a)s är sparad.") % {"a": area.name})
            return redirect(reverse("pictures:week", args=[weeks.iso(code)]) + "#bedomning")
    if request.htmx:
        return render(
            request,
            "pictures/_assessment_form.html",
            {"form": form, "area": area, "iso": weeks.iso(code)},
            status=400,
        )
    messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect(reverse("pictures:week", args=[weeks.iso(code)]) + "#bedomning")


@require_POST
@member_required(Role.COORDINATOR)
def approve(request, iso: str):
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    content, _run, pending = _live_content(request, code)
    if content is None or pending is not None:
        messages.error(
            request,
            _(
                "Beräkningen är inte klar med de senaste uppgifterna. "
                "Vänta tills den är klar och godkänn sedan."
            ),
        )
        return redirect("pictures:week", iso=weeks.iso(code))
    approved = services.latest_approved(partnership, weeks.iso(code))
    form = ApproveForm(
        request.POST,
        needs_note=approved is not None,
        warnings=services.approval_warnings(content),
    )
    if form.is_valid():
        try:
            picture = services.approve_picture(
                actor=request.user,
                partnership=partnership,
                content=content,
                change_note=form.cleaned_data["change_note"],
                confirmed=form.cleaned_data["confirm"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Lägesbilden för %(w)s är godkänd (version %(v)s).")
                % {"w": presenters.week_label(picture.period), "v": picture.version},
            )
            return redirect("pictures:version", iso=picture.period, version=picture.version)
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect("pictures:week", iso=weeks.iso(code))


@member_required(Role.REPORTER)
def version(request, iso: str, version: int):
    """An approved picture exactly as it was approved."""
    require_picture_access(request)
    code = week_or_404(request, iso)
    picture = services.approved_version(request.membership, weeks.iso(code), version)
    versions = Picture.objects.filter(
        partnership=picture.partnership, period=picture.period, period_kind=picture.period_kind
    ).order_by("version")
    context = _page_context(
        request,
        picture.content,
        iso=picture.period,
        snapshot=picture,
        versions=versions,
        changes=presenters.changes_from_previous(request.membership, picture),
        **_week_links(picture.partnership, code),
        export_links=export_links(picture.period, picture.version),
    )
    context["can_assess"] = False
    return render(request, "pictures/week.html", context)


@member_required(Role.REPORTER)
def archive(request):
    require_picture_access(request)
    partnership = request.membership.partnership
    return render(
        request,
        "pictures/archive.html",
        {"nav": "picture", "periods": services.approved_periods(partnership)},
    )


@member_required(Role.REPORTER)
def compare(request, iso: str):
    """This week against the previous: new, continuing and resolved deviations."""
    require_picture_access(request)
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    contents = []
    for c in (code, weeks.shift(code, -1)):
        run = runs.latest_run(partnership, weeks.iso(c))
        if run is None:
            # The status line asks about the week being computed (the previous one, maybe),
            # or it would find nothing running and reload the page again and again.
            pending = runs.request_run(partnership, weeks.iso(c), waiting=True)
            return render(
                request,
                "pictures/computing.html",
                {"nav": "picture", "iso": weeks.iso(code), "poll": _poll(weeks.iso(c), pending)},
            )
        contents.append(services.assemble(partnership, c, run))
    current, previous = contents
    return render(
        request,
        "pictures/compare.html",
        {
            "nav": "picture",
            "iso": weeks.iso(code),
            "previous_iso": weeks.iso(weeks.shift(code, -1)),
            "current": current,
            "previous": previous,
            "comparison": services.compare_weeks(current, previous),
            "area_names": {str(a["id"]): a["name"] for a in current["areas"]},
        },
    )


@member_required(Role.REPORTER)
def map_data(request, iso: str):
    """The map layers of a picture (live or a version): areas with their index, hot-spot
    cells, clusters and the week's incident points."""
    require_picture_access(request)
    code = week_or_404(request, iso)
    partnership = request.membership.partnership
    version_number = request.GET.get("version")
    picture = None
    if version_number:
        if not version_number.isdigit():
            raise Http404
        picture = services.approved_version(
            request.membership, weeks.iso(code), int(version_number)
        )
        content = picture.content
    else:
        run = runs.latest_run(partnership, weeks.iso(code))
        if run is None:
            raise Http404
        content = services.assemble(partnership, code, run)
    layers = services.map_layers(request.membership, content)
    # The indicators as the picture's section shows them (none for reporters).
    layers["indicators"] = indicator_map_layers.layers(
        request.membership, periods.last_day(content["period_kind"], content["period"]), picture
    )
    return JsonResponse(layers)


def period_or_404(request, text: str):
    """The period of the URL; 404 for no real period, and 404 with a sentence for one that
    has not begun."""
    try:
        chosen = periods.Period.parse(text)
    except ValueError as exc:
        raise Http404 from exc
    today = periods.today_for(request.membership.partnership)
    if periodic.period_state(chosen, today) == coverage.FUTURE:
        current = periods.Period.containing(chosen.kind, today)
        raise NotYet(
            _("%(p)s har inte börjat") % {"p": chosen.label().capitalize()},
            _(
                "Det finns ingen lägesbild för en period som inte har börjat. Innevarande "
                "period är %(now)s."
            )
            % {"now": current.label()},
            reverse("pictures:period", args=[str(current.shift(-1))]),
            _("Till den senaste hela perioden"),
        )
    return chosen


@member_required(Role.REPORTER)
def periodic_latest(request, kind: str):
    """The latest complete quarter/tertial/year."""
    require_picture_access(request)
    kinds = {"kvartal": "quarter", "tertial": "tertial", "ar": "year"}
    if kind not in kinds:
        raise Http404
    today = periods.today_for(request.membership.partnership)
    current = periods.Period.containing(kinds[kind], today)
    return redirect("pictures:period", period=str(current.shift(-1)))


@member_required(Role.REPORTER)
def period_page(request, period: str):
    require_picture_access(request)
    chosen = period_or_404(request, period)
    partnership = request.membership.partnership
    approved = (
        Picture.objects.filter(partnership=partnership, period_kind=chosen.kind, period=str(chosen))
        .order_by("-version")
        .first()
    )
    start = coverage.coverage_start(partnership)
    if approved is None and (start is None or chosen.shift(1).first_month <= start):
        first = weeks.week_of_date(start) if start else None
        return _before_coverage(request, weeks.iso(first) if first else None)
    content = periodic.compute_period(partnership, chosen, with_incident_ids=False)
    return render(
        request,
        "pictures/period.html",
        _period_context(
            request,
            content,
            chosen,
            approved=approved,
            snapshot=None,
            forms=_influence_forms(request, content),
        ),
    )


def _period_context(request, content, chosen, **extra) -> dict:
    return {
        "nav": "picture",
        "content": content,
        "period": chosen,
        # No previous period before the partnership began reporting.
        "previous": str(chosen.shift(-1))
        if (start := coverage.coverage_start(request.membership.partnership))
        and chosen.first_month > start
        else None,
        # No next period past the present.
        "next": str(chosen.shift(1))
        if periodic.period_state(chosen, periods.today_for(request.membership.partnership))
        == coverage.COMPLETE
        else None,
        "chart": periodic.need_influence_chart(content),
        "influence_scale": periodic.INFLUENCE_SCALE,
        "can_assess": has_role(request.membership, Role.COORDINATOR) and not extra.get("snapshot"),
        "approve_form": ApproveForm(
            needs_note=extra.get("approved") is not None,
            warnings=services.approval_warnings(content),
        ),
        **extra,
    }


def _influence_forms(request, content) -> dict:
    if not has_role(request.membership, Role.COORDINATOR):
        return {}
    return {
        str(r["area"]): AssessmentForm(
            scale=periodic.INFLUENCE_SCALE,
            prefix=f"i{r['area']}",
            initial={
                "level": content["influence"].get(str(r["area"]), {}).get("level") or "",
                "comment": content["influence"].get(str(r["area"]), {}).get("comment", ""),
            },
        )
        for r in content["ranking"]
    }


@require_POST
@member_required(Role.COORDINATOR)
def period_influence(request, period: str, area_id: int):
    chosen = period_or_404(request, period)
    area = get_for_member(Area.objects.all(), request.membership, area_id)
    form = AssessmentForm(request.POST, scale=periodic.INFLUENCE_SCALE, prefix=f"i{area.pk}")
    if form.is_valid():
        try:
            services.save_assessment(
                actor=request.user,
                partnership=request.membership.partnership,
                area=area,
                iso=str(chosen),
                period_kind=chosen.kind,
                scale=periodic.INFLUENCE_SCALE,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Påverkbarheten för %(a)s är sparad.") % {"a": area.name})
    else:
        messages.error(request, _("Välj en nivå på skalan."))
    return redirect(reverse("pictures:period", args=[str(chosen)]) + "#paverkan")


@require_POST
@member_required(Role.COORDINATOR)
def period_approve(request, period: str):
    chosen = period_or_404(request, period)
    partnership = request.membership.partnership
    approved = Picture.objects.filter(
        partnership=partnership, period_kind=chosen.kind, period=str(chosen)
    ).exists()
    content = periodic.compute_period(partnership, chosen)
    form = ApproveForm(
        request.POST, needs_note=approved, warnings=services.approval_warnings(content)
    )
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return redirect("pictures:period", period=str(chosen))
    try:
        picture = services.approve_picture(
            actor=request.user,
            partnership=partnership,
            content=content,
            change_note=form.cleaned_data["change_note"],
            confirmed=form.cleaned_data["confirm"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pictures:period", period=str(chosen))
    messages.success(
        request,
        _("Lägesbilden för %(p)s är godkänd (version %(v)s).")
        % {"p": chosen.label(), "v": picture.version},
    )
    return redirect("pictures:period_version", period=picture.period, version=picture.version)


@member_required(Role.REPORTER)
def period_version(request, period: str, version: int):
    require_picture_access(request)
    chosen = period_or_404(request, period)
    picture = services.approved_version(request.membership, str(chosen), version)
    return render(
        request,
        "pictures/period.html",
        _period_context(
            request,
            picture.content,
            chosen,
            snapshot=picture,
            approved=picture,
            forms={},
            changes=presenters.changes_from_previous(request.membership, picture),
        ),
    )
