"""Calls to the feed within its limits, by hand and on the worker's schedule. The fetch is
injected, or the feed's address is a local file: no network."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from lagesbild.operations.management.commands.worker import Heartbeat
from lagesbild.policeevents import feed, polling
from lagesbild.policeevents.models import FeedCall, PoliceEvent
from tests.policeevents.conftest import EVENTS, read

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 12, 0, 3, tzinfo=UTC)


class Clock:
    """A clock that only moves when told to, and a sleep that moves it."""

    def __init__(self, now: datetime):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def local_feed(settings, tmp_path):
    """The feed's address set to a saved copy of it (the feed's JSON array)."""
    path = tmp_path / "events.json"
    path.write_text(json.dumps(read(EVENTS)), encoding="utf-8")
    settings.POLICE_EVENTS_URL = path.as_uri()
    return path


def test_a_call_by_hand_imports_and_is_recorded(sollentuna):
    clock = Clock(NOW)
    call = polling.fetch_now(lambda: read(EVENTS), clock=clock, sleep=clock.sleep)
    assert (call.received, call.created, call.error) == (5, 4, "")
    assert call.started_at == NOW and call.finished_at is not None
    assert clock.slept == []
    assert PoliceEvent.objects.count() == 4


def test_a_second_call_waits_out_the_ten_seconds(sollentuna):
    clock = Clock(NOW)
    polling.fetch_now(list, clock=clock, sleep=clock.sleep)
    clock.now += timedelta(seconds=3)
    polling.fetch_now(list, clock=clock, sleep=clock.sleep)
    assert clock.slept == [7]
    starts = sorted(FeedCall.objects.values_list("started_at", flat=True))
    assert (starts[1] - starts[0]).total_seconds() >= feed.MIN_SECONDS_BETWEEN_CALLS


def test_no_call_when_the_days_calls_are_spent(sollentuna):
    FeedCall.objects.bulk_create(
        FeedCall(started_at=NOW - timedelta(seconds=30 * (i + 1)))
        for i in range(feed.MAX_CALLS_PER_DAY)
    )
    fetched = []
    clock = Clock(NOW)
    with pytest.raises(feed.DailyLimitReached):
        polling.fetch_now(lambda: fetched.append(1) or [], clock=clock, sleep=clock.sleep)
    assert fetched == []


def test_a_failed_fetch_is_recorded_with_its_reason(sollentuna):
    def down():
        raise feed.FeedError("Polisens flöde kunde inte hämtas: nere")

    clock = Clock(NOW)
    call = polling.fetch_now(down, clock=clock, sleep=clock.sleep)
    assert "nere" in call.error
    assert PoliceEvent.objects.count() == 0


def test_polling_is_off_unless_an_interval_is_set(settings):
    settings.POLICE_EVENTS_POLL_MINUTES = 0
    assert polling.claim_scheduled_call(NOW) is None
    assert not FeedCall.objects.exists()


def test_each_poll_slot_is_claimed_once(settings):
    settings.POLICE_EVENTS_POLL_MINUTES = 5
    first = polling.claim_scheduled_call(NOW)
    assert first is not None
    assert polling.claim_scheduled_call(NOW + timedelta(minutes=1)) is None
    assert polling.claim_scheduled_call(NOW + timedelta(minutes=5)) is not None


def test_no_scheduled_call_within_ten_seconds_of_another_or_past_the_day(settings):
    settings.POLICE_EVENTS_POLL_MINUTES = 5
    FeedCall.objects.create(started_at=NOW - timedelta(seconds=2))
    assert polling.claim_scheduled_call(NOW) is None
    FeedCall.objects.bulk_create(
        FeedCall(started_at=NOW - timedelta(minutes=1 + i / 100)) for i in range(1440)
    )
    assert polling.claim_scheduled_call(NOW + timedelta(seconds=30)) is None


def test_the_workers_heartbeat_polls_the_feed_when_due(
    settings, sollentuna, local_feed, django_capture_on_commit_callbacks
):
    settings.POLICE_EVENTS_POLL_MINUTES = 5
    with django_capture_on_commit_callbacks(execute=True):
        Heartbeat("test-worker").beat()
    call = FeedCall.objects.get()
    assert call.slot is not None and call.finished_at is not None and call.error == ""
    assert PoliceEvent.objects.count() == 4
    Heartbeat("test-worker").beat()  # same slot: no second call
    assert FeedCall.objects.count() == 1
