"""The police's public event notices of the partnership, read-only: the same filters (week or
dates, area or municipality level, event type) and the same checks as the notice list
(policeevents/forms.py), in cursor pages. A source of its own: these are never incidents."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from lagesbild.api.common import ErrorsOut, require_role
from lagesbild.api.pages import PageParams, PageRefused, one_page
from lagesbild.incidents import weeks
from lagesbild.partnerships.access import Role
from lagesbild.policeevents import queries
from lagesbild.policeevents.forms import FilterForm
from lagesbild.policeevents.models import PoliceEvent

router = Router(tags=["police events"])


class PoliceEventOut(Schema):
    event_id: int = Field(description="The police's own id of the notice.")
    occurred_at: datetime
    published_at: datetime
    iso_week: str
    name: str
    summary: str
    url: str = Field(description="Path of the notice on https://polisen.se (may be empty).")
    event_type: str
    location_name: str = Field(description="The place the police name (usually a municipality).")
    level: str = Field(
        description="municipality: counted at municipality level, in no area; place_name: "
        "placed in an area by a place named in the text; point: by the feed's own point."
    )
    area: int | None = Field(description="The area it was placed in; null at municipality level.")
    area_name: str | None
    category: str | None = Field(description="Checklist category code the type stands for.")
    lat: float | None
    lon: float | None
    versions: int = Field(description="How many versions of the notice the app has stored.")
    updated_at: datetime

    @staticmethod
    def from_event(event: PoliceEvent) -> dict:
        # In the partnership's zone (activated by require_role), as the pages show them.
        occurred = timezone.localtime(event.occurred_at)
        return {
            "event_id": event.event_id,
            "occurred_at": occurred,
            "published_at": timezone.localtime(event.published_at),
            "iso_week": weeks.iso(weeks.week_of_date(occurred.date())),
            "name": event.name,
            "summary": event.summary,
            "url": event.url,
            "event_type": event.event_type,
            "location_name": event.location_name,
            "level": event.level,
            "area": event.area_id,
            "area_name": event.area.name if event.area else None,
            "category": event.category.code if event.category else None,
            "lat": event.lat,
            "lon": event.lon,
            "versions": event.versions,
            "updated_at": timezone.localtime(event.updated_at),
        }


class PoliceEventFilters(PageParams):
    week: str | None = Field(None, max_length=20, description="ISO week, e.g. 2026-W47")
    date_from: date | None = None
    date_to: date | None = None
    area: str | None = Field(
        None,
        max_length=20,
        description="An area id from GET /areas (its sub-areas included), or 'kommun' for "
        "the notices counted at municipality level, in no area.",
    )
    event_type: str | None = Field(
        None, max_length=100, description="The police's event type, e.g. 'Brand'."
    )


class PoliceEventPage(Schema):
    count: int = Field(description="Notices that match the filters, on every page.")
    results: list[PoliceEventOut]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null on the last page."
    )


@router.get(
    "",
    response={200: PoliceEventPage, 422: ErrorsOut},
    summary="List the police's public event notices with filters",
    description="Newest first. A filter the notice list would refuse (a week that is not one, "
    "an end date before the start, an area or event type the partnership does not have) is "
    "answered 422 with the reasons per field.",
)
def list_police_events(request, filters: Query[PoliceEventFilters]):
    membership = require_role(request, Role.MEMBER)
    wanted = {
        "week": filters.week,
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "area": filters.area,
        "event_type": filters.event_type,
    }
    form = FilterForm({k: v for k, v in wanted.items() if v}, membership=membership)
    if not form.is_valid():
        return Status(422, {"errors": {name: list(errors) for name, errors in form.errors.items()}})
    qs = queries.filter_events(membership, form.cleaned_data)
    try:
        rows, next_cursor = one_page(qs, filters, key="event_id")
    except PageRefused as exc:
        return Status(422, {"errors": exc.errors})
    return {
        "count": qs.count(),
        "results": [PoliceEventOut.from_event(e) for e in rows],
        "next_cursor": next_cursor,
    }
