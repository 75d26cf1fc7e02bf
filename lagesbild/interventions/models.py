"""Interventions (insatser), the weekly meeting (tisdagsmötet) and its decisions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Intervention(models.Model):
    """A decided action: what, where, against which categories, who, by when, status.

    Kept general enough for the later follow-up and evaluation (treated area and categories,
    start and end dates)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        ONGOING = "ongoing", _("Pågår")
        DONE = "done", _("Genomförd")
        CANCELLED = "cancelled", _("Inställd")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="interventions"
    )
    title = models.CharField(_("insats"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, max_length=4000)
    area = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("område"),
    )
    categories = models.ManyToManyField(
        "incidents.Category",
        blank=True,
        related_name="interventions",
        verbose_name=_("kategorier"),
    )
    responsible = models.ForeignKey(
        "partnerships.Organisation",
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("ansvarig organisation"),
    )
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    due_date = models.DateField(_("klart senast"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A meeting of the group, normally the weekly one about a week's picture."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("datum"))
    period = models.CharField(_("lägesbild för"), max_length=10)  # e.g. "2026-W47"
    title = models.CharField(_("rubrik"), max_length=200)
    agenda = models.JSONField(_("dagordning"), default=list, blank=True)
    minutes = models.TextField(_("protokoll"), blank=True, max_length=20000)
    attendees = models.TextField(_("närvarande organisationer"), blank=True, max_length=2000)
    closed = models.BooleanField(_("avslutat"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.held_on}"


class Decision(models.Model):
    """A decision recorded in a meeting's minutes; it may create an intervention."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("beslut"), max_length=2000)
    intervention = models.OneToOneField(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
