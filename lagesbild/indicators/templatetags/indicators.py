"""The weekly picture's "Indikatorer" section, as one self-contained inclusion tag:
`{% load indicators %}{% indicator_section iso %}` shows, for each indicator the member may
see, every area's latest value of a period begun by the end of that week (areas without one
are left out), its change and its deviation flag."""

from datetime import timedelta

from django import template

from lagesbild.incidents import weeks
from lagesbild.indicators import presenters, queries
from lagesbild.partnerships.access import Role, has_role

register = template.Library()


@register.inclusion_tag("indicators/_picture_section.html", takes_context=True)
def indicator_section(context, iso: str) -> dict:
    membership = getattr(context.get("request"), "membership", None)
    if not has_role(membership, Role.MEMBER):
        return {"sections": []}
    until = weeks.monday(weeks.parse(iso)) + timedelta(days=6)
    sections = []
    for indicator, summaries in queries.picture_summaries(membership, until):
        known = [s for s in summaries if s.latest is not None]
        if known:  # areas without values are listed on the indicator's own page
            sections.append((indicator, presenters.rows(indicator, known)))
    return {"sections": sections}
