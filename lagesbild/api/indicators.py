"""Area indicators for clients: the definitions a caller may see and their values, as the
indicator pages show them (same queries, same visibility)."""

from datetime import date, datetime

from ninja import Field, Router, Schema

from lagesbild.api.common import require_role
from lagesbild.indicators import periods, queries
from lagesbild.partnerships.access import Role

router = Router(tags=["indicators"])


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    period: str = Field(description="week, month, quarter or year")
    scale: str = Field(description="count, amount or share (a survey share in per cent)")
    direction: str = Field(description="higher_worse or higher_better")
    source: str
    description: str
    visibility: str = Field(description="members, or analysts (coordinators and analysts)")
    active: bool
    need_weight: int = Field(
        description="0-3: the weight in the periodic picture's combined need (0: not weighed in)"
    )
    counted_from: str = Field(
        description="'' for values entered by form or file; police_events for the built-in "
        "indicator counted from the police's public notices placed in an area"
    )
    police_event_types: list[str] = Field(
        description="For the police_events indicator: the police event types it counts "
        "(such as Skadegörelse, Misshandel), chosen by a coordinator; empty: every type. "
        "Always empty for other indicators"
    )


class IndicatorValueOut(Schema):
    area: int
    area_code: str
    period: str = Field(description="2026-W47, 2026-03, 2026 K1 or 2026")
    period_start: date
    value: float
    sample_size: int | None = Field(description="Respondents, for survey shares")
    source_note: str
    entered_at: datetime


@router.get("", response=list[IndicatorOut], summary="Indicators the caller may see")
def list_indicators(request):
    membership = require_role(request, Role.MEMBER)
    return list(queries.indicators(membership))


@router.get(
    "/{indicator_id}/values",
    response=list[IndicatorValueOut],
    summary="Every value of one indicator, by area and period",
)
def indicator_values(request, indicator_id: int):
    membership = require_role(request, Role.MEMBER)
    indicator = queries.get_indicator(membership, indicator_id)
    return [
        {
            "area": v.area_id,
            "area_code": v.area.code,
            "period": periods.label(indicator.period, v.period_start),
            "period_start": v.period_start,
            "value": v.value,
            "sample_size": v.sample_size,
            "source_note": v.source_note,
            "entered_at": v.entered_at,
        }
        for v in indicator.values.select_related("area").order_by("period_start", "area__name")
    ]
