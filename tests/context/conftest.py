"""Fixtures of the context tests that need no migrated database."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine

from citybase.context import sqlite_functions

PG_URL = os.environ.get("CITYBASE_TEST_DATABASE_URL")


@pytest.fixture
def json_connection() -> Iterator[Connection]:
    """A connection to in-memory SQLite, or to PostgreSQL when CITYBASE_TEST_DATABASE_URL is set.

    Tests create TEMPORARY tables on it, so nothing outlives the connection.
    """
    engine = create_engine(PG_URL) if PG_URL else create_engine("sqlite://")
    sqlite_functions.install(engine)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


# ---- API fixtures ----------------------------------------------------------------------------

from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from fastapi.testclient import TestClient  # noqa: E402

from tests.conftest import bearer_token, make_user  # noqa: E402

BASE = "/ngsi-ld/v1"
CORE_LINK = '<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


@dataclass
class Ngsi:
    """A test client that sends a bearer token and NGSI-LD paths."""

    client: TestClient
    token: str

    def headers(self, extra: dict[str, str] | None = None, content_type: str | None = "application/json") -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if content_type:
            headers["Content-Type"] = content_type
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                params: dict[str, str] | None = None, content_type: str | None = "application/json"):
        import json

        content = None if body is None else json.dumps(body)
        return self.client.request(method, BASE + path, content=content, params=params,
                                   headers=self.headers(headers, content_type if body is not None else None))

    def get(self, path: str, **kwargs: Any):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any):
        return self.request("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any):
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def ngsi(client: TestClient, db) -> Ngsi:
    make_user(db, "broker-admin", "admin")
    return Ngsi(client, bearer_token(db, "broker-admin", write=True))
