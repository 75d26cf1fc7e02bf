from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one background worker process (`manage.py worker`), written
    every few seconds, so /healthz/worker can tell whether analysis runs are being done."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("arbetsprocess")
        verbose_name_plural = _("arbetsprocesser")

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
