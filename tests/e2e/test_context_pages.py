"""The entity browsing pages in the browser: axe-core checks, the SVG map and keyboard use."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from citybase.context.api.deps import active_context
from citybase.context.entity_expand import expand_entity
from citybase.context.service.entities import Workspace
from citybase.core.db import utcnow
from tests.e2e.harness import assert_accessible, save_screenshot

pytestmark = pytest.mark.e2e

SENSOR_TYPE = "https://uri.etsi.org/ngsi-ld/default-context/WaterLevelSensor"


def seed(db) -> None:
    entities = [
        {"id": f"urn:ngsi-ld:WaterLevelSensor:310114102-UP-{n:04d}", "type": "WaterLevelSensor",
         "waterLevel": {"type": "Property", "value": 0.2 * n, "unitCode": "MTR", "observedAt": "2024-05-01T08:00:00Z"},
         "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.20 + n / 50, 31.30 + n / 100]}}}
        for n in range(1, 5)
    ]
    entities.append({"id": "urn:ngsi-ld:Pump:310114102-P1", "type": "Pump",
                     "name": {"type": "Property", "value": "南翔泵站"}})
    with db.session() as session:
        workspace = Workspace(session, utcnow())
        for payload in entities:
            workspace.create(expand_entity(payload, active_context(None)))
        workspace.commit()


def test_entity_type_page_with_map(live_server, admin_page):
    seed(live_server.db)

    admin_page.goto("/context?type=" + quote(SENSOR_TYPE, safe=""))

    assert admin_page.locator("h1").inner_text() == "城市实体"
    assert admin_page.locator("svg circle").count() == 4
    assert admin_page.locator("table.data tbody tr").count() == 4
    assert admin_page.locator("figcaption").inner_text().startswith("区界轮廓为示意图")
    assert_accessible(admin_page)
    save_screenshot(admin_page, "context-entities")

    first_point = admin_page.locator("svg a.ctx-point").first
    first_point.focus()
    admin_page.keyboard.press("Enter")

    admin_page.wait_for_url("**/context/entities/**")
    assert admin_page.locator("h1").inner_text() == "urn:ngsi-ld:WaterLevelSensor:310114102-UP-0001"
    row_headers = admin_page.locator("table.data th[scope=row]").all_inner_texts()
    assert row_headers[0] == "location"
    assert "waterLevel" in row_headers
    assert_accessible(admin_page)
    save_screenshot(admin_page, "context-entity")


def test_entity_types_overview(live_server, admin_page):
    seed(live_server.db)

    admin_page.goto("/context")

    assert admin_page.locator("nav[aria-labelledby=ctx-types-heading] li").count() == 2
    assert admin_page.locator("svg circle").count() == 4
    assert_accessible(admin_page)
    admin_page.goto("/text-size?size=large&next=/context")
    assert_accessible(admin_page)
    save_screenshot(admin_page, "context-types-large-text")
