"""Tenants and who belongs to them: partnerships, organisations and memberships."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_assessment_scale() -> list[dict]:
    """The default four-level scale of the group's assessment (bedömning)."""
    return [
        {"level": 1, "name": "Lugnt"},
        {"level": 2, "name": "Oroligt"},
        {"level": 3, "name": "Ansträngt"},
        {"level": 4, "name": "Allvarligt"},
    ]


class Partnership(models.Model):
    """A partnership (samverkan, EST-grupp): the tenant that owns areas, reports and pictures."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    time_zone = models.CharField(_("tidszon"), max_length=40, default="Europe/Stockholm")
    # Bumped by every change to areas so cached point-in-area indexes know they are stale.
    geography_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    # Per-partnership policy for the situation picture.
    assessment_scale = models.JSONField(
        _("bedömningsskala"),
        default=default_assessment_scale,
        help_text=_("Nivåerna i gruppens bedömning, lägst först."),
    )
    reporters_see_picture = models.BooleanField(_("rapportörer ser lägesbilden"), default=False)
    periodic_kind = models.CharField(
        _("period för periodisk lägesbild"),
        max_length=10,
        choices=[("quarter", _("Kvartal")), ("tertial", _("Tertial"))],
        default="quarter",
    )
    # From which day the partnership's figures cover its areas. Empty: from its first report.
    # Every statistic compares only periods from this day; earlier ones are unknown, not 0.
    coverage_start = models.DateField(
        _("rapporterar sedan"),
        null=True,
        blank=True,
        help_text=_(
            "Dagen samverkan började rapportera. Jämförelser, trender och förväntade antal "
            "använder bara tiden från den dagen. Lämna tomt för att räkna från den första "
            "rapporten."
        ),
    )
    suppress_below = models.PositiveSmallIntegerField(
        _("dölj antal under"),
        default=0,
        help_text=_(
            'I exporter visas antal mellan 1 och detta värde minus ett som "<n", så att små '
            "tal inte pekar ut personer. 0 = visa alla."
        ),
    )

    class Meta:
        verbose_name = _("samverkan")
        verbose_name_plural = _("samverkningar")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An organisation (aktör) taking part in a partnership, e.g. the community police."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "kommun", _("Kommunal förvaltning")
        POLICE = "polis", _("Polisen")
        HOUSING = "bostadsbolag", _("Bostadsbolag")
        SECURITY = "vaktbolag", _("Vakt- eller säkerhetsbolag")
        RESCUE = "raddningstjanst", _("Räddningstjänst")
        TRANSPORT = "kollektivtrafik", _("Kollektivtrafik")
        SCHOOL = "skola", _("Skola")
        ASSOCIATION = "forening", _("Förening")
        AUTHORITY = "myndighet", _("Annan myndighet")
        COMPANY = "foretag", _("Företag")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="organisation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in one partnership: through which organisation, in which role."""

    class Role(models.TextChoices):
        # A member of another authority invited as a guest (lagesbild.guests): below every
        # other role, so each view that asks for a role refuses guests unless it names them.
        GUEST = "guest", _("Gäst")
        REPORTER = "reporter", _("Rapportör")
        MEMBER = "member", _("Deltagare")
        ANALYST = "analyst", _("Analytiker")
        COORDINATOR = "coordinator", _("Samordnare")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["partnership", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.partnership} ({self.get_role_display()})"
