"""The FHIR API as a client sees it: a bearer token and JSON answers."""

import json

import pytest

from smart.testing import issue_test_token


class Api:
    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def headers(self, extra=None) -> dict:
        found = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        for name, value in (extra or {}).items():
            found[f"HTTP_{name.upper().replace('-', '_')}"] = value
        return found

    def get(self, path: str, params=None, headers=None):
        return self.client.get(f"/fhir/{path}", params or {}, **self.headers(headers))

    def post(self, path: str, body, content_type="application/fhir+json", headers=None):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            f"/fhir/{path}", data, content_type=content_type, **self.headers(headers)
        )

    def json(self, path: str, params=None, status: int = 200) -> dict:
        response = self.get(path, params)
        assert response.status_code == status, response.content[:500]
        assert response["Content-Type"].startswith("application/fhir+json")
        return response.json()


@pytest.fixture
def api(client, db) -> Api:
    return Api(client, issue_test_token())


@pytest.fixture
def anonymous_api(client, db) -> Api:
    return Api(client, None)
