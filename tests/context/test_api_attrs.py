"""Attribute routes: append, update, partial update, replace, delete."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from citybase.context.models import CtxAttrInstance

from .conftest import Ngsi

ENTITY_ID = "urn:ngsi-ld:Pump:310114103-P1"
V = "https://uri.etsi.org/ngsi-ld/default-context/"


def base(ngsi: Ngsi) -> str:
    ngsi.post("/entities", {
        "id": ENTITY_ID, "type": "Pump",
        "flow": {"type": "Property", "value": 10, "unitCode": "G51",
                 "accuracy": {"type": "Property", "value": 0.1}},
        "state": {"type": "Property", "value": "on"},
    })
    return "/entities/" + quote(ENTITY_ID, safe="")


def test_append_new_and_existing(ngsi: Ngsi) -> None:
    path = base(ngsi)
    assert ngsi.post(path + "/attrs", {"speed": 1500, "state": "off"}).status_code == 204
    body = ngsi.get(path).json()
    assert body["speed"]["value"] == 1500
    assert body["state"]["value"] == "off"


def test_append_no_overwrite_is_207(ngsi: Ngsi) -> None:
    path = base(ngsi)
    response = ngsi.post(path + "/attrs", {"speed": 1, "state": "off"}, params={"options": "noOverwrite"})
    assert response.status_code == 207
    assert response.json()["updated"] == ["speed"]
    assert response.json()["notUpdated"][0]["attributeName"] == "state"
    assert ngsi.get(path).json()["state"]["value"] == "on"


def test_update_existing_only(ngsi: Ngsi) -> None:
    path = base(ngsi)
    response = ngsi.patch(path + "/attrs", {"state": "off", "missing": 1})
    assert response.status_code == 207
    assert response.json()["notUpdated"][0]["attributeName"] == "missing"
    assert ngsi.get(path).json()["state"]["value"] == "off"
    assert ngsi.patch(path + "/attrs", {"state": "auto"}).status_code == 204


def test_partial_attribute_update_keeps_members(ngsi: Ngsi) -> None:
    path = base(ngsi)
    assert ngsi.patch(path + "/attrs/flow", {"value": 12}).status_code == 204
    flow = ngsi.get(path).json()["flow"]
    assert flow["value"] == 12
    assert flow["unitCode"] == "G51"
    assert flow["accuracy"] == {"type": "Property", "value": 0.1}
    assert ngsi.patch(path + "/attrs/flow", {"observedAt": "2024-05-01T00:00:00Z"}).status_code == 204
    assert ngsi.get(path).json()["flow"]["observedAt"] == "2024-05-01T00:00:00Z"


def test_partial_update_errors(ngsi: Ngsi) -> None:
    path = base(ngsi)
    assert ngsi.patch(path + "/attrs/nothing", {"value": 1}).status_code == 404
    wrong_type = ngsi.patch(path + "/attrs/flow", {"type": "Relationship", "object": "urn:x:1"})
    assert wrong_type.status_code == 400
    bad_time = ngsi.patch(path + "/attrs/flow", {"observedAt": "noon"})
    assert bad_time.status_code == 400
    assert ngsi.get(path).json()["flow"]["value"] == 10


def test_replace_attribute(ngsi: Ngsi) -> None:
    path = base(ngsi)
    assert ngsi.put(path + "/attrs/flow", {"type": "Property", "value": 7}).status_code == 204
    assert ngsi.get(path).json()["flow"] == {"type": "Property", "value": 7}
    assert ngsi.put(path + "/attrs/none", {"type": "Property", "value": 7}).status_code == 404


def test_delete_attribute_and_dataset(ngsi: Ngsi, db) -> None:
    path = base(ngsi)
    ngsi.post(path + "/attrs", {"flow": {"type": "Property", "value": 3, "datasetId": "urn:ngsi-ld:Dataset:backup"}})
    assert len(ngsi.get(path).json()["flow"]) == 2
    assert ngsi.delete(path + "/attrs/flow", params={"datasetId": "urn:ngsi-ld:Dataset:backup"}).status_code == 204
    assert ngsi.get(path).json()["flow"]["value"] == 10
    assert ngsi.delete(path + "/attrs/flow").status_code == 204
    assert "flow" not in ngsi.get(path).json()
    assert ngsi.delete(path + "/attrs/flow").status_code == 404
    with db.session() as session:
        rows = session.scalars(select(CtxAttrInstance).where(CtxAttrInstance.attr_iri == V + "flow")
                               .order_by(CtxAttrInstance.pk)).all()
        assert [(r.deleted, r.dataset_id) for r in rows] == [
            (False, None), (False, "urn:ngsi-ld:Dataset:backup"), (True, "urn:ngsi-ld:Dataset:backup"), (True, None),
        ]


def test_temporal_rows_follow_every_change(ngsi: Ngsi, db) -> None:
    path = base(ngsi)
    for value in (11, 12, 13):
        ngsi.patch(path + "/attrs/flow", {"value": value, "observedAt": f"2024-05-01T08:0{value - 10}:00Z"})
    with db.session() as session:
        rows = session.scalars(select(CtxAttrInstance).where(CtxAttrInstance.attr_iri == V + "flow")
                               .order_by(CtxAttrInstance.pk)).all()
        assert [r.value_number for r in rows] == [10.0, 11.0, 12.0, 13.0]
        assert rows[-1].observed_at.isoformat() == "2024-05-01T08:03:00+00:00"
        assert rows[-1].instance["unitCode"] == "G51"
        assert rows[-1].instance_id.startswith("urn:ngsi-ld:attribute:instance:")


def test_attribute_routes_on_missing_entity(ngsi: Ngsi) -> None:
    path = "/entities/" + quote("urn:ngsi-ld:Pump:310114-missing", safe="")
    assert ngsi.post(path + "/attrs", {"a": 1}).status_code == 404
    assert ngsi.patch(path + "/attrs", {"a": 1}).status_code == 404
    assert ngsi.delete(path + "/attrs/a").status_code == 404


def test_update_with_ngsi_ld_null_deletes_the_attribute(ngsi: Ngsi) -> None:
    path = base(ngsi)
    response = ngsi.patch(path + "/attrs", {"state": {"type": "Property", "value": "urn:ngsi-ld:null"},
                                            "flow": {"type": "Property", "value": 11}})
    assert response.status_code == 204, response.text
    body = ngsi.get(path).json()
    assert "state" not in body
    assert body["flow"]["value"] == 11


def test_update_with_null_of_a_missing_attribute_is_207(ngsi: Ngsi) -> None:
    path = base(ngsi)
    response = ngsi.patch(path + "/attrs", {"missing": {"type": "Property", "value": "urn:ngsi-ld:null"}})
    assert response.status_code == 207
    assert response.json()["notUpdated"][0]["attributeName"] == "missing"
    assert ngsi.get(path).json()["state"]["value"] == "on"


def test_partial_update_with_null_deletes_the_attribute(ngsi: Ngsi) -> None:
    path = base(ngsi)
    assert ngsi.patch(path + "/attrs/state", {"type": "Property", "value": "urn:ngsi-ld:null"}).status_code == 204
    assert "state" not in ngsi.get(path).json()
    assert ngsi.patch(path + "/attrs/state", {"type": "Property", "value": "urn:ngsi-ld:null"}).status_code == 404


def test_language_map_null_deletes_the_attribute(ngsi: Ngsi) -> None:
    path = base(ngsi)
    assert ngsi.post(path + "/attrs", {"label": {"type": "LanguageProperty",
                                                 "languageMap": {"zh": "一号泵", "en": "pump 1"}}}).status_code == 204
    null_map = {"type": "LanguageProperty", "languageMap": {"@none": "urn:ngsi-ld:null"}}
    assert ngsi.patch(path + "/attrs", {"label": null_map}).status_code == 204
    assert "label" not in ngsi.get(path).json()
