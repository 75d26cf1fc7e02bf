"""Where an intervention comes from when a coordinator creates it straight from the weekly
picture (outside a meeting): the week's flags, and one flag copied as the origin.

Apart from `services`, because it reads pictures and `pictures.services` already imports
`interventions.services` (for the interventions due in the week)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lagesbild.incidents import weeks
from lagesbild.interventions import services
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import Picture


def week_picture(partnership, iso: str) -> tuple[dict | None, Picture | None]:
    """The week's picture content and the approved version it is (the newest), or the live
    draft's content and None; (None, None) when nothing is computed for the week."""
    approved = pictures.latest_approved(partnership, iso)
    if approved is not None:
        return approved.content, approved
    run = runs.latest_run(partnership, iso)
    return (pictures.assemble(partnership, weeks.parse(iso), run) if run else None), None


def picture_flags(content: dict) -> list[dict]:
    """What a measure can start from in a week's picture: deviations, sustained rises, and
    areas the group assessed above the lowest level of its scale. Nothing while the week is
    in progress, when the picture has no flags yet."""
    if content.get("in_progress"):
        return []
    items = services.series_flags(content["series"])
    lowest = min((s["level"] for s in content.get("scale", [])), default=None)
    names = {str(a["id"]): a["name"] for a in content["areas"]}
    levels = {s["level"]: s["name"] for s in content.get("scale", [])}
    for area_id, entry in sorted(
        content["assessments"].items(), key=lambda kv: names.get(kv[0], "")
    ):
        if entry.get("level") and lowest is not None and entry["level"] > lowest:
            text = _("Gruppens bedömning av %(a)s: %(l)s %(n)s.") % {
                "a": names.get(area_id, ""),
                "l": entry["level"],
                "n": levels.get(entry["level"], ""),
            }
            if entry.get("comment"):
                text = f"{text} {entry['comment']}"
            items.append({"kind": "assessment", "text": text, "area": int(area_id)})
    return items


def flag_origin(partnership, *, iso: str, kind: str, area: int, group: int | None = None):
    """The flag of `kind` for `area` (and category `group`) in the week's picture, as an
    intervention's origin: a copy with the week and `"source": "picture"`, and the approved
    picture version it was read from (None for a draft). ValidationError when the week's
    picture holds no such flag (any more)."""
    content, picture = week_picture(partnership, iso)
    for item in picture_flags(content) if content is not None else []:
        if item["kind"] == kind and item["area"] == area and item.get("group") == group:
            return {**item, "period": iso, "source": "picture"}, picture
    raise ValidationError(_("Veckans lägesbild har inte (längre) den flaggan."))
