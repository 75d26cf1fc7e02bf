"""The JSON API (OpenAPI at /api/v1/openapi.json, browsable docs at /api/v1/docs, both for
logged-in users and token holders)."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from lagesbild.api.auth import SessionAuth, TokenAuth, docs_login_required
from lagesbild.api.common import schema_errors
from lagesbild.api.geography import router as geography_router
from lagesbild.api.incidents import router as incidents_router

ERROR_DETAIL = {
    "title": "ErrorDetail",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}
REFUSALS = {
    "401": "Not logged in, or the token is unknown, expired or revoked.",
    "403": "The caller's role is too low, or a read-only token tried to write.",
}


class LagesbildAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Every operation may be refused with 401 or 403 by the authentication (including a
        token's scope), which no single endpoint declares: add both, with their body."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorDetail"] = ERROR_DETAIL
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in REFUSALS.items():
                    responses.setdefault(status, {"description": description, "content": body})
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


@api.exception_handler(ValidationError)
def refused_by_schema(request, exc):
    return api.create_response(request, schema_errors(exc), status=422)
