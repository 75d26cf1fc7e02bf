"""The JSON API (OpenAPI at /api/v1/openapi.json, browsable docs at /api/v1/docs)."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from lagesbild.api.auth import SessionAuth, TokenAuth
from lagesbild.api.common import schema_errors
from lagesbild.api.geography import router as geography_router
from lagesbild.api.incidents import router as incidents_router

api = NinjaAPI(
    title="Lägesbild API",
    version="1",
    description=(
        "JSON API for Lägesbild. Every endpoint is limited to the partnership and role of the "
        "caller (a logged-in session or a bearer token). Error messages are in Swedish unless "
        "the request asks for English with Accept-Language. Times are given in the "
        "partnership's time zone (ISO 8601 with its offset), and a time sent without an offset "
        "is read in that zone."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/incidents", incidents_router)
api.add_router("/", geography_router)


@api.exception_handler(ValidationError)
def refused_by_schema(request, exc):
    return api.create_response(request, schema_errors(exc), status=422)
