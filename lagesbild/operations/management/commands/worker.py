"""The background worker: django-tasks-db's `db_worker` with a heartbeat.

Besides running the queued tasks, it writes its heartbeat (WorkerHeartbeat) every few
seconds for /healthz/worker and redoes the analysis runs whose lease ran out, so a run
lost with a killed worker is computed again without anyone opening its page. It also
fails the task rows a dead worker left RUNNING (operations/orphans.py) and queues the day's
retention runs once they are due (dataprotection/retention.py) and the poll of the police's
events feed when one is due (policeevents/polling.py).
"""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from lagesbild.dataprotection.retention import enqueue_due_runs
from lagesbild.operations.models import WorkerHeartbeat
from lagesbild.operations.orphans import fail_orphaned_tasks, forget_old_workers
from lagesbild.pictures.runs import redo_expired_runs
from lagesbild.policeevents.polling import enqueue_due_poll

log = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": timezone.now(),
            },
        )
        redone = redo_expired_runs()
        if redone:
            log.warning("redid %s analysis runs whose worker had stopped", redone)
        orphaned = fail_orphaned_tasks()
        if orphaned:
            log.warning("failed %s tasks left running by a worker that stopped", orphaned)
        forget_old_workers()
        retention_runs = enqueue_due_runs()
        if retention_runs:
            log.info("queued %s scheduled retention runs", retention_runs)
        if enqueue_due_poll():
            log.info("queued a poll of the police's events feed")

    def run(self) -> None:
        try:
            while True:
                try:
                    self.beat()
                except Exception:
                    # The database may be away for a moment; the next beat tries again.
                    log.exception("worker heartbeat failed")
                if self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS):
                    break
        finally:
            connection.close()


class Command(DbWorkerCommand):
    help = "Run the background worker (analysis runs) with a heartbeat for /healthz/worker"

    def handle(self, *args, **options):
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
