"""Change events published by every broker write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citybase.context.service import events

from .conftest import Ngsi

V = "https://uri.etsi.org/ngsi-ld/default-context/"


@pytest.fixture
def received() -> Iterator[list[events.EntityChange]]:
    seen: list[events.EntityChange] = []

    def listener(_session, changes):
        seen.extend(changes)

    events.add_listener(listener)
    yield seen
    events.remove_listener(listener)


def test_create_update_delete_events(ngsi: Ngsi, received) -> None:
    entity_id = "urn:ngsi-ld:Device:310114-7"
    ngsi.post("/entities", {"id": entity_id, "type": "Device", "a": 1, "b": 2})
    ngsi.patch(f"/entities/{entity_id}/attrs", {"a": 5})
    ngsi.delete(f"/entities/{entity_id}/attrs/b")
    ngsi.delete(f"/entities/{entity_id}")
    assert [(e.kind, e.entity.id) for e in received] == [
        ("created", entity_id), ("updated", entity_id), ("updated", entity_id), ("deleted", entity_id),
    ]
    assert received[0].attributes == {V + "a", V + "b"}
    assert received[1].attributes == {V + "a"}
    assert received[2].deleted_attributes == {V + "b"}


def test_listener_error_rolls_back_the_write(ngsi: Ngsi) -> None:
    def failing(_session, _changes):
        raise RuntimeError("listener failed")

    events.add_listener(failing)
    try:
        response = ngsi.post("/entities", {"id": "urn:ngsi-ld:Device:310114-8", "type": "Device"})
    finally:
        events.remove_listener(failing)
    assert response.status_code == 500
    assert response.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/InternalError"
    assert ngsi.get("/entities/urn:ngsi-ld:Device:310114-8").status_code == 404
