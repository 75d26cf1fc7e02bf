"""Approved situation pictures, read-only: the list of versions and one version's content,
exactly as approved (what the archive page and the version exports show). Drafts are not
offered: a partner system takes over what the group has stood behind."""

from datetime import datetime

from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from lagesbild.api.common import require_role
from lagesbild.partnerships.access import Role, has_role, scoped
from lagesbild.pictures import services
from lagesbild.pictures.models import PeriodKind, Picture
from lagesbild.policeevents.queries import section_for as police_section_for

router = Router(tags=["pictures"])
# A period as pictures name it; anything else (a NUL byte included) is refused before a query.
PERIOD = r"^\d{4}(-W\d{2}|-Q[1-4]|-T[1-3])?$"


def _reader(request):
    """Members and up, and reporters where the partnership lets them see the picture."""
    membership = require_role(request, Role.REPORTER)
    if not (has_role(membership, Role.MEMBER) or membership.partnership.reporters_see_picture):
        raise HttpError(403, "Din roll ger inte tillgång till detta.")
    return membership


class PictureOut(Schema):
    period: str = Field(description="2026-W47, 2026-Q3, 2026-T2 or 2026")
    period_kind: str
    version: int
    current: bool = Field(description="False once a newer version of the period is approved.")
    approved_at: datetime
    approved_by: str
    change_note: str

    @staticmethod
    def from_picture(picture: Picture) -> dict:
        user = picture.approved_by
        return {
            "period": picture.period,
            "period_kind": picture.period_kind,
            "version": picture.version,
            "current": not hasattr(picture, "superseded_by"),
            "approved_at": picture.approved_at,
            "approved_by": user.get_full_name() or user.username,
            "change_note": picture.change_note,
        }


class PictureContentOut(PictureOut):
    content: dict = Field(
        description="The picture as approved: summary, areas, the matrix of counts with "
        "expected counts and flags, trends, clusters, assessments (a periodic picture: "
        "ranking, development, influence), and a weekly picture's `police`: the police's "
        "public notices as approved (counts per area and at municipality level; the notices "
        "themselves for members and up), a source of its own. The same figures as the page "
        "and the exports."
    )


class PictureFilters(Schema):
    kind: PeriodKind | None = Field(None, description="week, quarter, tertial or year")
    period: str | None = Field(None, max_length=10, description="Only this period's versions.")


@router.get("", response=list[PictureOut], summary="Approved pictures, newest first")
def list_pictures(request, filters: Query[PictureFilters]):
    membership = _reader(request)
    rows = scoped(Picture.objects.select_related("approved_by", "superseded_by"), membership)
    if filters.kind:
        rows = rows.filter(period_kind=filters.kind)
    if filters.period:
        rows = rows.filter(period=filters.period)
    rows = rows.defer("content").order_by("-approved_at", "-pk")
    return [PictureOut.from_picture(p) for p in rows]


@router.get(
    "/{period}/versions/{version}",
    response=PictureContentOut,
    summary="One approved version with its content",
)
def get_picture(
    request,
    period: str = Path(..., pattern=PERIOD, description="2026-W47, 2026-Q3, 2026-T2 or 2026"),
    version: int = Path(..., ge=1, le=32767),
):
    membership = _reader(request)
    picture = services.approved_version(membership, period, version)
    content = {k: v for k, v in picture.content.items() if k != "incident_ids"}
    if "police" in content:
        content["police"] = police_section_for(content["police"], membership)
    return {**PictureOut.from_picture(picture), "content": content}
