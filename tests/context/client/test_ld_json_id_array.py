"""Batch delete with an application/ld+json array of ids, the request ngsildclient sends."""

from __future__ import annotations

from tests.context.conftest import Ngsi


def test_batch_delete_ld_json_id_array(ngsi: Ngsi) -> None:
    ids = [f"urn:ngsi-ld:Device:310114102-{n}" for n in range(2)]
    for entity_id in ids:
        assert ngsi.post("/entities", {"id": entity_id, "type": "Device"}).status_code == 201

    deleted = ngsi.post("/entityOperations/delete", ids, content_type="application/ld+json")

    assert deleted.status_code == 204, deleted.text
    assert ngsi.get("/entities/" + ids[0]).status_code == 404
    mixed = ngsi.post("/entityOperations/create", [{"id": "urn:ngsi-ld:Device:x", "type": "Device"}],
                      content_type="application/ld+json")
    # An item without @context under application/ld+json is that item's error (207), not the whole batch's.
    assert mixed.status_code == 207, mixed.text
    assert mixed.json()["errors"][0]["entityId"] == "urn:ngsi-ld:Device:x"
    assert mixed.json()["errors"][0]["error"]["type"].endswith("/BadRequestData")
