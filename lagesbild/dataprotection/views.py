"""Data protection pages: redact and erase an incident, the retention schedule, and the
user's own data extract. Thin: parse, call a service, render. Scoping and roles come from
`partnerships.access`."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.dataprotection import erasure, extract, redaction, retention
from lagesbild.dataprotection.forms import EraseForm, RedactForm, RetentionForm
from lagesbild.dataprotection.models import RetentionRun
from lagesbild.incidents.models import Incident
from lagesbild.partnerships.access import Role, get_for_member, member_required, scoped
from lagesbild.web.htmx import add_service_errors

coordinator_required = member_required(Role.COORDINATOR)


def _incident(request, pk: int) -> Incident:
    related = Incident.objects.select_related("category", "area", "partnership")
    return get_for_member(related, request.membership, pk)


@coordinator_required
def redact(request, pk: int):
    incident = _incident(request, pk)
    form = RedactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            redaction.redact_incident_text(
                actor=request.user, incident=incident, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Texten är maskerad och borta ur databasen."))
            return redirect("incidents:detail", incident.pk)
    context = {"nav": "list", "incident": incident, "form": form, "marker": redaction.MARKER}
    return render(
        request, "dataprotection/redact.html", context, status=400 if form.errors else 200
    )


@coordinator_required
def erase(request, pk: int):
    incident = _incident(request, pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.erase_incident(
                actor=request.user,
                incident=incident,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Händelse nr %(id)s är raderad.") % {"id": incident.pk})
            return redirect("incidents:list")
    context = {"nav": "list", "incident": incident, "form": form}
    return render(request, "dataprotection/erase.html", context, status=400 if form.errors else 200)


@coordinator_required
def retention_schedule(request):
    """The schedule's form. A changed schedule is first previewed ("this changes X reports
    and Y audit entries") and saved only when the coordinator confirms the preview."""
    partnership = request.membership.partnership
    current = retention.schedule_of(partnership)
    form = RetentionForm(request.POST or None, initial=current.as_dict())
    preview = None
    if request.method == "POST" and form.is_valid():
        schedule = form.schedule()
        try:
            if request.POST.get("confirm") == "1":
                retention.save_schedule(
                    actor=request.user, partnership=partnership, schedule=schedule, request=request
                )
                messages.success(
                    request, _("Gallringsschemat är sparat. Det tillämpas varje natt.")
                )
                return redirect("dataprotection:retention")
            preview = retention.preview(partnership, schedule)
        except ValidationError as exc:
            add_service_errors(form, exc)
    runs = scoped(RetentionRun.objects.all(), request.membership)[:20]
    context = {
        "nav": "manage",
        "form": form,
        "current": current,
        "preview": preview,
        "runs": runs,
    }
    return render(
        request, "dataprotection/retention.html", context, status=400 if form.errors else 200
    )


@login_required
def my_data(request):
    """The user's own data extract as a JSON download."""
    data = extract.user_extract(user=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"mina-uppgifter-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
