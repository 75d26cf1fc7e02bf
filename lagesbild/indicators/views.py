"""Indicator pages: the list, one indicator's table, defining, and entering values by form
or file. Members read (what the indicator's visibility allows); coordinators define and
enter. Thin: parse, call a service or query, render."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lagesbild.incidents.importers.tabular import ImportFormatError, open_file
from lagesbild.indicators import periods, police, presenters, queries, services
from lagesbild.indicators.forms import (
    IndicatorForm,
    PeriodChoiceForm,
    PeriodValuesForm,
    PoliceIndicatorForm,
    UploadForm,
)
from lagesbild.partnerships.access import Role, has_role, member_required
from lagesbild.policeevents.queries import type_counts
from lagesbild.web import uploads
from lagesbild.web.htmx import add_service_errors, form_page

UPLOADS = "indicators"
TABLE_PERIODS = 8


@member_required(Role.MEMBER)
def indicator_list(request):
    membership = request.membership
    items = queries.indicators(membership)
    return render(
        request,
        "indicators/list.html",
        {
            "nav": "indicators",
            "indicators": items,
            "can_define": has_role(membership, Role.COORDINATOR),
            "police_form": PoliceIndicatorForm(event_type_counts=type_counts(membership))
            if has_role(membership, Role.COORDINATOR) and police.can_add(membership.partnership)
            else None,
        },
    )


@require_POST
@member_required(Role.COORDINATOR)
def add_police(request):
    """Add the built-in indicator that counts the police's notices per area."""
    form = PoliceIndicatorForm(request.POST, event_type_counts=type_counts(request.membership))
    if not form.is_valid():
        for name, errors in form.errors.items():
            if name == "period":
                errors = [_("Välj vecka eller månad.")]
            messages.error(request, " ".join(errors))
        return redirect("indicators:list")
    try:
        indicator = police.add_indicator(
            actor=request.user,
            partnership=request.membership.partnership,
            period=form.cleaned_data["period"],
            event_types=form.cleaned_data["police_event_types"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators:list")
    messages.success(request, _("Indikatorn är tillagd och räknad från polisens notiser."))
    return redirect("indicators:detail", pk=indicator.pk)


def _refuse_counted(request, indicator):
    """A counted indicator has no values to enter: back to its page, saying why."""
    try:
        services.check_entered(indicator)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators:detail", pk=indicator.pk)
    return None


@member_required(Role.MEMBER)
def indicator_detail(request, pk: int):
    indicator = queries.get_indicator(request.membership, pk)
    starts, table = queries.table(indicator, TABLE_PERIODS)
    return render(
        request,
        "indicators/detail.html",
        {
            "nav": "indicators",
            "indicator": indicator,
            "rows": presenters.rows(indicator, queries.summaries(indicator)),
            "periods": [periods.label(indicator.period, s) for s in starts],
            "table": [
                (area, [presenters.value_text(indicator, v.value) if v else "–" for v in cells])
                for area, cells in table
            ],
            "can_enter": has_role(request.membership, Role.COORDINATOR)
            and not indicator.counted_from,
            "can_edit": has_role(request.membership, Role.COORDINATOR),
            "counted_types": presenters.counted_note(indicator),
        },
    )


@member_required(Role.COORDINATOR)
def indicator_create(request):
    def save(data):
        return services.define_indicator(
            actor=request.user, partnership=request.membership.partnership, request=request, **data
        )

    return form_page(
        request,
        IndicatorForm(request.POST or None),
        save,
        template="indicators/edit.html",
        success=_("Indikatorn är skapad. Lägg in värden nedan."),
        next_url=_detail_url,
        nav="indicators",
        indicator=None,
    )


@member_required(Role.COORDINATOR)
def indicator_edit(request, pk: int):
    indicator = queries.get_indicator(request.membership, pk)

    def save(data):
        fields = {name: data[name] for name in services.DEFINITION_FIELDS}
        if "police_event_types" in data:  # only the police indicator's form has them
            fields["police_event_types"] = data["police_event_types"]
        indicator.refresh_from_db()  # the ModelForm wrote the posted fields onto it
        services.change_indicator(
            actor=request.user, indicator=indicator, request=request, **fields
        )
        return indicator

    return form_page(
        request,
        IndicatorForm(
            request.POST or None,
            instance=indicator,
            event_type_counts=type_counts(request.membership)
            if indicator.counted_from == indicator.CountedFrom.POLICE_EVENTS
            else None,
        ),
        save,
        template="indicators/edit.html",
        success=_("Indikatorn är sparad."),
        next_url=_detail_url,
        nav="indicators",
        indicator=indicator,
    )


def _detail_url(indicator) -> str:
    return reverse("indicators:detail", kwargs={"pk": indicator.pk})


def _chosen_period(request, indicator):
    """The period of `?period=`, else the last whole period (the one before today's)."""
    choice = PeriodChoiceForm(request.GET or None, indicator=indicator)
    if choice.is_bound and choice.is_valid():
        return choice, choice.cleaned_data["period"]
    today = periods.start(indicator.period, timezone.localdate())
    last = periods.shift(indicator.period, today, -1)
    if not choice.is_bound:
        choice = PeriodChoiceForm(
            initial={"period": periods.label_for_input(indicator.period, last)},
            indicator=indicator,
        )
    return choice, last


@member_required(Role.COORDINATOR)
def enter_values(request, pk: int):
    """One period's values for every area in one table."""
    membership = request.membership
    indicator = queries.get_indicator(membership, pk)
    if refused := _refuse_counted(request, indicator):
        return refused
    choice, start = _chosen_period(request, indicator)
    form = PeriodValuesForm(
        request.POST or None,
        indicator=indicator,
        areas=queries.areas(indicator),
        existing=queries.values_for_period(indicator, start),
    )
    if request.method == "POST" and choice.errors:
        form.add_error(None, _("Välj en period som går att spara värden för."))
    elif request.method == "POST" and form.is_valid():
        entries = [
            services.Entry(area, start, value, size)
            for area, value, size in form.cleaned_data["entries"]
        ]
        try:
            result = services.save_values(
                membership=membership,
                indicator=indicator,
                entries=entries,
                source_note=form.cleaned_data["source_note"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(new)s nya värden och %(replaced)s ändrade för %(period)s.")
                % {
                    "new": result.created,
                    "replaced": result.replaced,
                    "period": periods.label(indicator.period, start),
                },
            )
            return redirect("indicators:detail", pk=indicator.pk)
    return render(
        request,
        "indicators/enter.html",
        {
            "nav": "indicators",
            "indicator": indicator,
            "choice": choice,
            "period": periods.label(indicator.period, start),
            "period_input": periods.label_for_input(indicator.period, start),
            "form": form,
            "share": indicator.scale == indicator.Scale.SHARE,
        },
        status=400 if form.errors else 200,
    )


def _rows(path: Path):
    return open_file(path, layout=services.LAYOUT)


@member_required(Role.COORDINATOR)
def upload(request, pk: int):
    """Step 1: the file, refused at once if it cannot be read as a value list."""
    membership = request.membership
    indicator = queries.get_indicator(membership, pk)
    if refused := _refuse_counted(request, indicator):
        return refused
    form = UploadForm(request.POST or None, request.FILES or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        key = uploads.store(UPLOADS, membership.partnership, form.cleaned_data["file"])
        path = uploads.stored(UPLOADS, membership.partnership, key)
        try:
            _rows(path)
        except (ImportFormatError, OSError) as exc:
            uploads.discard(UPLOADS, membership.partnership, key)
            form.add_error("file", str(exc))
        else:
            url = reverse("indicators:upload_preview", args=[indicator.pk, key])
            given = {
                "kalla": form.cleaned_data["source_note"],
                "period": form.cleaned_data["period"],
            }
            query = urlencode({k: v for k, v in given.items() if v})
            return redirect(f"{url}?{query}" if query else url)
    return render(
        request,
        "indicators/upload.html",
        {"nav": "indicators", "indicator": indicator, "form": form},
        status=400 if form.errors else 200,
    )


@member_required(Role.COORDINATOR)
def upload_preview(request, pk: int, key: str):
    """Step 2: the dry run (every row checked, nothing saved) and, on "Importera", the
    import: all or nothing."""
    membership = request.membership
    partnership = membership.partnership
    indicator = queries.get_indicator(membership, pk)
    if refused := _refuse_counted(request, indicator):
        return refused
    path = uploads.stored(UPLOADS, partnership, key)
    note = (request.POST.get("source_note") or request.GET.get("kalla") or "").strip()[:200]
    # The period of rows without one; a garbled one is just a period no row can have.
    period = (request.POST.get("period") or request.GET.get("period") or "").strip()[:20]
    try:
        if request.method == "POST":
            plan, result = services.import_values(
                membership=membership,
                indicator=indicator,
                rows=_rows(path),
                source_note=note,
                period=period,
                request=request,
            )
            if result is not None:
                uploads.discard(UPLOADS, partnership, key)
                messages.success(
                    request,
                    _("%(new)s nya värden, %(replaced)s ändrade och %(same)s oförändrade.")
                    % {
                        "new": result.created,
                        "replaced": result.replaced,
                        "same": result.unchanged,
                    },
                )
                return redirect("indicators:detail", pk=indicator.pk)
        else:
            plan = services.plan_upload(indicator=indicator, rows=_rows(path), period=period)
    except ImportFormatError as exc:
        uploads.discard(UPLOADS, partnership, key)
        messages.error(request, str(exc))
        return redirect("indicators:upload", pk=indicator.pk)
    return render(
        request,
        "indicators/preview.html",
        {
            "nav": "indicators",
            "indicator": indicator,
            "plan": plan,
            "key": key,
            "source_note": note,
            "period": period,
            "refused": request.method == "POST",
            "rows": [
                (
                    row,
                    periods.label(indicator.period, row.period_start) if row.period_start else "–",
                )
                for row in plan.rows
            ],
        },
        status=400 if request.method == "POST" else 200,
    )
