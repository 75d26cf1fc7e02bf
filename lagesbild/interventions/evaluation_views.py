"""The evaluation page of an intervention, its set-up, recomputation, and the overview of
closed interventions with their verdicts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lagesbild.audit.record import record
from lagesbild.geography.queries import leaf_areas
from lagesbild.interventions import evaluation, presenters, queries, services
from lagesbild.interventions.forms import EvaluationSetupForm, OverviewFilterForm, ReflectionForm
from lagesbild.interventions.models import EvaluationRequest, Intervention, YearlyReflection
from lagesbild.interventions.yearly import yearly_picture
from lagesbild.interventions.yearly_excel import build as yearly_excel_build
from lagesbild.interventions.yearly_pdf import build as yearly_pdf_build
from lagesbild.partnerships.access import Role, get_for_member, has_role, member_required
from lagesbild.web.htmx import add_service_errors


def _setup_form(membership, intervention, data=None) -> EvaluationSetupForm:
    areas = (
        leaf_areas(membership).exclude(pk__in=evaluation.target_ids(intervention)).order_by("name")
    )
    initial = {
        "comparison_areas": list(intervention.comparison_areas.all()),
        "buffer_chosen": intervention.buffer_chosen,
        "buffer_areas": list(intervention.buffer_areas.all()),
        "weeks_before": intervention.weeks_before,
        "weeks_after": intervention.weeks_after,
    }
    return EvaluationSetupForm(data, initial=initial, areas=areas)


def _page(request, intervention, form=None, status=200):
    membership = request.membership
    stored = list(intervention.evaluations.order_by("-version"))
    pending = evaluation.pending_request(intervention)
    wanted = request.GET.get("version")
    shown = None
    if wanted:
        shown = next((e for e in stored if str(e.version) == wanted), None)
        if shown is None:
            raise Http404
    elif intervention.closed_at is not None and stored:
        shown = stored[0]
    elif pending is not None:
        # Closed, and its first version is on its way: the progress, not a computation here.
        return render(
            request,
            "interventions/evaluation_pending.html",
            {"nav": "interventions", "intervention": intervention, "pending": pending},
        )
    result = shown.result if shown is not None else evaluation.evaluate(intervention)
    return render(
        request,
        "interventions/evaluation.html",
        {
            "nav": "interventions",
            "intervention": intervention,
            "result": result,
            "stored": stored,
            "shown": shown,
            "verdict": presenters.verdict_sentence(result),
            "pre_trend": presenters.pre_trend_sentence(result),
            "placebo": presenters.placebo_sentence(result),
            "wdq": presenters.wdq_sentence(result),
            "proposal": [
                {**p, "reason": presenters.proposal_reason(p)} for p in result["proposal"]
            ],
            "chart": presenters.series_chart(result),
            "event_chart": presenters.event_study_chart(result),
            "can_set_up": has_role(membership, Role.ANALYST),
            "can_recompute": has_role(membership, Role.ANALYST)
            and intervention.closed_at is not None,
            "pending": pending,
            "failed": _failed(intervention, pending),
            "form": form or _setup_form(membership, intervention),
        },
        status=status,
    )


@member_required(Role.MEMBER)
def evaluation_page(request, pk: int):
    intervention = get_for_member(queries.interventions(request.membership), request.membership, pk)
    return _page(request, intervention)


@require_POST
@member_required(Role.ANALYST)
def evaluation_setup(request, pk: int):
    membership = request.membership
    intervention = get_for_member(Intervention.objects.all(), membership, pk)
    form = _setup_form(membership, intervention, request.POST)
    if form.is_valid():
        try:
            services.set_evaluation_setup(
                actor=request.user,
                membership=membership,
                intervention=intervention,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Inställningarna är sparade. En avslutad insats räknas om som en ny version.")
                if intervention.closed_at
                else _("Inställningarna är sparade."),
            )
            return redirect("interventions:evaluation", pk=intervention.pk)
    return _page(request, intervention, form=form, status=400)


def _failed(intervention, pending):
    """The newest request, when it failed and nothing newer is on its way."""
    if pending is not None:
        return None
    newest = intervention.evaluation_requests.order_by("-requested_at", "-id").first()
    return newest if newest and newest.status == EvaluationRequest.Status.FAILED else None


@require_POST
@member_required(Role.ANALYST)
def evaluation_recompute(request, pk: int):
    intervention = get_for_member(Intervention.objects.all(), request.membership, pk)
    if intervention.closed_at is None:
        messages.error(
            request, _("Utvärderingen fryses när insatsen avslutas; den visas nu som preliminär.")
        )
        return redirect("interventions:evaluation", pk=intervention.pk)
    evaluation.request_evaluation(actor=request.user, intervention=intervention)
    messages.success(
        request, _("Utvärderingen beräknas som en ny version; sidan visar den när den är klar.")
    )
    return redirect("interventions:evaluation", pk=intervention.pk)


@member_required(Role.MEMBER)
def evaluation_status(request, pk: int):
    """htmx polling target while an evaluation computes: tells the page to reload when the
    computation is no longer on its way (done, failed or lost)."""
    intervention = get_for_member(queries.interventions(request.membership), request.membership, pk)
    pending = evaluation.pending_request(intervention)
    response = render(request, "interventions/_evaluation_status.html", {"pending": pending})
    if pending is None:
        response["HX-Refresh"] = "true"
    return response


@member_required(Role.MEMBER)
def overview(request):
    """Closed interventions with their verdicts, filterable by type, area and category."""
    membership = request.membership
    form = OverviewFilterForm(request.GET or None, partnership=membership.partnership)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.closed_with_verdicts(
        membership,
        kind=filters.get("kind"),
        area=filters.get("area"),
        category=filters.get("category"),
    )
    for row in rows:
        result = row["evaluation"].result if row["evaluation"] else None
        row["short"] = presenters.short_verdict(result) if result else _("Ej utvärderad")
        row["sentence"] = presenters.verdict_sentence(result) if result else ""
    return render(
        request,
        "interventions/overview.html",
        {"nav": "interventions", "rows": rows, "form": form, "year": timezone.localdate().year},
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _yearly_page(request, year: int, invalid: ReflectionForm | None = None):
    """The yearly deepened picture (fördjupad EST) as a page; a coordinator gets a form for
    the group's reflection under every heading (`invalid`: one that failed, with its errors)."""
    data = yearly_picture(request.membership, _year(year))
    forms = {
        s["heading"]: ReflectionForm(
            prefix=s["heading"],
            title=s["title"],
            initial={"text": s["reflections"][0].text if s["reflections"] else ""},
        )
        for s in data["sections"]
    }
    if invalid is not None:
        forms[invalid.prefix] = invalid
    return render(
        request,
        "interventions/yearly.html",
        {
            "nav": "interventions",
            "data": data,
            "year": year,
            "previous": year - 1,
            "next": year + 1,
            "forms": forms,
            "can_reflect": has_role(request.membership, Role.COORDINATOR),
        },
        status=200 if invalid is None else 400,
    )


@member_required(Role.MEMBER)
def yearly(request, year: int):
    return _yearly_page(request, year)


@require_POST
@member_required(Role.COORDINATOR)
def yearly_reflection(request, year: int, heading: str):
    """A coordinator saves the group's reflection under one heading of the year."""
    titles = dict(YearlyReflection.Heading.choices)
    if heading not in titles:
        raise Http404
    form = ReflectionForm(request.POST, prefix=heading, title=titles[heading])
    if form.is_valid():
        try:
            saved = services.save_reflection(
                actor=request.user,
                membership=request.membership,
                year=_year(year),
                heading=heading,
                text=form.cleaned_data["text"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            if saved is None:
                messages.info(request, _("Reflektionen är oförändrad."))
            else:
                messages.success(
                    request,
                    _("Reflektionen är sparad som version %(v)s.") % {"v": saved.version},
                )
            url = reverse("interventions:yearly", args=[year])
            return redirect(f"{url}#reflektion-{heading}")
    return _yearly_page(request, year, invalid=form)


def _yearly_export(request, year: int, fmt: str) -> dict:
    data = yearly_picture(request.membership, _year(year))
    record(
        actor=request.user,
        action="intervention.yearly_export",
        partnership=request.membership.partnership,
        request=request,
        summary=str(year),
        format=fmt,
    )
    return data


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required(Role.MEMBER)
def yearly_excel(request, year: int):
    data = _yearly_export(request, year, "xlsx")
    return _attachment(
        yearly_excel_build(data),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"fordjupad-lagesbild-{year}.xlsx",
    )


@member_required(Role.MEMBER)
def yearly_pdf(request, year: int):
    data = _yearly_export(request, year, "pdf")
    return _attachment(yearly_pdf_build(data), "application/pdf", f"fordjupad-lagesbild-{year}.pdf")
