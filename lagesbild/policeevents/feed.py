"""The police's public events feed (https://polisen.se/api/events): reading its records,
calling it, and its rate limits. No database here; `polling.py` keeps the calls.

A record, as the API gives it:

    {"id": 410712, "datetime": "2023-03-21 9:56:46 +01:00",
     "name": "21 mars 08:23, Rattfylleri, Sollentuna", "summary": "...",
     "url": "/aktuellt/handelser/...", "type": "Rattfylleri",
     "location": {"name": "Sollentuna", "gps": "59.43911,17.94148"}}

`datetime` is when the notice was published or updated, and its hour is not zero-padded;
when the event happened is only in `name`, as day, Swedish month and time, without a year.
"""

import json
import re
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

# polisen.se asks for no more than one call per 10 seconds and at most 1,440 calls a day.
MIN_SECONDS_BETWEEN_CALLS = 10
MAX_CALLS_PER_DAY = 1440

MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
_WHEN = re.compile(r"^\s*(\d{1,2}) ([a-zåäö]+) (\d{1,2})[:.](\d{2})\b", re.IGNORECASE)
# 2025-01-01 0:49:20 +01:00, as the feed writes `datetime`: an ISO date with a one-digit hour
# (which fromisoformat refuses) and optionally seconds and an offset (+01:00, +0100 or Z).
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}:?\d{2})?"
)


class FeedError(Exception):
    """The feed or a file could not be read; the message is for the operator, in Swedish."""


class DailyLimitReached(FeedError):
    pass


@dataclass(frozen=True)
class FeedEvent:
    event_id: int
    published_at: datetime
    occurred_at: datetime
    name: str
    summary: str
    url: str
    event_type: str
    location_name: str
    lat: float | None
    lon: float | None

    @property
    def text(self) -> str:
        """What may name a place: the heading and the summary."""
        return f"{self.name}\n{self.summary}"


def parse_datetime(text: str) -> datetime:
    """A time in the feed's format ('2023-03-21 9:56:46 +01:00'; the hour may have one digit,
    the seconds and the offset may be left out, and without an offset the time is naive), as
    the feed writes it and as incident files copied from it do; ValueError if it is not one."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not a time: {text!r}")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    offset = match.group(7)
    moment = datetime(year, month, day, hour, minute, second)
    return moment.replace(tzinfo=_offset(offset)) if offset else moment


def _offset(text: str) -> dt_timezone:
    """+01:00, +0100 or Z as a fixed offset; ValueError beyond ±23:59."""
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return dt_timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_published(text: str) -> datetime:
    """'2023-03-21 9:56:46 +01:00' (the hour may have one digit) as an aware datetime."""
    moment = parse_datetime(text.strip())
    if moment.tzinfo is None:
        raise ValueError(f"no offset: {text!r}")
    return moment


def occurred_at(name: str, published: datetime) -> datetime:
    """When the event happened, read from the heading ('21 mars 08:23, ...') in the year that
    puts it at or before the publication (a notice of 31 December published on 1 January
    belongs to the year before); the publication time when the heading has no date."""
    match = _WHEN.match(name)
    month = MONTHS.get(match.group(2).lower()) if match else None
    if month is None:
        return published
    day, hour, minute = (int(match.group(i)) for i in (1, 3, 4))
    for year in (published.year, published.year - 1):
        try:
            moment = published.replace(year=year, month=month, day=day, hour=hour, minute=minute)
        except ValueError:  # 29 February, 25:00: not a date; fall back on publication
            return published
        if moment <= published + timedelta(days=1):
            return moment
    return published


def _point(gps: str) -> tuple[float | None, float | None]:
    try:
        lat, lon = (float(part) for part in gps.split(","))
    except (AttributeError, ValueError):
        return None, None
    return lat, lon


def _path(url) -> str:
    """The notice's path on polisen.se; anything else (another host, "//", "@") is dropped, as
    the pages link to "https://polisen.se" + path."""
    url = str(url or "")
    return url[:500] if re.fullmatch(r"/[^/@\\][^@\\\s]*", url) else ""


def parse_record(record: dict) -> FeedEvent:
    """One API record as a FeedEvent; ValueError when it is not one."""
    try:
        published = parse_published(record["datetime"])
        location = record.get("location") or {}
        lat, lon = _point(location.get("gps", ""))
        name = str(record["name"]).strip()
        return FeedEvent(
            event_id=int(record["id"]),
            published_at=published,
            occurred_at=occurred_at(name, published),
            name=name[:300],
            summary=str(record.get("summary") or "").strip(),
            url=_path(record.get("url")),
            event_type=str(record["type"]).strip()[:100],
            location_name=str(location.get("name") or "").strip()[:200],
            lat=lat,
            lon=lon,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"ogiltig post: {exc!r}") from exc


def read_file(path: Path) -> list[dict]:
    """Records from a saved copy of the feed: its JSON array, or JSON Lines (one record a
    line, as in the shared archive)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(f"Filen {path} kunde inte läsas: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise FeedError(f"{path} är varken JSON eller JSON Lines: {exc}") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise FeedError(f"{path} innehåller inte en lista med händelser.")
    return data


def http_fetch(url: str, user_agent: str, timeout: float = 30, opener=urllib.request.urlopen):
    """The feed's current records (its latest ~500 notices), fetched once."""
    try:
        request = urllib.request.Request(
            url, headers={"User-Agent": user_agent, "Accept": "application/json"}
        )
        with opener(request, timeout=timeout) as response:
            data = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise FeedError(f"Polisens flöde kunde inte hämtas: {exc}") from exc
    if not isinstance(data, list):
        raise FeedError("Polisens flöde svarade inte med en lista med händelser.")
    return data


def seconds_to_wait(previous: Iterable[datetime], now: datetime) -> float:
    """How long to wait before the next call so that the feed's limits hold, given when the
    earlier calls started; DailyLimitReached when 1,440 calls were made in the last 24 hours."""
    day_ago = now - timedelta(days=1)
    recent = [moment for moment in previous if moment > day_ago]
    if len(recent) >= MAX_CALLS_PER_DAY:
        raise DailyLimitReached(
            f"{MAX_CALLS_PER_DAY} anrop till polisens flöde det senaste dygnet; vänta."
        )
    if not recent:
        return 0.0
    since = (now - max(recent)).total_seconds()
    return max(0.0, MIN_SECONDS_BETWEEN_CALLS - since)


Fetch = Callable[[], list[dict]]
