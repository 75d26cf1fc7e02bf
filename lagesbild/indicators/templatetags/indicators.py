"""The pictures' "Indikatorer" section, as a self-contained inclusion tag:
`{% load indicators %}{% indicator_section content snapshot %}` in the weekly and the
periodic picture shows, for each indicator the member may see, every area's latest value of a
period begun by the end of the picture's period (areas without one are left out), its change
and its deviation flag: today's values in the draft, the frozen ones in an approved version
(`snapshot`, the version's Picture)."""

from django import template

from lagesbild.indicators import presenters
from lagesbild.pictures import periods

register = template.Library()


@register.inclusion_tag("indicators/_picture_section.html", takes_context=True)
def indicator_section(context, content: dict, picture=None) -> dict:
    membership = getattr(context.get("request"), "membership", None)
    picture = picture or None  # a page without a version passes nothing or ""
    until = periods.last_day(content["period_kind"], content["period"])
    sections = presenters.picture_sections(membership, until, picture)
    return {
        "sections": [
            (i, presenters.rows(i, known), presenters.counted_note(i)) for i, known in sections
        ],
        "note": presenters.values_note(picture),
    }
