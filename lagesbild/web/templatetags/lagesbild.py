"""Template filters for Swedish presentation: ISO weeks and numbers."""

from datetime import datetime

from django import template
from django.utils.translation import gettext as _

from lagesbild.incidents import weeks
from lagesbild.web.numbers import figure, rounded

register = template.Library()


@register.filter
def week_label(code: int) -> str:
    """202647 -> 'v. 47 2026'."""
    return _("v. %(week)s %(year)s") % {"week": code % 100, "year": code // 100}


@register.filter
def week_iso(code: int) -> str:
    return weeks.iso(code)


@register.filter
def decimal1(value) -> str:
    """One decimal in the active locale (Swedish decimal comma), rounded by the app's rule."""
    return figure(value, 1)


@register.filter
def signed(value) -> str:
    """+3 / −2 / 0 with a real minus sign, for changes between weeks."""
    decimals = 1 if isinstance(value, float) else 0
    exact = rounded(value, decimals)
    if exact is None:
        return "–"
    text = figure(abs(exact), decimals)
    if exact > 0:
        return f"+{text}"
    if exact < 0:
        return f"−{text}"
    return text


def _change_value(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dict):
        return str(value.get("name", value.get("id", "")))
    return str(value)


@register.filter
def join_change(values) -> str:
    """[old, new] from an incident's history as 'old → new'; other values as they are."""
    if isinstance(values, list) and len(values) == 2:
        return f"{_change_value(values[0])} → {_change_value(values[1])}"
    if isinstance(values, list):
        return ", ".join(_change_value(v) for v in values)
    return _change_value(values)


@register.filter
def get_item(mapping, key):
    """mapping[key] in templates, trying the key as given and as a string."""
    if mapping is None:
        return None
    if key in mapping:
        return mapping[key]
    return mapping.get(str(key)) if hasattr(mapping, "get") else None


@register.filter
def decimal0(value) -> str:
    return figure(value, 0)


@register.filter
def week_short(iso: str) -> str:
    """'2026-W47' -> 'v. 47 2026'."""
    year, week = iso.split("-W")
    return _("v. %(week)s %(year)s") % {"week": int(week), "year": year}


@register.filter
def percent_change(ratio) -> str:
    """A rate ratio as a signed percentage: 1.12 -> '+12 %', 0.8 -> '−20 %'."""
    exact = rounded(None if ratio is None else (ratio - 1) * 100, 0)
    if exact is None:
        return "–"
    change = int(exact)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{abs(change)} %"


@register.filter
def moment(text: str | None):
    """An ISO 8601 time kept in a picture's frozen content, as a datetime for `|date`."""
    return datetime.fromisoformat(text) if text else None
