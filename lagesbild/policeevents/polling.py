"""Calling the police's feed within its limits: by hand (`manage.py import_police_events`,
which waits its turn) and on a schedule (the worker's heartbeat queues a poll every
POLICE_EVENTS_POLL_MINUTES). Every call is a FeedCall row, so the limits hold across
processes: at most one call per 10 seconds and 1,440 a day for the whole installation."""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lagesbild.policeevents import feed, queries, services
from lagesbild.policeevents.models import FeedCall

log = logging.getLogger(__name__)

# A call's row is kept this long for the operator (what failed and when); the limits read
# the last day only. The last good call stays whatever its age: it dates the coverage.
KEEP_CALLS = timedelta(days=90)


def default_fetch() -> list[dict]:
    return feed.http_fetch(settings.POLICE_EVENTS_URL, settings.POLICE_EVENTS_USER_AGENT)


def _recent_starts(now: datetime) -> list[datetime]:
    since = now - timedelta(days=1)
    return list(FeedCall.objects.filter(started_at__gt=since).values_list("started_at", flat=True))


def _run(call: FeedCall, fetch: feed.Fetch) -> FeedCall:
    """Fetch and import once, recording the outcome on the call's row."""
    try:
        result = services.import_records(fetch())
    except feed.FeedError as exc:
        call.error = str(exc)
        log.warning("police events: %s", exc)
    else:
        call.received, call.created, call.updated = result.received, result.created, result.updated
    call.finished_at = timezone.now()
    call.save()
    return call


def fetch_now(
    fetch: feed.Fetch = default_fetch,
    *,
    clock: Callable[[], datetime] = timezone.now,
    sleep: Callable[[float], None] = time.sleep,
) -> FeedCall:
    """One call now, after waiting out the 10 seconds since the last one; DailyLimitReached
    when the day's calls are spent."""
    wait = feed.seconds_to_wait(_recent_starts(clock()), clock())
    if wait:
        sleep(wait)
    return _run(FeedCall.objects.create(started_at=clock()), fetch)


def poll_slot(now: datetime) -> int:
    """The number of the scheduled poll a moment falls in."""
    return int(now.timestamp()) // (settings.POLICE_EVENTS_POLL_MINUTES * 60)


def claim_scheduled_call(now: datetime) -> FeedCall | None:
    """The row of this slot's poll, or None when it is taken, not yet allowed by the limits,
    or polling is off."""
    if not settings.POLICE_EVENTS_POLL_MINUTES:
        return None
    slot = poll_slot(now)
    if FeedCall.objects.filter(slot=slot).exists():
        return None
    try:
        if feed.seconds_to_wait(_recent_starts(now), now):
            return None
    except feed.DailyLimitReached:
        return None
    try:
        with transaction.atomic():
            return FeedCall.objects.create(slot=slot, started_at=now)
    except IntegrityError:  # another worker claimed the slot first
        return None


def enqueue_due_poll(now: datetime | None = None) -> bool:
    """Called from the worker's heartbeat: queue this slot's poll once. One query when
    nothing is due."""
    from lagesbild.policeevents.tasks import poll_police_events

    call = claim_scheduled_call(now or timezone.now())
    if call is None:
        return False
    transaction.on_commit(lambda: poll_police_events.enqueue(call.pk))
    return True


def run_scheduled_call(call_id: int, fetch: feed.Fetch = default_fetch) -> FeedCall | None:
    call = FeedCall.objects.filter(pk=call_id, finished_at__isnull=True).first()
    return _run(call, fetch) if call is not None else None


def forget_old_calls(now: datetime | None = None) -> int:
    """Delete the calls started more than KEEP_CALLS ago, except the last good one (the
    daily retention step, dataprotection/retention.py); the number deleted."""
    old = FeedCall.objects.filter(started_at__lt=(now or timezone.now()) - KEEP_CALLS)
    last = queries.last_good_call()
    if last is not None:
        old = old.exclude(pk=last.pk)
    return old.delete()[0]
