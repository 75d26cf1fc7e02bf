"""The situation picture: stored analysis results, the group's assessments and the frozen,
versioned snapshots that an approval creates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    WEEK = "week", _("Vecka")
    QUARTER = "quarter", _("Kvartal")
    TERTIAL = "tertial", _("Tertial")
    YEAR = "year", _("År")


class AnalysisRun(models.Model):
    """One run of the heavy analysis (deviations, hot spots, space-time clusters) for a
    partnership and period. The picture page reads the newest finished run."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period = models.CharField(max_length=10)  # "2026-W47", "2026-Q3", "2026-T2", "2026"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Until when the run counts as alive: set when it is queued, renewed by the worker while
    # it computes. A queued or running run past it was lost (a killed worker) and is redone.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Fingerprint of the incidents the run saw; a new run is needed when it changes.
    data_version = models.CharField(max_length=64, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("analyskörning")
        verbose_name_plural = _("analyskörningar")
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(
                fields=["partnership", "period_kind", "period", "-queued_at"],
                name="analysisrun_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.period} {self.status}"


class Assessment(models.Model):
    """The group's current (not yet approved) judgement of one area for one period."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="assessments"
    )
    area = models.ForeignKey("geography.Area", on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period = models.CharField(max_length=10)
    level = models.PositiveSmallIntegerField(_("nivå"), null=True, blank=True)
    comment = models.TextField(_("kommentar"), blank=True, max_length=2000)
    proposed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_reason = models.CharField(max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bedömning")
        verbose_name_plural = _("bedömningar")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "area", "period_kind", "period"],
                name="assessment_unique_area_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period}: {self.level}"


class Picture(models.Model):
    """An approved situation picture: an immutable snapshot of everything the group saw.

    A correction creates a new version that points at the one it supersedes; old versions
    are never changed, so any past picture opens exactly as it was approved.
    """

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="pictures"
    )
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period = models.CharField(max_length=10)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    change_note = models.CharField(_("vad som ändrats"), max_length=500, blank=True)
    content = models.JSONField()

    class Meta:
        verbose_name = _("godkänd lägesbild")
        verbose_name_plural = _("godkända lägesbilder")
        ordering = ["-period", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_kind", "period", "version"],
                name="picture_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.period} v{self.version}"
