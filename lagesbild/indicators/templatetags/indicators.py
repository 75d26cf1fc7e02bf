"""The pictures' "Indikatorer" section, as self-contained inclusion tags:
`{% load indicators %}{% indicator_section iso %}` in the weekly picture and
`{% indicator_period_section period %}` in the periodic one show, for each indicator the
member may see, every area's latest value of a period begun by the end of that week or period
(areas without one are left out), its change and its deviation flag."""

from datetime import date, timedelta

from django import template

from lagesbild.incidents import weeks
from lagesbild.indicators import presenters
from lagesbild.pictures.periodic import Period

register = template.Library()
TEMPLATE = "indicators/_picture_section.html"


def _sections(context, until: date) -> dict:
    membership = getattr(context.get("request"), "membership", None)
    sections = presenters.picture_sections(membership, until)
    return {"sections": [(i, presenters.rows(i, known)) for i, known in sections]}


@register.inclusion_tag(TEMPLATE, takes_context=True)
def indicator_section(context, iso: str) -> dict:
    return _sections(context, weeks.last_day(weeks.parse(iso)))


@register.inclusion_tag(TEMPLATE, takes_context=True)
def indicator_period_section(context, period: str) -> dict:
    return _sections(context, Period.parse(period).shift(1).first_month - timedelta(days=1))
