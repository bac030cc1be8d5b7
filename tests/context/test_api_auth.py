"""Access to the NGSI-LD API: bearer tokens, read and write permissions, auth off."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from citybase.context.permissions import READ, WRITE
from citybase.core import registry
from tests.conftest import bearer_token, make_user

ENTITY = {"id": "urn:ngsi-ld:Device:310114-1", "type": "Device", "a": 1}


def headers(token: str | None) -> dict[str, str]:
    base = {"Content-Type": "application/json"}
    if token:
        base["Authorization"] = f"Bearer {token}"
    return base


def test_permissions_are_registered() -> None:
    merged = registry.permissions()
    assert "viewer" in merged[READ]
    assert "viewer" not in merged[WRITE]
    assert "data_steward" in merged[WRITE]


def test_no_token_is_401(client: TestClient) -> None:
    response = client.get("/ngsi-ld/v1/entities", params={"type": "Device"})
    assert response.status_code == 401


def test_bad_token_is_401(client: TestClient) -> None:
    response = client.get("/ngsi-ld/v1/entities", params={"type": "Device"}, headers=headers("cb_nope"))
    assert response.status_code == 401


def test_viewer_reads_but_cannot_write(client: TestClient, db) -> None:
    make_user(db, "watcher", "viewer")
    token = bearer_token(db, "watcher", write=True)
    assert client.get("/ngsi-ld/v1/entities", params={"type": "Device"}, headers=headers(token)).status_code == 200
    denied = client.post("/ngsi-ld/v1/entities", json=ENTITY, headers=headers(token))
    assert denied.status_code == 403


def test_read_only_token_cannot_write(client: TestClient, db) -> None:
    make_user(db, "steward", "data_steward")
    token = bearer_token(db, "steward", write=False)
    assert client.post("/ngsi-ld/v1/entities", json=ENTITY, headers=headers(token)).status_code == 403
    writer = bearer_token(db, "steward", write=True)
    assert client.post("/ngsi-ld/v1/entities", json=ENTITY, headers=headers(writer)).status_code == 201


def test_public_role_cannot_read(client: TestClient, db) -> None:
    make_user(db, "citizen", "public")
    token = bearer_token(db, "citizen")
    assert client.get("/ngsi-ld/v1/types", headers=headers(token)).status_code == 403


@pytest.fixture
def open_client(settings, db, caplog):
    from citybase.web.app import create_app

    caplog.set_level(logging.WARNING, logger="citybase.context")
    open_settings = settings.model_copy(update={"context_auth": "off"})
    app = create_app(open_settings, db, run_worker=False, migrate_on_start=False)
    with TestClient(app) as test_client:
        yield test_client


def test_auth_off_allows_anonymous_and_warns(open_client: TestClient, caplog) -> None:
    assert open_client.post("/ngsi-ld/v1/entities", json=ENTITY).status_code == 201
    assert open_client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Device:310114-1").status_code == 200
    records = caplog.get_records("setup") + caplog.records
    assert any("authentication is OFF" in record.getMessage() for record in records)


def test_read_only_token_records_last_use(client: TestClient, db) -> None:
    from sqlalchemy import select

    from citybase.core.auth.models import ApiToken

    make_user(db, "watcher", "viewer")
    token = bearer_token(db, "watcher", write=False)

    response = client.get("/ngsi-ld/v1/entities", params={"type": "Device"}, headers=headers(token))

    assert response.status_code == 200
    with db.session() as session:
        stored = session.scalar(select(ApiToken).where(ApiToken.user.has(username="watcher")))
        assert stored.last_used_at is not None
