"""The JSON API (OpenAPI at /api/v1/openapi.json, browsable docs at /api/v1/docs, both for
logged-in users and token holders)."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from lagesbild.api.auth import SessionAuth, TokenAuth, docs_login_required
from lagesbild.api.common import ErrorsOut, schema_errors
from lagesbild.api.geography import router as geography_router
from lagesbild.api.incidents import router as incidents_router
from lagesbild.api.indicators import router as indicators_router
from lagesbild.api.interventions import router as interventions_router
from lagesbild.api.pictures import router as pictures_router
from lagesbild.api.policeevents import router as police_router

ERROR_DETAIL = {
    "title": "ErrorDetail",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}
DETAIL = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}
ERRORS = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorsOut"}}}
# Answers any operation may give, whatever the endpoint declares: (status, description, body).
EVERY_OPERATION = [
    ("401", "Not logged in, or the token is unknown, expired or revoked.", DETAIL),
    ("403", "The caller's role is too low, or a read-only token tried to write.", DETAIL),
    (
        "503",
        "The database is unreachable for the moment: try again after Retry-After seconds.",
        ERRORS,
    ),
]
WITH_PARAMETERS = (
    "422",
    "A parameter or the body does not fit the description, or holds a NUL character: "
    "the reasons per field, nothing changed.",
    ERRORS,
)
WITH_PATH_PARAMETERS = (
    "404",
    "Nothing with that id in the caller's partnership (or the caller may not see it).",
    DETAIL,
)
WITH_BODY = ("400", "The body cannot be read as JSON.", DETAIL)
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}},
}


class LagesbildAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Refusals that no single endpoint declares, added where they can occur, with their
        body: 401 and 403 by the authentication (including a token's scope) and 503 while the
        database is away, on every operation; 422 (schema or NUL refusal) on operations that
        take parameters or a body; 404 on those with an id in the path; 400 on those with a
        JSON body."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorDetail"] = ERROR_DETAIL
        components.setdefault("ErrorsOut", ErrorsOut.model_json_schema())
        for operations in schema["paths"].values():
            for operation in operations.values():
                parameters = operation.get("parameters", [])
                refusals = list(EVERY_OPERATION)
                if parameters or "requestBody" in operation:
                    refusals.append(WITH_PARAMETERS)
                if any(p.get("in") == "path" for p in parameters):
                    refusals.append(WITH_PATH_PARAMETERS)
                if "requestBody" in operation:
                    refusals.append(WITH_BODY)
                responses = operation.setdefault("responses", {})
                for status, description, body in refusals:
                    responses.setdefault(status, {"description": description, "content": body})
                responses["503"].setdefault("headers", RETRY_AFTER)
        return schema


api = LagesbildAPI(
    title="Lägesbild API",
    version="1",
    description=(
        "JSON API for Lägesbild. Every endpoint is limited to the partnership and role of the "
        "caller (a logged-in session or a bearer token). A token has a scope: `read` tokens "
        "may only read (GET); any other method is answered 403. Tokens expire and can be "
        "revoked by their owner and the partnership's coordinators. Error messages are in "
        "Swedish unless the request asks for English with Accept-Language. Times are given in "
        "the partnership's time zone (ISO 8601 with its offset), and a time sent without an "
        "offset is read in that zone."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=docs_login_required,
)
api.add_router("/incidents", incidents_router)
api.add_router("/", geography_router)
api.add_router("/indicators", indicators_router)
api.add_router("/pictures", pictures_router)
api.add_router("/interventions", interventions_router)
api.add_router("/police-events", police_router)


@api.exception_handler(ValidationError)
def refused_by_schema(request, exc):
    return api.create_response(request, schema_errors(exc), status=422)
