"""Reading the feed's records, calling it (with an injected opener, no network) and its rate
limits."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from lagesbild.policeevents import feed
from tests.policeevents.conftest import EVENTS, read, record


def test_published_time_allows_a_one_digit_hour():
    moment = feed.parse_published("2023-03-21 9:56:46 +01:00")
    assert moment.astimezone(UTC) == datetime(2023, 3, 21, 8, 56, 46, tzinfo=UTC)
    assert feed.parse_published("2023-03-21 19:56:46 +01:00").hour == 19


@pytest.mark.parametrize("text", ["2023-03-21 9:56:46", "2023-03-21 24:56:46 +01:00", "i går"])
def test_a_published_time_without_an_offset_or_not_a_time_is_refused(text):
    with pytest.raises(ValueError):
        feed.parse_published(text)


@pytest.mark.parametrize(
    ("name", "published", "expected"),
    [
        (
            "21 mars 08:23, Rattfylleri, Sollentuna",
            "2023-03-21 9:56:46 +01:00",
            (2023, 3, 21, 8, 23),
        ),
        (
            "02 maj 16.37, Trafikbrott, Sollentuna",
            "2025-05-02 17:39:57 +02:00",
            (2025, 5, 2, 16, 37),
        ),
        # Published just after New Year: the event belongs to the year before.
        ("31 december 23:40, Brand, Solna", "2024-01-01 0:49:20 +01:00", (2023, 12, 31, 23, 40)),
        # No date in the heading: the publication time.
        ("Sammanfattning natt, Stockholms län", "2024-02-03 6:00:00 +01:00", (2024, 2, 3, 6, 0)),
    ],
)
def test_event_time_is_read_from_the_heading(name, published, expected):
    moment = feed.occurred_at(name, feed.parse_published(published))
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == expected


def test_a_recorded_record_is_parsed_verbatim():
    event = feed.parse_record(read(EVENTS)[0])
    assert event.event_id == 410712
    assert event.event_type == "Rattfylleri"
    assert event.location_name == "Sollentuna"
    assert (event.lat, event.lon) == (59.43911, 17.94148)
    assert event.summary == "En man kör vingligt och vårdslöst på E4."


@pytest.mark.parametrize(
    "broken",
    [{"id": "x"}, record(410712, datetime="igår"), record(410712, id=None), "text"],
)
def test_a_broken_record_is_refused(broken):
    with pytest.raises(ValueError):
        feed.parse_record(broken)


def test_a_record_without_a_point_has_none():
    event = feed.parse_record(record(410712, location={"name": "Sollentuna", "gps": ""}))
    assert (event.lat, event.lon) == (None, None)


def test_files_are_read_as_json_lines_or_as_the_feeds_json_array(tmp_path):
    assert [r["id"] for r in feed.read_file(EVENTS)][:2] == [410712, 413318]
    array = tmp_path / "events.json"
    array.write_text(json.dumps(read(EVENTS)), encoding="utf-8")
    assert len(feed.read_file(array)) == 5
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{inte json", encoding="utf-8")
    with pytest.raises(feed.FeedError):
        feed.read_file(garbage)
    with pytest.raises(feed.FeedError):
        feed.read_file(tmp_path / "saknas.json")


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_fetch_names_itself_and_returns_the_records():
    seen = []

    def opener(request, timeout):
        seen.append(request)
        return FakeResponse(json.dumps(read(EVENTS)).encode())

    records = feed.http_fetch("https://polisen.se/api/events", "Lagesbild-test", opener=opener)
    assert len(records) == 5
    assert seen[0].get_header("User-agent") == "Lagesbild-test"


def test_a_failed_or_odd_fetch_is_a_feed_error():
    def down(request, timeout):
        raise OSError("nere")

    with pytest.raises(feed.FeedError):
        feed.http_fetch("https://polisen.se/api/events", "x", opener=down)
    with pytest.raises(feed.FeedError):
        feed.http_fetch("u", "x", opener=lambda r, timeout: FakeResponse(b'{"fel": 1}'))


NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_the_next_call_waits_out_ten_seconds_since_the_last():
    assert feed.seconds_to_wait([], NOW) == 0
    assert feed.seconds_to_wait([NOW - timedelta(seconds=4)], NOW) == 6
    assert feed.seconds_to_wait([NOW - timedelta(seconds=30)], NOW) == 0


def test_no_call_beyond_1440_a_day():
    day = [NOW - timedelta(seconds=50 * (i + 1)) for i in range(feed.MAX_CALLS_PER_DAY)]
    with pytest.raises(feed.DailyLimitReached):
        feed.seconds_to_wait(day, NOW)
    # Calls older than a day no longer count.
    assert feed.seconds_to_wait([NOW - timedelta(days=1, seconds=1)] * 2000, NOW) == 0


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("/aktuellt/handelser/2023/mars/21/21-mars-0823-rattfylleri-sollentuna/", True),
        ("@evil.example/x", False),
        ("//evil.example/x", False),
        ("https://evil.example/", False),
        ("/x@evil.example", False),
        ("/\\evil.example", False),
    ],
)
def test_only_a_path_on_polisen_se_is_kept_as_the_link(url, kept):
    assert (feed.parse_record(record(410712, url=url)).url == url) is kept
