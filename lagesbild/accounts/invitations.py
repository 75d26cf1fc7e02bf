"""Inviting a person into a partnership: a link that works once, until it expires.

The administrator invites a new partnership's first coordinator this way, so no password
passes through anyone but its owner. Accepting makes the account and the membership through
`partnerships.services.add_member`, the same rules a coordinator's "Ny medlem" follows. Every
invitation, the administrator's and a coordinator's, is also e-mailed to the invitee where the
installation sends e-mail (`send_invitation`); the page says whether it was, so nobody waits
for a mail never sent.
"""

import hashlib
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lagesbild.accounts.models import Invitation
from lagesbild.audit.record import record
from lagesbild.partnerships.models import Membership, Organisation, Partnership
from lagesbild.partnerships.services import NewUser, add_member

log = logging.getLogger(__name__)

# Backends that deliver nothing to the invitee: the console (the default without EMAIL_HOST),
# files and the dummy. With one of them the coordinator passes the link on.
UNDELIVERED = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


class Delivery(models.TextChoices):
    """What became of the e-mail with an invitation's link."""

    SENT = "sent", gettext_lazy("skickad")
    NO_ADDRESS = "no_address", gettext_lazy("ingen adress")
    NOT_CONFIGURED = "not_configured", gettext_lazy("e-post inte inställd")
    FAILED = "failed", gettext_lazy("misslyckades")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(
    *,
    actor,
    partnership: Partnership,
    organisation: Organisation | None,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    request=None,
) -> tuple[Invitation, str]:
    """A new invitation and its token (shown once: only its hash is stored)."""
    if (
        organisation is None
        or organisation.partnership_id != partnership.pk
        or not organisation.active
    ):
        raise ValidationError(
            {"organisation": _("Välj en aktiv organisation i den här samverkan.")}
        )
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Välj en roll ur listan.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        partnership=partnership,
        organisation=organisation,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        token_hash=_hash(token),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        summary=f"{invitation.first_name} {invitation.last_name}, {role}",
        request=request,
        role=role,
        organisation=organisation.pk,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation, token


def open_invitation(token: str) -> Invitation | None:
    """The invitation of a link that still works: not used, not expired. None otherwise,
    whatever the reason, so a link reveals nothing about other invitations."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("partnership", "organisation")
        .filter(
            token_hash=_hash(token),
            accepted_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str, request=None):
    """Make the invitee's account and membership; the link stops working. Returns the user.

    The invitation row is locked, so two submits of the same link make one account."""
    invitation = open_invitation(token)
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation is None or invitation.accepted_at is not None:
        raise ValidationError(_("Länken har redan använts eller gäller inte längre."))
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Användarnamnet är upptaget. Välj ett annat.")})
    member = add_member(
        actor=None,
        partnership=invitation.partnership,
        username=username,
        organisation=invitation.organisation,
        role=invitation.role,
        new_user=NewUser(
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            email=invitation.email,
            password=password,
        ),
        request=request,
    )
    invitation.accepted_at = timezone.now()
    invitation.user = member.user
    invitation.save(update_fields=["accepted_at", "user"])
    record(
        actor=member.user,
        action="invitation.accept",
        obj=invitation,
        summary=username,
        request=request,
    )
    return member.user


def send_invitation(*, actor, invitation: Invitation, link: str, request=None) -> Delivery:
    """E-mail `link` to the invitee, when the invitation has an address and the installation
    delivers e-mail. Never raises: the invitation stands whatever the mail server does, and
    the answer tells the coordinator whether to pass the link on. Audited without the link."""
    if not invitation.email:
        return Delivery.NO_ADDRESS
    if settings.EMAIL_BACKEND in UNDELIVERED:
        return Delivery.NOT_CONFIGURED
    try:
        send_mail(
            _invitation_subject(invitation),
            _invitation_body(invitation, link),
            settings.DEFAULT_FROM_EMAIL,
            [invitation.email],
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError):
        # The operator finds the cause in the log; the coordinator gets the link on the page.
        log.exception("invitation %s: the e-mail could not be sent", invitation.pk)
        delivery = Delivery.FAILED
    else:
        delivery = Delivery.SENT
    record(
        actor=actor,
        action="invitation.mail",
        obj=invitation,
        summary=str(delivery.label),
        request=request,
        delivery=delivery.value,
    )
    return delivery


def _invitation_subject(invitation: Invitation) -> str:
    return _("Inbjudan till %(p)s i Lägesbild") % {"p": invitation.partnership.name}


def _invitation_body(invitation: Invitation, link: str) -> str:
    until = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
    return "\n".join(
        [
            _("Hej %(name)s!") % {"name": invitation.first_name},
            "",
            _(
                "Du är inbjuden till %(p)s i Lägesbild som %(role)s för %(org)s, där "
                "samverkan gör sin veckovisa lägesbild."
            )
            % {
                "p": invitation.partnership.name,
                "role": invitation.get_role_display().lower(),
                "org": invitation.organisation.name,
            },
            "",
            _("Öppna länken och välj ditt användarnamn och lösenord:"),
            link,
            "",
            _(
                "Länken fungerar en gång och gäller till %(until)s. Har du inte väntat dig "
                "inbjudan kan du bortse från det här meddelandet."
            )
            % {"until": until},
        ]
    )
