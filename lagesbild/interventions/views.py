"""Meetings (agenda, projector view, minutes, decisions) and the interventions list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lagesbild.incidents import weeks
from lagesbild.interventions import origins, queries, services
from lagesbild.interventions.forms import (
    DecisionForm,
    FlagOriginForm,
    InterventionForm,
    InterventionTypeForm,
    MeetingForm,
    MinutesForm,
    ProgressNoteForm,
    StatusForm,
)
from lagesbild.interventions.models import Intervention, InterventionType, Meeting
from lagesbild.partnerships.access import Role, get_for_member, has_role, member_required, scoped
from lagesbild.pictures import runs
from lagesbild.web.htmx import add_service_errors


def _picture_content(partnership, iso: str) -> dict | None:
    """The approved picture of the week if there is one, else the live draft."""
    return origins.week_picture(partnership, iso)[0]


@member_required(Role.MEMBER)
def meeting_list(request):
    membership = request.membership
    today = timezone.localdate()
    held_on = services.next_meeting_date(today)
    form = MeetingForm(initial={"held_on": held_on, "week": services.week_before(held_on)})
    meetings = scoped(Meeting.objects.all(), membership)
    return render(
        request,
        "interventions/meeting_list.html",
        {
            "nav": "meetings",
            "meetings": Paginator(meetings, 30).get_page(request.GET.get("page")),
            "form": form,
            "can_create": membership.role == Role.COORDINATOR,
        },
    )


@require_POST
@member_required(Role.COORDINATOR)
def meeting_create(request):
    membership = request.membership
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            code = weeks.parse(form.cleaned_data["week"])
        except ValueError:
            form.add_error("week", _("Ange veckan som 2026-W47."))
        else:
            iso = weeks.iso(code)
            partnership = membership.partnership
            current = _picture_content(partnership, iso)
            previous = _picture_content(partnership, weeks.iso(weeks.shift(code, -1)))
            agenda = services.build_agenda(
                partnership, iso, current, previous, form.cleaned_data["held_on"]
            )
            try:
                meeting = services.create_meeting(
                    actor=request.user,
                    partnership=partnership,
                    iso=iso,
                    held_on=form.cleaned_data["held_on"],
                    agenda=agenda,
                    request=request,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                # Only for a meeting that was created: a refused one changes nothing.
                if current is None:
                    runs.request_run(partnership, iso, waiting=True)
                return redirect("interventions:meeting", pk=meeting.pk)
    meetings = scoped(Meeting.objects.all(), membership)
    return render(
        request,
        "interventions/meeting_list.html",
        {
            "nav": "meetings",
            "meetings": Paginator(meetings, 30).get_page(1),
            "form": form,
            "can_create": True,
        },
        status=400,
    )


def _meeting_context(request, meeting, **forms):
    partnership = request.membership.partnership
    return {
        "nav": "meetings",
        "meeting": meeting,
        "decisions": meeting.decisions.select_related("intervention", "created_by"),
        "can_edit": request.membership.role == Role.COORDINATOR,
        "minutes_form": forms.get("minutes_form")
        or MinutesForm(
            initial={
                "minutes": meeting.minutes,
                "attendees": meeting.attendees,
                "closed": meeting.closed,
            }
        ),
        "decision_form": forms.get("decision_form")
        or DecisionForm(partnership=partnership, meeting=meeting),
    }


@member_required(Role.MEMBER)
def meeting_detail(request, pk: int):
    meeting = get_for_member(Meeting.objects.all(), request.membership, pk)
    return render(request, "interventions/meeting.html", _meeting_context(request, meeting))


@member_required(Role.MEMBER)
def meeting_projector(request, pk: int):
    """Large type for the wall: the agenda, one item under the other, numbered."""
    meeting = get_for_member(Meeting.objects.all(), request.membership, pk)
    return render(
        request,
        "interventions/projector.html",
        {"meeting": meeting, "decisions": meeting.decisions.all()},
    )


@require_POST
@member_required(Role.COORDINATOR)
def meeting_minutes(request, pk: int):
    meeting = get_for_member(Meeting.objects.all(), request.membership, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.save_minutes(
                actor=request.user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error("minutes", exc)
        else:
            messages.success(request, _("Protokollet är sparat."))
            return redirect("interventions:meeting", pk=meeting.pk)
    return render(
        request,
        "interventions/meeting.html",
        _meeting_context(request, meeting, minutes_form=form),
        status=400,
    )


@require_POST
@member_required(Role.COORDINATOR)
def meeting_decision(request, pk: int):
    meeting = get_for_member(Meeting.objects.all(), request.membership, pk)
    form = DecisionForm(request.POST, partnership=request.membership.partnership, meeting=meeting)
    if form.is_valid():
        try:
            services.add_decision(
                actor=request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                intervention=form.intervention_data(),
                shared_with_guests=form.cleaned_data["shared_with_guests"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Beslutet är protokollfört."))
            return redirect("interventions:meeting", pk=meeting.pk)
    return render(
        request,
        "interventions/meeting.html",
        _meeting_context(request, meeting, decision_form=form),
        status=400,
    )


def _rows(membership, items) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "item": i,
            "overdue": i.status in services.OPEN and i.due_date < today,
            "can_update": services.can_update(membership, i),
            "form": StatusForm(initial={"status": i.status}, prefix=f"s{i.pk}"),
        }
        for i in items
    ]


@member_required(Role.MEMBER)
def intervention_list(request):
    membership = request.membership
    items = queries.interventions(membership)
    status = request.GET.get("status", "open")
    if status == "open":
        items = items.filter(status__in=services.OPEN)
    elif status in Intervention.Status.values:
        items = items.filter(status=status)
    return render(
        request,
        "interventions/list.html",
        {
            "nav": "interventions",
            "rows": _rows(membership, items),
            "status": status,
            "statuses": Intervention.Status.choices,
            "can_create": has_role(membership, Role.COORDINATOR),
        },
    )


@member_required(Role.MEMBER)
def my_interventions(request):
    """Mina insatser: what the member's organisation is responsible for or contributes to."""
    membership = request.membership
    items = queries.mine(membership)
    open_items = items.filter(status__in=services.OPEN)
    return render(
        request,
        "interventions/mine.html",
        {
            "nav": "interventions",
            "rows": _rows(membership, open_items),
            "closed": items.exclude(status__in=services.OPEN),
            "organisation": membership.organisation,
        },
    )


def _detail_context(request, intervention, **forms) -> dict:
    membership = request.membership
    evaluation = intervention.evaluations.order_by("-version").first()
    return {
        "nav": "interventions",
        "intervention": intervention,
        "categories": intervention.categories.all(),
        "contributors": intervention.contributors.all(),
        "notes": intervention.progress_notes.select_related("organisation"),
        "decision": getattr(intervention, "decision", None),
        "evaluation": evaluation,
        "can_edit": has_role(membership, Role.COORDINATOR),
        "can_log": services.can_log(membership, intervention),
        "can_update": services.can_update(membership, intervention),
        "status_form": StatusForm(
            initial={"status": intervention.status}, prefix=f"s{intervention.pk}"
        ),
        "note_form": forms.get("note_form")
        or ProgressNoteForm(initial={"done_on": timezone.localdate()}),
    }


@member_required(Role.MEMBER)
def intervention_detail(request, pk: int):
    intervention = get_for_member(queries.interventions(request.membership), request.membership, pk)
    return render(request, "interventions/detail.html", _detail_context(request, intervention))


@require_POST
@member_required(Role.MEMBER)
def intervention_note(request, pk: int):
    intervention = get_for_member(Intervention.objects.all(), request.membership, pk)
    if not services.can_log(request.membership, intervention):
        raise PermissionDenied
    form = ProgressNoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_progress_note(
                actor=request.user,
                membership=request.membership,
                intervention=intervention,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Anteckningen är sparad."))
            return redirect("interventions:detail", pk=intervention.pk)
    return render(
        request,
        "interventions/detail.html",
        _detail_context(request, intervention, note_form=form),
        status=400,
    )


def _edit_page(request, form, intervention=None, status=200, flag=None, origin=None):
    return render(
        request,
        "interventions/edit.html",
        {
            "nav": "interventions",
            "form": form,
            "intervention": intervention,
            "flag": flag,
            "origin": origin,
        },
        status=status,
    )


def _flag_origin(request, data) -> tuple[FlagOriginForm | None, dict | None, object]:
    """The flag a new intervention starts from, when the weekly picture's link named one:
    (its form, the origin, the approved picture), or a message and no origin when the
    week's picture no longer holds it."""
    if "vecka" not in data:
        return None, None, None
    flag = FlagOriginForm(data)
    if flag.is_valid():
        try:
            origin, picture = origins.flag_origin(request.membership.partnership, **flag.flag())
        except ValidationError as exc:
            messages.warning(request, exc.messages[0])
        else:
            return flag, origin, picture
    return None, None, None


@member_required(Role.COORDINATOR)
def intervention_create(request):
    """A coordinator registers an intervention outside a meeting, from scratch or from a flag
    in the weekly picture (prefilled with its area and category group, origin kept)."""
    partnership = request.membership.partnership
    if request.method != "POST":
        flag, origin, _picture = _flag_origin(request, request.GET)
        initial = {}
        if origin is not None:
            initial = {"areas": [origin["area"]], "categories": [origin.get("group")]}
            initial["categories"] = [c for c in initial["categories"] if c]
        form = InterventionForm(initial=initial, partnership=partnership)
        return _edit_page(request, form, flag=flag, origin=origin)
    flag, origin, picture = _flag_origin(request, request.POST)
    form = InterventionForm(request.POST, partnership=partnership)
    if form.is_valid():
        try:
            created = services.create_intervention(
                actor=request.user,
                partnership=partnership,
                request=request,
                origin=origin,
                origin_picture=picture,
                **form.intervention_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Insatsen är registrerad."))
            return redirect("interventions:detail", pk=created.pk)
    return _edit_page(request, form, status=400, flag=flag, origin=origin)


@member_required(Role.COORDINATOR)
def intervention_edit(request, pk: int):
    membership = request.membership
    intervention = get_for_member(Intervention.objects.all(), membership, pk)
    if request.method != "POST":
        initial = services.register_entry(intervention)
        form = InterventionForm(initial=initial, partnership=membership.partnership)
        return _edit_page(request, form, intervention)
    form = InterventionForm(request.POST, partnership=membership.partnership)
    if form.is_valid():
        data = form.intervention_data()
        data["start_date"] = data["start_date"] or intervention.start_date
        try:
            services.change_intervention(
                actor=request.user,
                membership=membership,
                intervention=intervention,
                request=request,
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Insatsen är ändrad."))
            return redirect("interventions:detail", pk=intervention.pk)
    return _edit_page(request, form, intervention, status=400)


@member_required(Role.COORDINATOR)
def intervention_types(request):
    """The partnership's taxonomy of intervention types: add, rename, retire."""
    partnership = request.membership.partnership
    form, status = InterventionTypeForm(), 200
    if request.method == "POST":
        pk = request.POST.get("pk") or None
        if pk is not None:
            get_for_member(InterventionType.objects.all(), request.membership, pk)
        form = InterventionTypeForm(request.POST)
        if form.is_valid():
            try:
                services.save_intervention_type(
                    actor=request.user,
                    partnership=partnership,
                    pk=pk,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Insatstyperna är sparade."))
                return redirect("interventions:types")
        status = 400
    types = services.intervention_types(partnership).order_by("sort_order", "name")
    return render(
        request,
        "interventions/types.html",
        {"nav": "interventions", "types": types, "form": form},
        status=status,
    )


@require_POST
@member_required(Role.MEMBER)
def intervention_status(request, pk: int):
    intervention = get_for_member(Intervention.objects.all(), request.membership, pk)
    form = StatusForm(request.POST, prefix=f"s{pk}")
    if form.is_valid():
        try:
            services.update_status(
                actor=request.user,
                membership=request.membership,
                intervention=intervention,
                status=form.cleaned_data["status"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Status för %(t)s är uppdaterad.") % {"t": intervention.title}
            )
    else:
        messages.error(request, _("Välj en status."))
    if request.POST.get("next") == "detail":
        return redirect("interventions:detail", pk=intervention.pk)
    return redirect("interventions:list")
