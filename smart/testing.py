"""Tokens for tests of the FHIR API (the token endpoint has its own tests)."""

from smart.models import BackendClient
from smart.tokens import token_issue


def issue_test_token(*, client_name: str = "test-ehr", scopes=("system/*.rs",)) -> str:
    client, _ = BackendClient.objects.get_or_create(
        name=client_name, defaults={"allowed_scopes": "\n".join(scopes)}
    )
    token, _ = token_issue(client=client, scopes=list(scopes))
    return token
