"""Interventions for partner systems: the register (read), one intervention with its progress
log and latest evaluation, and the two things a taking-part organisation does from its own
system: move the status and write in the progress log. The same services and permissions as
the pages (coordinators, and members of the responsible or a contributing organisation)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from lagesbild.api.common import ErrorsOut, require_role, validation_errors
from lagesbild.interventions import queries, services
from lagesbild.interventions.models import Intervention
from lagesbild.partnerships.access import Role, get_for_member
from lagesbild.web.fields import MAX_ID

router = Router(tags=["interventions"])
NOT_YOURS = "Bara samordnare och insatsens ansvariga eller medverkande organisationer får ändra."


class InterventionOut(Schema):
    id: int
    title: str
    status: str = Field(description="planned, ongoing, done or cancelled")
    kind: str | None
    responsible: str = Field(description="The responsible organisation")
    contributors: list[str]
    areas: list[int]
    start_date: date | None
    end_date: date | None
    due_date: date
    verdict: str | None = Field(description="The newest evaluation's verdict, if evaluated.")

    @staticmethod
    def from_intervention(item: Intervention, verdict: str | None) -> dict:
        return {
            "id": item.pk,
            "title": item.title,
            "status": item.status,
            "kind": item.kind.name if item.kind else None,
            "responsible": item.responsible.name,
            "contributors": [o.name for o in item.contributors.all()],
            "areas": [a.pk for a in item.areas.all()],
            "start_date": item.start_date,
            "end_date": item.end_date,
            "due_date": item.due_date,
            "verdict": verdict,
        }


class NoteOut(Schema):
    done_on: date
    text: str
    amount: str
    organisation: str


class InterventionDetailOut(InterventionOut):
    description: str
    progress: list[NoteOut] = Field(description="The progress log, newest first.")


class InterventionFilters(Schema):
    status: Intervention.Status | None = None
    area: int | None = Field(None, ge=1, le=MAX_ID)


class StatusIn(Schema):
    status: Intervention.Status = Field(
        description="done or cancelled closes the intervention; done queues its evaluation."
    )


class NoteIn(Schema):
    done_on: date = Field(description="When it was done; not in the future.")
    text: str = Field(max_length=2000, description="What was done.")
    amount: str = Field("", max_length=200, description="How much, e.g. '3 kvällar'.")


def _verdicts(membership, items) -> dict[int, str]:
    found = queries.latest_evaluations(membership, items)
    return {pk: evaluation.verdict or None for pk, evaluation in found.items()}


def _detail(membership, item: Intervention) -> dict:
    verdict = _verdicts(membership, [item]).get(item.pk)
    notes = item.progress_notes.select_related("organisation").order_by("-done_on", "-pk")
    return {
        **InterventionOut.from_intervention(item, verdict),
        "description": item.description,
        "progress": [
            {
                "done_on": n.done_on,
                "text": n.text,
                "amount": n.amount,
                "organisation": n.organisation.name,
            }
            for n in notes
        ],
    }


def _one(membership, intervention_id: int) -> Intervention:
    return get_for_member(
        queries.interventions(membership).prefetch_related("contributors"),
        membership,
        intervention_id,
    )


@router.get("", response=list[InterventionOut], summary="The intervention register")
def list_interventions(request, filters: Query[InterventionFilters]):
    membership = require_role(request, Role.MEMBER)
    items = queries.interventions(membership).prefetch_related("contributors")
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.area:
        items = items.filter(areas=filters.area).distinct()
    items = list(items.order_by("due_date", "id"))
    verdicts = _verdicts(membership, items)
    return [InterventionOut.from_intervention(i, verdicts.get(i.pk)) for i in items]


@router.get(
    "/{intervention_id}", response=InterventionDetailOut, summary="One intervention with its log"
)
def get_intervention(request, intervention_id: int):
    membership = require_role(request, Role.MEMBER)
    return _detail(membership, _one(membership, intervention_id))


def _change(request, intervention_id: int, service, ok: int, **fields):
    """Run one of the register's services on the intervention as the caller: the page's
    permission (403) and messages (422), else the intervention as it now is."""
    membership = require_role(request, Role.MEMBER)
    item = _one(membership, intervention_id)
    try:
        service(
            actor=request.user, membership=membership, intervention=item, request=request, **fields
        )
    except PermissionDenied as exc:
        raise HttpError(403, NOT_YOURS) from exc
    except ValidationError as exc:
        return Status(422, validation_errors(exc))
    return Status(ok, _detail(membership, item))


@router.patch(
    "/{intervention_id}",
    response={200: InterventionDetailOut, 422: ErrorsOut},
    summary="Move an intervention's status",
    url_name="get_intervention",  # one URL with the GET: keep its name
)
def update_status(request, intervention_id: int, payload: StatusIn):
    return _change(request, intervention_id, services.update_status, 200, status=payload.status)


@router.post(
    "/{intervention_id}/progress",
    response={201: InterventionDetailOut, 422: ErrorsOut},
    summary="Write in an intervention's progress log",
)
def add_progress(request, intervention_id: int, payload: NoteIn):
    return _change(request, intervention_id, services.add_progress_note, 201, **payload.dict())
