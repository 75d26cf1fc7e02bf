"""Data protection: the partnership's retention schedule and its runs, and the records of
redactions and erasures (what was done, by whom and why; never the removed text)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTHS_HELP = _("Antal månader. Tomt: behåll.")
# The incident's free-text fields a coordinator may redact, with their names.
REDACTABLE_FIELDS = {
    "description": _("beskrivning"),
    "rejection_reason": _("skäl för avvisning"),
}


class RetentionPolicy(models.Model):
    """How long a partnership keeps detail. Each period is counted in months from when the
    incident happened (for audit entries: from when they were written); None keeps it."""

    partnership = models.OneToOneField(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="retention_policy"
    )
    text_months = models.PositiveSmallIntegerField(
        _("ta bort fritext efter"), null=True, blank=True, help_text=MONTHS_HELP
    )
    point_months = models.PositiveSmallIntegerField(
        _("flytta exakta positioner till områdets mitt efter"),
        null=True,
        blank=True,
        help_text=MONTHS_HELP,
    )
    audit_address_months = models.PositiveSmallIntegerField(
        _("ta bort IP-adress och webbläsare ur loggen efter"),
        null=True,
        blank=True,
        help_text=MONTHS_HELP,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gallringsschema")
        verbose_name_plural = _("gallringsscheman")

    def __str__(self) -> str:
        months = (self.text_months, self.point_months, self.audit_address_months)
        return f"{self.partnership}: {months}"


class RetentionRun(models.Model):
    """One application of a partnership's schedule: when, why, with which schedule and what
    it changed. A scheduled run is claimed by creating its row for the day, so two workers
    never run the same partnership's day twice."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Schemalagd")
        COMMAND = "command", _("Kommando")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="retention_runs"
    )
    trigger = models.CharField(_("start"), max_length=10, choices=Trigger.choices)
    day = models.DateField(_("dag"))
    started_at = models.DateTimeField(_("började"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    policy = models.JSONField(_("schema"), default=dict)
    texts_removed = models.PositiveIntegerField(_("fritexter borttagna"), default=0)
    points_coarsened = models.PositiveIntegerField(_("positioner flyttade"), default=0)
    audit_addresses_removed = models.PositiveIntegerField(_("loggposter utan adress"), default=0)
    error = models.TextField(_("fel"), blank=True)

    class Meta:
        verbose_name = _("gallringskörning")
        verbose_name_plural = _("gallringskörningar")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "day"],
                condition=models.Q(trigger="scheduled"),
                name="retentionrun_one_scheduled_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.day} {self.trigger}"

    @property
    def outcome(self) -> str:
        """In words: done, failed, under way, or interrupted (a worker stopped in the middle;
        the transaction was rolled back and the next day's run does the work)."""
        if self.error:
            return str(_("Misslyckades"))
        if self.finished_at:
            return str(_("Klar"))
        if self.started_at and self.started_at < timezone.now() - timedelta(days=1):
            return str(_("Avbröts"))
        return str(_("Pågår"))


class Redaction(models.Model):
    """A coordinator removed text (a passage or a whole field) from an incident. Says which
    field, how much, by whom and why; the removed text itself is nowhere."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="redactions"
    )
    field = models.CharField(_("fält"), max_length=40)
    whole_field = models.BooleanField(_("hela fältet"), default=False)
    characters = models.PositiveIntegerField(_("antal tecken"))
    reason = models.CharField(_("skäl"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("maskering")
        verbose_name_plural = _("maskeringar")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.field} {self.at:%Y-%m-%d}"

    @property
    def field_name(self) -> str:
        return str(REDACTABLE_FIELDS.get(self.field, self.field))


class Erasure(models.Model):
    """An incident that should never have been stored was deleted. Keeps what identifies the
    report in the partnership's own terms (its number, week, category and area), never its
    text or position."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="erasures"
    )
    incident_number = models.PositiveBigIntegerField(_("händelsenummer"))
    iso_week = models.PositiveIntegerField(_("ISO-vecka"))
    category = models.CharField(_("kategori"), max_length=200)
    area = models.CharField(_("område"), max_length=200)
    reason = models.CharField(_("skäl"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("radering")
        verbose_name_plural = _("raderingar")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership} #{self.incident_number}"
