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

    def pages(self, path: str, params=None) -> list[dict]:
        """Every page of a search or history, following ``next`` links."""
        found = []
        while path:
            found.append(self.json(path, params))
            nexts = [x["url"] for x in found[-1]["link"] if x["relation"] == "next"]
            path, params = (
                (nexts[0].split("/fhir/", 1)[1], None) if nexts else ("", None)
            )
        return found

    def ids(self, path: str, params=None, key=lambda r: r["id"]) -> list:
        """``key`` of every matched resource on every page, in order."""
        return [
            key(e["resource"])
            for page in self.pages(path, params)
            for e in page.get("entry", [])
            if e.get("search", {}).get("mode", "match") == "match"
        ]


@pytest.fixture
def api(client, db) -> Api:
    return Api(client, issue_test_token())


@pytest.fixture
def anonymous_api(client, db) -> Api:
    return Api(client, None)
