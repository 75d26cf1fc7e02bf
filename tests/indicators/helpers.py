"""Builders for indicator tests (the browser journeys use them too)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from lagesbild.indicators import services
from lagesbild.indicators.models import Indicator
from lagesbild.policeevents.models import PoliceEvent
from tests.conftest import client_for

ZONE = ZoneInfo("Europe/Stockholm")
# A year of a monthly cost around 100, for a history the latest value is compared with.
HISTORY = [100, 104, 98, 101, 99, 102, 100, 103, 97, 100, 101, 99]
_ids = iter(range(1, 10_000))


def make_indicator(membership, name="Skadegörelsekostnad", **fields) -> Indicator:
    defaults = {
        "name": name,
        "unit": "kr",
        "period": Indicator.Period.MONTH,
        "scale": Indicator.Scale.AMOUNT,
        "direction": Indicator.Direction.HIGHER_WORSE,
        "source": "Bostadsbolagets felanmälningar",
        "description": "",
        "visibility": Indicator.Visibility.MEMBERS,
        "active": True,
    }
    return services.define_indicator(
        actor=membership.user, partnership=membership.partnership, **{**defaults, **fields}
    )


def enter_value(coordinator, indicator, value: float, start=date(2026, 1, 1)) -> None:
    """The coordinator saves `value` for Norr for the period that begins on `start`."""
    norr = coordinator.partnership.areas.get(name="Norr")
    services.save_values(
        membership=coordinator,
        indicator=indicator,
        entries=[services.Entry(norr, start, value)],
    )


def picture_page(membership, name: str, *args) -> str:
    """The text of the picture page `pictures:<name>` as `membership` reads it."""
    response = client_for(membership).get(reverse(f"pictures:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def notice(partnership, when: datetime, area=None, kind="Skadegörelse") -> PoliceEvent:
    """A stored notice of type `kind`, placed in `area` (None: known only at municipality
    level)."""
    return PoliceEvent.objects.create(
        partnership=partnership,
        event_id=next(_ids),
        published_at=when + timedelta(hours=1),
        occurred_at=when,
        name=kind,
        event_type=kind,
        location_name="Sollentuna",
        municipality_code="0163",
        level=PoliceEvent.Level.MUNICIPALITY if area is None else PoliceEvent.Level.PLACE_NAME,
        area=area,
        first_seen_at=when,
        updated_at=when,
    )


def at(day: date, hour: int = 12) -> datetime:
    """`hour` o'clock on `day`, Stockholm time (the partnerships' zone)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def csv_rows(text: str):
    """(number, row) pairs as the file reader gives them, from CSV text."""
    import io

    from lagesbild.incidents.importers.tabular import read_csv_stream

    return read_csv_stream(io.StringIO(text), layout=services.LAYOUT)
