"""What a guest organisation's members see, each read starting from `access.scoped`, whose
GUEST_RULES decide it: approved pictures of ended weeks limited to the invited areas, the
joint efforts the organisation takes part in, decisions shared with guests and active grants."""

from django.db.models import Max, Prefetch
from django.http import Http404
from django.utils import timezone

from lagesbild.guests.models import DetailGrant, GuestOrganisation
from lagesbild.interventions.models import Decision, Intervention, ProgressNote
from lagesbild.partnerships.access import scoped
from lagesbild.pictures import presenters
from lagesbild.pictures.models import Picture


def invitations(membership):
    """The partnership's guest organisations with their areas and members (a coordinator's
    list; a guest gets only its own)."""
    return scoped(
        GuestOrganisation.objects.select_related("organisation"), membership
    ).prefetch_related("areas", "organisation__memberships__user")


def grants(membership):
    return scoped(
        DetailGrant.objects.select_related("guest__organisation"), membership
    ).prefetch_related("areas")


def invited_area_ids(membership) -> set[int]:
    guest = scoped(GuestOrganisation.objects.all(), membership).first()
    return set(guest.areas.values_list("pk", flat=True)) if guest else set()


def pictures(membership) -> list[dict]:
    """The approved weekly pictures a guest may open, newest version of each week."""
    rows = (
        scoped(Picture.objects.all(), membership)
        .values("period")
        .annotate(version=Max("version"))
        .order_by("-period")
    )
    return list(rows)


def picture(membership, iso: str, version: int) -> Picture:
    found = scoped(Picture.objects.all(), membership).filter(period=iso, version=version).first()
    if found is None:
        raise Http404
    return found


def picture_areas(content: dict, area_ids: set[int]) -> list[dict]:
    """The invited areas of an approved picture: per category group the count, what was
    expected and the flag with its sentence, and the group's assessment level. Nothing about
    single incidents, and not the assessment's comment (free text written for members)."""
    series = content["series"]
    levels = {s["level"]: s["name"] for s in content.get("scale", [])}
    out = []
    for area in sorted(content["areas"], key=lambda a: a["name"]):
        if area["id"] not in area_ids:
            continue
        assessment = content["assessments"].get(str(area["id"]), {})
        out.append(
            {
                "name": area["name"],
                "total": _cell(series, area["id"], None),
                "level": levels.get(assessment.get("level")),
                "rows": [
                    {"group": group["name"], **_cell(series, area["id"], group["id"])}
                    for group in content["groups"]
                ],
            }
        )
    return out


def _cell(series: dict, area_id: int, group_id: int | None) -> dict:
    found = series[f"{area_id}:{group_id or ''}"]
    return {**found, "level_word": presenters.level_word(found["level"])}


def joint_efforts(membership):
    """The interventions the guest's organisation is responsible for or contributes to,
    with their progress logs."""
    notes = ProgressNote.objects.select_related("organisation").order_by("-done_on", "-id")
    return (
        scoped(Intervention.objects.all(), membership)
        .select_related("responsible")
        .prefetch_related("areas", "contributors", Prefetch("progress_notes", queryset=notes))
        .order_by("-due_date")
    )


def shared_decisions(membership):
    return scoped(Decision.objects.select_related("meeting"), membership).order_by(
        "-meeting__held_on", "-id"
    )[:50]


def active_grants(membership) -> list[DetailGrant]:
    today = timezone.localdate()
    return [g for g in grants(membership) if g.is_active(today)]
