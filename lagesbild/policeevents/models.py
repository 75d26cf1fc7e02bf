"""The police's public event notices (polisen.se/api/events), kept apart from the partners'
reports: their own tables, never counted in the incident figures or the deviation analysis."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PoliceEvent(models.Model):
    """One notice from the feed, stored for each partnership whose municipality it concerns.
    The feed's id identifies it; a later version of the same notice replaces this one."""

    class Level(models.TextChoices):
        # The feed's point is the municipality's (or county's) centre, the usual case: the
        # notice says which municipality, nothing finer.
        MUNICIPALITY = "municipality", _("Kommunnivå")
        # A place or area of the partnership is named in the notice's text.
        PLACE_NAME = "place_name", _("Område efter ortnamn")
        # The feed gave a point of its own, inside one of the partnership's areas.
        POINT = "point", _("Område efter position")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="police_events"
    )
    event_id = models.BigIntegerField(_("polisens id"))
    published_at = models.DateTimeField(_("publicerad"))
    occurred_at = models.DateTimeField(_("inträffade"), db_index=True)
    name = models.CharField(_("rubrik"), max_length=300)
    summary = models.TextField(_("sammanfattning"), blank=True)
    url = models.CharField(_("länk"), max_length=500, blank=True)
    event_type = models.CharField(_("typ"), max_length=100)
    location_name = models.CharField(_("plats enligt polisen"), max_length=200)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    municipality_code = models.CharField(_("kommunkod"), max_length=4)
    level = models.CharField(_("läge"), max_length=20, choices=Level.choices)
    area = models.ForeignKey(
        "geography.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("område"),
    )
    category = models.ForeignKey(
        "incidents.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kategori"),
    )
    versions = models.PositiveIntegerField(_("versioner"), default=1)
    first_seen_at = models.DateTimeField(_("först hämtad"))
    updated_at = models.DateTimeField(_("senast ändrad"))

    class Meta:
        verbose_name = _("händelsenotis från polisen")
        verbose_name_plural = _("händelsenotiser från polisen")
        ordering = ["-occurred_at", "-event_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "event_id"], name="policeevent_unique_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TypeCategory(models.Model):
    """Which checklist category a police event type stands for in a partnership; set by a
    coordinator, proposed from the default checklist when the type first arrives. Empty: the
    type has no category of the checklist."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="police_type_categories"
    )
    event_type = models.CharField(_("typ"), max_length=100)
    category = models.ForeignKey(
        "incidents.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kategori"),
    )

    class Meta:
        verbose_name = _("typ av polisnotis")
        verbose_name_plural = _("typer av polisnotiser")
        ordering = ["event_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "event_type"], name="typecategory_unique_type"
            )
        ]

    def __str__(self) -> str:
        return self.event_type


class FeedCall(models.Model):
    """One call to the police's feed, for its rate limits (at most one call per 10 seconds
    and 1,440 a day, installation-wide) and for the operator. A scheduled call claims its
    poll slot, so two workers never call for the same slot."""

    slot = models.BigIntegerField(null=True, blank=True, unique=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    received = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hämtning av polisens notiser")
        verbose_name_plural = _("hämtningar av polisens notiser")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S}"
