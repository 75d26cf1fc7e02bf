"""Invitations: how a person gets an account without anyone else knowing their password."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lagesbild.partnerships.models import Membership


class Invitation(models.Model):
    """An invitation to join a partnership in a role, through one of its organisations.

    The link carries a random token; only its SHA-256 is stored, so the table alone does not
    let anyone in. It works once, until `expires_at`. The invitee chooses a user name and a
    password; the membership is made then, through the same service a coordinator uses.
    """

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "partnerships.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("roll"), max_length=20, choices=Membership.Role.choices)
    first_name = models.CharField(_("förnamn"), max_length=150)
    last_name = models.CharField(_("efternamn"), max_length=150)
    email = models.EmailField(_("e-postadress"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    expires_at = models.DateTimeField(_("gäller till"))
    accepted_at = models.DateTimeField(_("antagen"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("konto"),
    )

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} – {self.partnership}"
