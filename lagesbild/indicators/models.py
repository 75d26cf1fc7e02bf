"""Area indicators (indikatorer): periodic figures per area from other sources than the
reports, such as the housing company's cost of vandalism per month or a yearly safety survey's
share feeling unsafe. A coordinator defines them; values come by form or file upload."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    """A named, periodic figure per area with a unit, a source and a scale that decides how
    its deviation from its own history is judged (analysis/indicators.py)."""

    class Period(models.TextChoices):
        WEEK = "week", _("Vecka")
        MONTH = "month", _("Månad")
        QUARTER = "quarter", _("Kvartal")
        YEAR = "year", _("År")

    class Scale(models.TextChoices):
        COUNT = "count", _("Antal (till exempel anmälda brott)")
        AMOUNT = "amount", _("Belopp eller mått (till exempel kostnad i kronor)")
        SHARE = "share", _("Andel i en enkät (procent, med urvalsstorlek)")

    class Direction(models.TextChoices):
        HIGHER_WORSE = "higher_worse", _("Högre är sämre")
        HIGHER_BETTER = "higher_better", _("Högre är bättre")

    class CountedFrom(models.TextChoices):
        # The values are counted by the app, not entered (indicators/police.py).
        POLICE_EVENTS = "police_events", _("Polisens öppna händelser")

    class Visibility(models.TextChoices):
        MEMBERS = "members", _("Alla medlemmar")
        ANALYSTS = "analysts", _("Samordnare och analytiker")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("namn"), max_length=200)
    unit = models.CharField(_("enhet"), max_length=40)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    scale = models.CharField(_("slag"), max_length=10, choices=Scale.choices)
    direction = models.CharField(
        _("riktning"), max_length=20, choices=Direction.choices, default=Direction.HIGHER_WORSE
    )
    source = models.CharField(_("källa"), max_length=200)
    description = models.TextField(_("beskrivning"), max_length=2000, blank=True)
    visibility = models.CharField(
        _("vem får se"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    active = models.BooleanField(_("aktiv"), default=True)
    measures_population = models.BooleanField(
        _("folkmängd"),
        default=False,
        help_text=_(
            "Områdenas folkmängd per år: lägesbilderna räknar tal per 1 000 invånare med "
            "värdet för periodens år."
        ),
    )
    # How much the indicator weighs beside the reports' index in the periodic picture's
    # combined need (docs/method/ranking.md); 0, the default, leaves the ranking as it is.
    need_weight = models.PositiveSmallIntegerField(
        _("vikt i det sammanvägda behovet"),
        default=0,
        choices=[(0, _("0 – vägs inte in")), (1, "1"), (2, "2"), (3, "3")],
        help_text=_(
            "Hur mycket indikatorn väger i den periodiska lägesbildens sammanvägda behov, "
            "där rapporternas index väger 1. Bara för indikatorer som alla medlemmar ser."
        ),
    )
    # Empty: the values are entered by form or file. Otherwise the app counts them and
    # nobody enters them (a built-in indicator, one per partnership and source).
    counted_from = models.CharField(
        _("räknas från"), max_length=20, choices=CountedFrom.choices, blank=True, default=""
    )
    # The police event types ("Skadegörelse", "Misshandel") the police indicator counts,
    # chosen by a coordinator: a traffic accident says little about how safe an area feels.
    # Empty: every type, as before the choice existed. Unused by other indicators.
    police_event_types = models.JSONField(_("händelsetyper som räknas"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="indicator_unique_name"),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=models.Q(measures_population=True),
                name="indicator_one_population",
            ),
            models.UniqueConstraint(
                fields=["partnership", "counted_from"],
                condition=~models.Q(counted_from=""),
                name="indicator_one_per_counted_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """One area's value for one period. The period is its first day (a Monday for an ISO
    week, the 1st for a month, quarter or year) with the indicator's period kind, stored
    again here so a value always says what it covers. One value per indicator, area and
    period: a new upload replaces it, and the audit trail keeps the old value."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(
        "geography.Area", on_delete=models.PROTECT, related_name="indicator_values"
    )
    period_kind = models.CharField(max_length=10, choices=Indicator.Period.choices)
    period_start = models.DateField(_("period"))
    value = models.FloatField(_("värde"))
    sample_size = models.PositiveIntegerField(_("antal svarande"), null=True, blank=True)
    source_note = models.CharField(_("källa"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("indikatorvärde")
        verbose_name_plural = _("indikatorvärden")
        ordering = ["indicator", "area", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period_start"], name="indicator_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.area} {self.period_start}: {self.value}"


class PictureIndicators(models.Model):
    """The indicator figures an approved picture version showed, frozen with it: a later
    upload or correction of a value changes the draft, never an approved version
    (snapshot.py). Kept apart from the picture's content, which the API hands to every
    reader, because an indicator may be for coordinators and analysts only: each reader
    sees the frozen indicators they may see today."""

    picture = models.OneToOneField(
        "pictures.Picture", on_delete=models.CASCADE, related_name="indicator_snapshot"
    )
    # The last day of the picture's period: values of periods begun by then were shown.
    until = models.DateField()
    sections = models.JSONField()

    class Meta:
        verbose_name = _("indikatorer i godkänd lägesbild")
        verbose_name_plural = _("indikatorer i godkända lägesbilder")

    def __str__(self) -> str:
        return str(self.picture)
