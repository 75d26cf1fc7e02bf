"""Guest organisations (other authorities invited to a partnership) and the time-limited
grants that let them see incident detail."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GuestOrganisation(models.Model):
    """An organisation of another authority (Skatteverket, Försäkringskassan, …) invited to
    the partnership as a guest: its members with the guest role see the approved pictures of
    these areas and nothing else, unless a `DetailGrant` says so."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="guests"
    )
    organisation = models.OneToOneField(
        "partnerships.Organisation", on_delete=models.CASCADE, related_name="guest_invitation"
    )
    areas = models.ManyToManyField(
        "geography.Area", blank=True, related_name="+", verbose_name=_("inbjudna områden")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gästmyndighet")
        verbose_name_plural = _("gästmyndigheter")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)


class DetailGrantQuerySet(models.QuerySet):
    def holding(self, today=None):
        """The grants that hold on `today` (by default today): not revoked, and `today` within
        their period. The one rule every reader of granted detail applies."""
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts__lte=today, ends__gte=today)


class DetailGrant(models.Model):
    """A coordinator's permission for a guest organisation to see incident detail (category,
    time, area, position, description) of some of its invited areas, for a stated purpose.

    The period is both what it covers and how long it holds: incidents that occurred from
    `starts` to `ends`, readable until the end of `ends`. Expiry is checked at every read
    (`DetailGrant.objects.holding()`), so nothing has to run for a grant to end."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    guest = models.ForeignKey(GuestOrganisation, on_delete=models.CASCADE, related_name="grants")
    areas = models.ManyToManyField("geography.Area", related_name="+", verbose_name=_("områden"))
    purpose = models.CharField(_("syfte"), max_length=500)
    starts = models.DateField(_("från och med"))
    ends = models.DateField(_("till och med"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = DetailGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("behörighet till detaljer")
        verbose_name_plural = _("behörigheter till detaljer")
        ordering = ["-starts", "-id"]

    def __str__(self) -> str:
        return f"{self.guest} {self.starts}–{self.ends}"
