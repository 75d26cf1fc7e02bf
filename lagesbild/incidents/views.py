"""Incident pages: report, list, detail, map, weekly table and the review queue.

Each view parses input, calls a service or query, and renders. Scoping and roles come from
`partnerships.access`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lagesbild.audit.record import record
from lagesbild.incidents import coverage, queries, services, weeks
from lagesbild.incidents.forms import (
    BulkAcceptForm,
    CorrectForm,
    FilterForm,
    MergeForm,
    RejectForm,
    ReportForm,
    ReviewFilterForm,
    correction_options,
)
from lagesbild.incidents.models import Incident
from lagesbild.interventions import feedback
from lagesbild.partnerships.access import Role, get_for_member, member_required
from lagesbild.web.htmx import add_service_errors, render_page_or_fragment
from lagesbild.web.maps import map_config

PAGE_SIZE = 50
MAP_POINT_LIMIT = 20000


@member_required(Role.REPORTER)
def report(request):
    membership = request.membership
    categories = queries.reportable_categories(membership)
    form = ReportForm(request.POST or None, membership=membership, categories=categories)
    needs_confirmation = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident, created = services.report_incident(
                membership=membership,
                client_id=data["client_id"],
                category=data["category"],
                occurred_at=data["occurred_at"],
                severity=data["severity"],
                lon=data["lon"],
                lat=data["lat"],
                place=data["place"],
                description=data["description"],
                confirmed_warnings=data["confirm_warnings"],
                request=request,
            )
        except ValidationError as exc:
            needs_confirmation = services.needs_confirmation(exc)
            add_service_errors(form, exc, {"location": None, "client_id": None})
        else:
            message = (
                _("Tack! Händelsen är registrerad som nr %(id)s (vecka %(week)s).")
                if created
                else _("Händelsen nr %(id)s var redan mottagen. Inget dubbelregistrerades.")
            )
            messages.success(
                request, message % {"id": incident.pk, "week": incident.iso_week % 100}
            )
            return redirect("incidents:report")
    return render(
        request,
        "incidents/report.html",
        {
            "nav": "report",
            "form": form,
            "categories": categories,
            "needs_confirmation": needs_confirmation or bool(form.data.get("confirm_warnings")),
            "map_config": map_config(),
        },
        status=400 if form.errors else 200,
    )


def _filtered(request):
    form = FilterForm(request.GET or None, membership=request.membership)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@member_required(Role.REPORTER)
def incident_list(request):
    form, filters = _filtered(request)
    qs = queries.filter_incidents(request.membership, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Reporters see what became of each of their reports (feedback, EST återkoppling).
    show_outcomes = request.membership.role == Role.REPORTER
    if show_outcomes:
        page.object_list = list(page.object_list)
        outcomes = feedback.report_outcomes(request.membership, page.object_list)
        for incident in page.object_list:
            incident.outcome = outcomes.get(incident.pk)
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    return render_page_or_fragment(
        request,
        "incidents/list.html",
        "incidents/_list_results.html",
        {
            "nav": "list",
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "sort": filters.get("sort") or queries.DEFAULT_SORT,
            "show_outcomes": show_outcomes,
        },
        status=400 if form.errors else 200,
    )


@member_required(Role.REPORTER)
def incident_detail(request, pk: int):
    membership = request.membership
    incident = get_for_member(
        Incident.objects.select_related(
            "category", "area", "place", "organisation", "reporter", "merged_into"
        ),
        membership,
        pk,
    )
    record(actor=request.user, action="incident.view", obj=incident, request=request)
    return render(
        request,
        "incidents/detail.html",
        {
            "nav": "list",
            "incident": incident,
            "history": incident.changes.select_related("actor"),
            "absorbed": incident.absorbed.all(),
            "map_config": map_config(),
            "outcome": feedback.report_outcomes(membership, [incident]).get(incident.pk),
        },
    )


@member_required(Role.MEMBER)
def incident_map(request):
    form, _filters = _filtered(request)
    return render(
        request,
        "incidents/map.html",
        {
            "nav": "map",
            "form": form,
            "map_config": map_config(),
            "points_query": request.GET.urlencode(),
        },
    )


@member_required(Role.MEMBER)
def map_points(request):
    _form, filters = _filtered(request)
    qs = queries.filter_incidents(request.membership, filters)
    points = queries.map_points(qs, MAP_POINT_LIMIT)
    return JsonResponse({"points": points, "truncated": len(points) >= MAP_POINT_LIMIT})


@member_required(Role.MEMBER)
def weekly(request):
    membership = request.membership
    partnership = membership.partnership
    current = coverage.current_week(partnership)
    # The table opens on the last complete week, as the picture does.
    last = coverage.last_complete_week(partnership)
    try:
        week = weeks.parse(request.GET["week"]) if request.GET.get("week") else last
    except ValueError:
        messages.error(request, _("Ange veckan som 2026-W47. Visar den senaste hela veckan."))
        week = last
    if week > current:
        messages.error(
            request,
            _("%(w)s har inte börjat än. Visar den senaste hela veckan.") % {"w": weeks.iso(week)},
        )
        week = last
    by_group = request.GET.get("per") != "kategori"
    table = queries.weekly_table(membership, week, by_group=by_group)
    return render(
        request,
        "incidents/weekly.html",
        {
            "nav": "weekly",
            "table": table,
            "week_iso": weeks.iso(week),
            "previous_iso": weeks.iso(weeks.shift(week, -1)),
            "next_iso": weeks.iso(weeks.shift(week, 1)) if week < current else None,
            "is_current": week >= current,
            "week_start": weeks.monday(week),
            "per": "grupp" if by_group else "kategori",
        },
    )


REVIEW_PAGE_SIZE = 20


def _review_filters(request):
    """The queue's filters from the query string: (form, cleaned filters); bad input shows
    the whole queue with the form's messages."""
    form = ReviewFilterForm(request.GET or None, membership=request.membership)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


def _review_page(request, filters: dict, *, form, failed: dict | None = None, status=200):
    """The queue page for `filters`, with the counts behind each choice of the filter form
    and the items of the page asked for (the last one when the queue has shrunk)."""
    membership = request.membership
    form.add_counts(queries.review_counts(membership, filters))
    active = sum(filters.get(name) not in (None, "") for name in queries.REVIEW_FACETS)
    page = Paginator(queries.review_queue(membership, filters), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "incidents/review.html",
        {
            "nav": "review",
            "form": form,
            "page": page,
            "items": _review_items(membership, page, failed=failed),
            "query": _review_query(request.GET),
            "back": _review_query(request.GET, keep_page=True),
            "active_filters": active,
            "filtered": active > 0,
        },
        status=status,
    )


def _review_query(params, *, keep_page: bool = False) -> str:
    """The queue's own parameters as a query string: filters and order (and the page), so
    links and the way back after an action keep them. Anything else is dropped."""
    names = [*queries.REVIEW_FACETS, "sort", *(["page"] if keep_page else [])]
    kept = QueryDict(mutable=True)
    for name in names:
        value = params.get(name)
        if value:
            kept[name] = value[:40]
    return kept.urlencode()


def _back_to_queue(request):
    """Back to the queue as it was: the filters, order and page sent with the form."""
    query = _review_query(QueryDict(request.POST.get("back", "")), keep_page=True)
    return redirect(reverse("incidents:review") + (f"?{query}" if query else ""))


@member_required(Role.COORDINATOR)
def review(request):
    form, filters = _review_filters(request)
    return _review_page(request, filters, form=form, status=400 if form.errors else 200)


def _review_items(membership, page, failed: dict | None = None) -> list[dict]:
    """The queue's items with their forms and duplicate candidates, looked up once per page;
    `failed` replaces the item whose form had errors."""
    options = correction_options(membership)
    candidates = queries.duplicate_candidates(page, membership)
    return [
        failed
        if failed and failed["incident"].pk == incident.pk
        else _review_context(
            membership, incident, options=options, candidates=candidates[incident.pk]
        )
        for incident in page
    ]


def _review_context(membership, incident, options=None, candidates=None, **forms) -> dict:
    if candidates is None:
        candidates = queries.duplicate_candidates([incident], membership)[incident.pk]
    return {
        "incident": incident,
        "candidates": candidates,
        # Only a report without a personal-data flag or possible duplicates may be accepted
        # together with others; the rest need a look of their own.
        "bulk": not incident.personal_data_flag and not candidates,
        "correct_form": forms.get("correct_form")
        or CorrectForm(
            membership=membership,
            options=options,
            initial={
                "category": incident.category_id,
                "area": incident.area_id,
                "place": incident.place_id,
                "severity": incident.severity,
            },
            prefix=f"c{incident.pk}",
        ),
        "reject_form": forms.get("reject_form") or RejectForm(prefix=f"r{incident.pk}"),
    }


def _review_done(request, incident, message):
    """After a review action: the updated item for htmx, else back to the queue as it was."""
    if request.htmx:
        return render(
            request, "incidents/_review_done.html", {"incident": incident, "message": message}
        )
    messages.success(request, message)
    return _back_to_queue(request)


def _review_failed(request, membership, incident, **forms):
    context = {"item": _review_context(membership, incident, **forms)}
    if request.htmx:
        context["back"] = request.POST.get("back", "")
        return render(request, "incidents/_review_item.html", context, status=400)
    # The queue as the coordinator left it, with this item and its messages in it.
    request.GET = QueryDict(_review_query(QueryDict(request.POST.get("back", "")), keep_page=True))
    form, filters = _review_filters(request)
    return _review_page(request, filters, form=form, failed=context["item"], status=400)


@require_POST
@member_required(Role.COORDINATOR)
def review_bulk_accept(request):
    """Accept the ticked reports together (never those flagged for personal data)."""
    membership = request.membership
    form = BulkAcceptForm(request.POST, candidates=queries.review_queue(membership))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["incidents"]))
        return _back_to_queue(request)
    try:
        accepted = services.accept_incidents(
            actor=request.user,
            membership=membership,
            incidents=list(form.cleaned_data["incidents"]),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("%(n)s händelse godkänd.", "%(n)s händelser godkända.", len(accepted))
            % {"n": len(accepted)},
        )
    return _back_to_queue(request)


@require_POST
@member_required(Role.COORDINATOR)
def review_accept(request, pk: int):
    incident = get_for_member(Incident.objects.all(), request.membership, pk)
    try:
        services.accept_incident(actor=request.user, incident=incident, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_queue(request)
    return _review_done(request, incident, _("Händelse nr %(id)s godkänd.") % {"id": pk})


@require_POST
@member_required(Role.COORDINATOR)
def review_correct(request, pk: int):
    membership = request.membership
    incident = get_for_member(Incident.objects.all(), membership, pk)
    form = CorrectForm(request.POST, membership=membership, prefix=f"c{pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_incident(
                actor=request.user,
                incident=incident,
                category=data["category"],
                area=data["area"],
                place=data["place"],
                clear_place=data["place"] is None,
                severity=data["severity"],
                reason=data["reason"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _review_done(
                request, incident, _("Händelse nr %(id)s rättad och godkänd.") % {"id": pk}
            )
    return _review_failed(request, membership, incident, correct_form=form)


@require_POST
@member_required(Role.COORDINATOR)
def review_reject(request, pk: int):
    membership = request.membership
    incident = get_for_member(Incident.objects.all(), membership, pk)
    form = RejectForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        try:
            services.reject_incident(
                actor=request.user,
                incident=incident,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _review_done(request, incident, _("Händelse nr %(id)s avvisad.") % {"id": pk})
    return _review_failed(request, membership, incident, reject_form=form)


@require_POST
@member_required(Role.COORDINATOR)
def review_merge(request, pk: int):
    """Merge the chosen duplicates into this incident (it keeps links to what it absorbed)."""
    membership = request.membership
    target = get_for_member(Incident.objects.all(), membership, pk)
    form = MergeForm(request.POST, candidates=queries.filter_incidents(membership, {}))
    if form.is_valid():
        try:
            services.merge_incidents(
                actor=request.user,
                target=target,
                duplicates=list(form.cleaned_data["duplicates"]),
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back_to_queue(request)
        return _review_done(
            request, target, _("Dubbletter sammanslagna med nr %(id)s.") % {"id": pk}
        )
    messages.error(request, _("Välj vilka händelser som är dubbletter."))
    return _back_to_queue(request)
