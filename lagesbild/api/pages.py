"""Pages of the API's lists that are ordered newest first: by cursor (a keyset on the time
and a unique key, right at any depth while rows arrive) or by offset."""

import base64
import binascii
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Field, Schema

from lagesbild.web.fields import MAX_ID


class PageParams(Schema):
    limit: int = Field(100, ge=1, le=1000)
    cursor: str | None = Field(
        None,
        description="The next_cursor of the previous page: pages newest first that stay "
        "right while rows are added, at any depth (use it instead of offset).",
    )
    offset: int = Field(0, ge=0, le=MAX_ID - 1000)


class PageRefused(Exception):
    """A cursor the list cannot continue from; `errors` in the API's error shape."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def one_page(
    qs: QuerySet, params: PageParams, *, time: str = "occurred_at", key: str = "pk"
) -> tuple[list, str | None]:
    """The rows of one page of `qs` (ordered by `time`, then `key`, both descending) and the
    cursor of the next page, None on the last."""
    page = qs
    if params.cursor is not None:
        if params.offset:
            raise PageRefused({"cursor": ["Ange antingen cursor eller offset, inte båda."]})
        try:
            page = _after(qs, params.cursor, time, key)
        except ValueError as exc:
            raise PageRefused({"cursor": ["Okänd cursor: börja om från första sidan."]}) from exc
    rows = list(page[params.offset : params.offset + params.limit + 1])
    more, rows = len(rows) > params.limit, rows[: params.limit]
    return rows, (_cursor(rows[-1], time, key) if more else None)


def _cursor(row, time: str, key: str) -> str:
    """Where the next page starts: after this row in the list's order."""
    text = f"{getattr(row, time).isoformat()}|{getattr(row, key)}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _after(qs: QuerySet, cursor: str, time: str, key: str) -> QuerySet:
    """The rows after the cursor's (a keyset: one index range at any depth, where an offset
    reads and skips every row)."""
    try:
        moment, number = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        at, value = datetime.fromisoformat(moment), int(number)
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ValueError(cursor) from exc
    if timezone.is_naive(at) or not 0 < value <= MAX_ID:
        raise ValueError(cursor)
    return qs.filter(Q(**{f"{time}__lt": at}) | Q(**{time: at, f"{key}__lt": value}))
