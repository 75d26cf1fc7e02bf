"""Invitations by link: a coordinator invites a member of the partnership, the installation's
administrator its first coordinator (installation_views). The link is shown once, since only
its hash is kept; the link is also e-mailed where the installation sends e-mail, and the page
says whether it was. Accepting it is
`accounts.invitations.accept_invitation`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.accounts.invitations import invite, send_invitation
from lagesbild.accounts.models import Invitation
from lagesbild.partnerships import forms
from lagesbild.partnerships.access import Role, member_required
from lagesbild.web.htmx import add_service_errors


def invitation_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("accounts:invitation", args=[token]))


def show_link(request, invitation: Invitation, token: str, *, created: bool, back: tuple, nav: str):
    """E-mail the link where the installation sends e-mail, then show it, once, with what
    became of the e-mail. `back`: the URL and label of the way back; `nav`: the menu entry
    marked as current."""
    link = invitation_link(request, token)
    delivery = send_invitation(
        actor=request.user, invitation=invitation, link=link, request=request
    )
    return render(
        request,
        "partnerships/invited.html",
        {
            "nav": nav,
            "invitation": invitation,
            "link": link,
            "created": created,
            "delivery": delivery,
            "back_url": back[0],
            "back_label": back[1],
        },
        status=201,
    )


def invitations_of(partnership):
    return Invitation.objects.filter(partnership=partnership).select_related("user")


@member_required(Role.COORDINATOR)
def member_invite(request):
    """A coordinator invites a member: name, e-mail, organisation and role; the invitee
    chooses their own user name and password from the link."""
    membership = request.membership
    form = forms.MemberInviteForm(
        request.POST if request.method == "POST" else None, membership=membership
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = invite(
                actor=request.user,
                partnership=membership.partnership,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            back = (reverse("partnerships:member_list"), _("Medlemmar"))
            return show_link(request, invitation, token, created=False, back=back, nav="manage")
    return render(
        request,
        "partnerships/member_invite.html",
        {
            "nav": "manage",
            "form": form,
            "invitations": invitations_of(membership.partnership),
            "invitation_days": settings.INVITATION_DAYS,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )
