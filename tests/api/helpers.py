"""What every API test needs: the API's root path and a client that signs in with a token."""

from django.test import Client

from lagesbild.api.models import ApiToken

API = "/api/v1"


def bearer(membership, scope=ApiToken.Scope.READ_WRITE) -> Client:
    _token, raw = ApiToken.issue(membership, "test", scope=scope)
    return Client(headers={"authorization": f"Bearer {raw}"})
