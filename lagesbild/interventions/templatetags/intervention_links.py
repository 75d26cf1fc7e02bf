"""The weekly picture's hook into interventions: a coordinator's "Skapa insats" links for the
week's flags. A tag, so the picture page carries one line and no intervention logic."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from lagesbild.interventions import origins
from lagesbild.partnerships.access import Role, has_role

register = template.Library()


@register.inclusion_tag("interventions/_flag_actions.html", takes_context=True)
def flag_actions(context) -> dict:
    """The week's flags, each with a link to a new intervention prefilled from it; nothing
    for members who cannot create interventions."""
    membership, content = context.get("membership"), context.get("content")
    if content is None or membership is None or not has_role(membership, Role.COORDINATOR):
        return {"flags": []}
    create = reverse("interventions:create")
    flags = []
    for item in origins.picture_flags(content):
        query = {"vecka": context["iso"], "flagga": item["kind"], "omrade": item["area"]}
        if item.get("group"):
            query["grupp"] = item["group"]
        flags.append({**item, "url": f"{create}?{urlencode(query)}"})
    return {"flags": flags}
