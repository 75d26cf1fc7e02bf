"""The installation administrator's pages: a new partnership and the invitation of its
coordinator. Staff only; the partnership's own pages stay with its members."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.accounts.invitations import invite
from lagesbild.accounts.models import Invitation
from lagesbild.partnerships import forms
from lagesbild.partnerships.access import Role, staff_required
from lagesbild.partnerships.invitation_views import invitations_of, show_link
from lagesbild.partnerships.models import Organisation, Partnership
from lagesbild.partnerships.onboarding import Invitee, set_up_partnership
from lagesbild.web.htmx import add_service_errors


def _invited(request, invitation: Invitation, token: str, *, created: bool):
    back = (
        reverse("partnerships:invite_coordinator", args=[invitation.partnership.pk]),
        _("Inbjudningar till samverkan"),
    )
    return show_link(request, invitation, token, created=created, back=back, nav="home")


@staff_required
def create(request):
    """A new partnership with its first organisation and checklist, and an invitation link
    for its first coordinator."""
    form = forms.PartnershipCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = set_up_partnership(
                actor=request.user,
                name=data["name"],
                municipality_code=data["municipality_code"],
                time_zone=data["time_zone"],
                checklist=data["checklist"],
                organisation_name=data["organisation_name"],
                organisation_kind=data["organisation_kind"],
                coordinator=Invitee(data["first_name"], data["last_name"], data["email"]),
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _invited(request, done.invitation, done.token, created=True)
    return render(
        request,
        "partnerships/partnership_create.html",
        {"nav": "home", "form": form, "invitation_days": settings.INVITATION_DAYS},
        status=400 if form.errors else 200,
    )


@staff_required
def invite_coordinator(request, pk: int):
    """Another coordinator invitation for a partnership, e.g. when the first link expired."""
    partnership = get_object_or_404(Partnership, pk=pk)
    organisation = (
        Organisation.objects.filter(partnership=partnership, active=True).order_by("pk").first()
    )
    form = forms.InviteeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = invite(
                actor=request.user,
                partnership=partnership,
                organisation=organisation,
                role=Role.COORDINATOR,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _invited(request, invitation, token, created=False)
    invitations = invitations_of(partnership)
    return render(
        request,
        "partnerships/invite_coordinator.html",
        {
            "nav": "home",
            "form": form,
            "partnership": partnership,
            "organisation": organisation,
            "invitations": invitations,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )
