"""Where things happen: a partnership's areas (a hierarchy of polygons) and named places.

Geometry is stored as GeoJSON in WGS 84 and computed on in SWEREF 99 TM by
`geography.geometry`; no spatial database extension is needed, so SQLite and PostgreSQL
behave the same. Bounding boxes are kept beside the geometry for cheap map queries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """An area (område): a polygon in a hierarchy such as municipality > district > area.

    Incidents are assigned to the smallest active area that contains their point. `scb_code`
    holds a DeSO or RegSO code when the area is imported from SCB's boundaries.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "kommun", _("Kommun")
        DISTRICT = "distrikt", _("Kommundel")
        AREA = "omrade", _("Område")
        DESO = "deso", _("DeSO")
        REGSO = "regso", _("RegSO")
        HOUSING = "bostadsomrade", _("Bostadsområde")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="areas"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("ingår i"),
    )
    name = models.CharField(_("namn"), max_length=200)
    code = models.CharField(_("kod"), max_length=40)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.AREA)
    scb_code = models.CharField(_("DeSO-/RegSO-kod"), max_length=20, blank=True)
    population = models.PositiveIntegerField(_("folkmängd"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("folkmängd år"), null=True, blank=True)
    geometry = models.JSONField(_("geometri (GeoJSON, WGS 84)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="area_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A named place inside an area (a square, a school yard, a garage)."""

    class Kind(models.TextChoices):
        STATION = "station", _("Station eller hållplats")
        SQUARE = "torg", _("Torg")
        SCHOOL = "skola", _("Skola")
        SHOPPING = "centrum", _("Centrum eller butik")
        PARK = "park", _("Park eller grönområde")
        GARAGE = "garage", _("Garage eller parkering")
        YOUTH = "fritidsgard", _("Fritidsgård")
        HOUSING = "bostad", _("Bostadsgård eller trapphus")
        SPORTS = "idrottsplats", _("Idrottsplats")
        UNDERPASS = "gangtunnel", _("Gångtunnel")
        BEACH = "badplats", _("Badplats")
        OTHER = "annat", _("Annat")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="places"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="places")
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    lon = models.FloatField(_("longitud"))
    lat = models.FloatField(_("latitud"))
    geometry = models.JSONField(_("yta (GeoJSON, WGS 84)"), null=True, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("plats")
        verbose_name_plural = _("platser")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="place_unique_name_in_area")
        ]

    def __str__(self) -> str:
        return self.name
