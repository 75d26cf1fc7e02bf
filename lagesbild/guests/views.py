"""The guests' own pages (approved weekly and periodic pictures of invited areas and their
PDF and Excel files, joint efforts, shared decisions, granted detail) and the coordinator's
pages that invite guests and grant detail.

Guest pages use `guest_required`; every read goes through `scoped`, whose GUEST_RULES limit
it, so these views never widen what the member pages show."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from lagesbild.audit.record import record
from lagesbild.guests import exports, queries, services
from lagesbild.guests.forms import GrantForm, InviteForm
from lagesbild.guests.models import DetailGrant
from lagesbild.interventions import services as interventions
from lagesbild.interventions.forms import ProgressNoteForm
from lagesbild.partnerships.access import Role, get_for_member, guest_required, member_required
from lagesbild.pictures import presenters
from lagesbild.pictures.exports.formats import FORMATS
from lagesbild.web.fields import MAX_ID
from lagesbild.web.htmx import add_service_errors, form_page

# --- the guest's pages -----------------------------------------------------------------------


@guest_required
def start(request):
    membership = request.membership
    return render(
        request,
        "guests/start.html",
        {
            "nav": "guest",
            "pictures": queries.pictures(membership),
            "periodic": queries.pictures(membership, weekly=False),
            "efforts": queries.joint_efforts(membership),
            "decisions": queries.shared_decisions(membership),
            "grants": queries.active_grants(membership),
        },
    )


@guest_required
def picture(request, iso: str, version: int):
    """An approved weekly picture, limited to the invited areas."""
    membership = request.membership
    found = queries.picture(membership, iso, version)
    return render(
        request,
        "guests/picture.html",
        {
            "nav": "guest",
            "picture": found,
            "areas": queries.picture_areas(
                found.content, queries.invited_area_ids(membership), _below(membership)
            ),
            "count_note": queries.count_note(_below(membership)),
            "downloads": _downloads("guests:picture_export", found),
        },
    )


@guest_required
def period(request, period: str, version: int):
    """An approved quarter, tertial or year, limited to the invited areas."""
    membership = request.membership
    found = queries.picture(membership, period, version, weekly=False)
    return render(
        request,
        "guests/period.html",
        {
            "nav": "guest",
            "picture": found,
            "title": presenters.periodic_title(found.content),
            "notes": presenters.periodic_notes(found.content),
            "explanation": queries.periodic_explanation(found.content),
            "areas": queries.periodic_areas(
                found.content, queries.invited_area_ids(membership), _below(membership)
            ),
            "count_note": queries.count_note(_below(membership), weekly=False),
            "downloads": _downloads("guests:period_export", found),
        },
    )


def _below(membership) -> int:
    return membership.partnership.suppress_below


def _downloads(name: str, picture) -> list[dict]:
    return [
        {"label": chosen.label, "url": reverse(name, args=[picture.period, picture.version, fmt])}
        for fmt, chosen in exports.GUEST_FORMATS.items()
    ]


@require_GET
@guest_required
def picture_export(request, iso: str, version: int, fmt: str):
    found = queries.picture(request.membership, iso, version)
    return _export(request, found, fmt, "guests:picture")


@require_GET
@guest_required
def period_export(request, period: str, version: int, fmt: str):
    found = queries.picture(request.membership, period, version, weekly=False)
    return _export(request, found, fmt, "guests:period")


def _export(request, found, fmt: str, page: str):
    """The guest's PDF or Excel file of an approved picture, audited like every export. A
    format the members have but guests do not (the GIS files) is refused with a sentence."""
    if fmt not in exports.GUEST_FORMATS:
        if fmt not in FORMATS:
            raise Http404
        messages.error(
            request,
            _(
                "Som gäst kan du ladda ned lägesbilden som PDF eller Excel. GIS-filerna visar "
                "alla områdens gränser och siffror och lämnas inte ut till gäster."
            ),
        )
        return redirect(page, found.period, found.version)
    data = exports.build(request.membership, found, fmt)
    record(
        actor=request.user,
        action="picture.export",
        partnership=request.membership.partnership,
        obj=found,
        summary=f"{found.period} {fmt} v{found.version} (gäst)",
        request=request,
        format=fmt,
        period=found.period,
        version=found.version,
        guest=True,
    )
    response = HttpResponse(data, content_type=exports.GUEST_FORMATS[fmt].content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(found, fmt)}"'
    return response


def _effort_page(request, intervention, form=None, status=200):
    return render(
        request,
        "guests/effort.html",
        {
            "nav": "guest",
            "intervention": intervention,
            "can_log": interventions.can_log(request.membership, intervention),
            "note_form": form or ProgressNoteForm(initial={"done_on": timezone.localdate()}),
        },
        status=status,
    )


@guest_required
def effort(request, pk: int):
    """A joint effort the guest's organisation takes part in, with its progress log."""
    intervention = get_for_member(queries.joint_efforts(request.membership), request.membership, pk)
    return _effort_page(request, intervention)


@require_POST
@guest_required
def effort_note(request, pk: int):
    intervention = get_for_member(queries.joint_efforts(request.membership), request.membership, pk)
    form = ProgressNoteForm(request.POST)
    if form.is_valid():
        try:
            interventions.add_progress_note(
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
            return redirect("guests:effort", pk=intervention.pk)
    return _effort_page(request, intervention, form, status=400)


@guest_required
def detail(request):
    """Incident detail under the organisation's active grants; each read is audited."""
    membership = request.membership
    grants = queries.active_grants(membership)
    page = (
        services.read_granted_detail(
            actor=request.user, membership=membership, page=request.GET.get("page"), request=request
        )
        if grants
        else None
    )
    return render(request, "guests/detail.html", {"nav": "guest", "grants": grants, "page": page})


# --- the coordinator's pages -----------------------------------------------------------------

BACK = ("guests:manage", _lazy("Gästmyndigheter"))


@member_required(Role.COORDINATOR)
def manage(request):
    membership = request.membership
    return render(
        request,
        "guests/manage.html",
        {
            "nav": "manage",
            "guests": queries.invitations(membership),
            "grants": queries.grants(membership),
            "today": timezone.localdate(),
        },
    )


def _invitation_initial(membership, organisation: str) -> dict:
    """The invitation's current areas when the coordinator changes it (?organisation=<id>);
    text or a number beyond any id is simply no invitation."""
    if not organisation.isdigit() or int(organisation) > MAX_ID:
        return {}
    found = queries.invitations(membership).filter(organisation=int(organisation)).first()
    if found is None:
        return {}
    return {"organisation": found.organisation_id, "areas": list(found.areas.all())}


@member_required(Role.COORDINATOR)
def invite(request):
    membership = request.membership
    initial = _invitation_initial(membership, request.GET.get("organisation", ""))
    form = InviteForm(request.POST or None, membership=membership, initial=initial)
    return form_page(
        request,
        form,
        lambda data: services.invite_guest(
            actor=request.user, partnership=membership.partnership, request=request, **data
        ),
        template="partnerships/form.html",
        success=_("%(name)s är inbjuden som gästmyndighet."),
        next_url="guests:manage",
        nav="manage",
        back=BACK,
        title=_("Bjud in en gästmyndighet"),
    )


@member_required(Role.COORDINATOR)
def grant(request):
    membership = request.membership
    form = GrantForm(request.POST or None, membership=membership)
    return form_page(
        request,
        form,
        lambda data: services.grant_detail(actor=request.user, request=request, **data),
        template="partnerships/form.html",
        success=_("Behörigheten är beviljad: %(name)s."),
        next_url="guests:manage",
        nav="manage",
        back=BACK,
        title=_("Bevilja tillgång till händelsedetaljer"),
    )


@require_POST
@member_required(Role.COORDINATOR)
def revoke(request, pk: int):
    found = get_for_member(DetailGrant.objects.select_related("guest"), request.membership, pk)
    try:
        services.revoke_grant(actor=request.user, grant=found, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Behörigheten är återkallad."))
    return redirect("guests:manage")
