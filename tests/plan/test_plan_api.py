"""The plan's JSON API: roles, filters, the task shape, imports and the OpenAPI schema."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citybase.plan.models import Task
from citybase.plan.uploads import MAX_UPLOAD_BYTES
from tests.conftest import bearer_token, make_user
from tests.plan.conftest import seed_data

READ_ROUTES = [
    "/api/plan/overview", "/api/plan/tasks", "/api/plan/tasks/1", "/api/plan/indicators",
    "/api/plan/units/310114-D002", "/api/plan/export",
]


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def viewer_token(db) -> str:
    make_user(db, "viewer", "viewer")
    return bearer_token(db, "viewer")


@pytest.fixture
def office_token(db) -> str:
    make_user(db, "office", "digital_office")
    return bearer_token(db, "office", write=True)


@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_routes_need_login(client, imported, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_routes_refuse_public(client, db, imported, path: str) -> None:
    make_user(db, "citizen", "public")
    response = client.get(path, headers=auth(bearer_token(db, "citizen")))
    assert response.status_code == 403
    assert response.json()["status"] == 403


@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_routes_open_to_viewer(client, imported, viewer_token: str, path: str) -> None:
    assert client.get(path, headers=auth(viewer_token)).status_code == 200


def test_overview(client, imported, viewer_token: str) -> None:
    body = client.get("/api/plan/overview", headers=auth(viewer_token)).json()
    assert body["tasks"] == 95
    assert body["indicators"] == 23
    assert body["qualitative_targets"] == 9
    assert [s["tasks"] for s in body["sections"]] == [10, 18, 22, 20, 5, 20]
    assert body["sections"][5]["heading"] == "保障措施"
    assert body["sections"][0]["key_projects"][4]["heading"] == "5、探索构建数字孪生城市"
    assert body["sections"][0]["key_projects"][4]["number_inferred"] is True
    assert body["units"][0] == {
        "code": "310114-D003", "name": "区行政服务中心", "kind": "department", "lead": 12, "cooperator": 3,
    }
    # The same count as the import summary's: aliases merged, placeholders apart.
    assert (body["unit_count"], body["placeholder_count"]) == (52, 3)
    assert sum(1 for unit in body["units"] if unit["kind"] == "placeholder") == 3


def test_task_shape(client, imported, viewer_token: str) -> None:
    body = client.get("/api/plan/tasks/12", headers=auth(viewer_token)).json()
    assert body["seq"] == 12
    assert body["urn"] == "urn:ngsi-ld:PlanTask:310114-P2021-012"
    assert body["section_seq"] == 2
    assert body["key_project_number"] == 6
    assert body["units"] == ["区交通委", "公安嘉定分局", "国际汽车城", "区经委"]
    assert [(i["comparator"], i["value"], i["unit"]) for i in body["indicators"]] == [
        (">", 150, "台"), (">=", 100, "台"), (">=", 200, "辆"),
    ]
    assert body["revisions"] == []


def test_task_not_found(client, imported, viewer_token: str) -> None:
    response = client.get("/api/plan/tasks/999", headers=auth(viewer_token))
    assert response.status_code == 404
    assert response.json()["detail"] == "没有序号为999的任务。"


def test_task_filters(client, imported, viewer_token: str) -> None:
    def seqs(query: str) -> list[int]:
        response = client.get(f"/api/plan/tasks?{query}", headers=auth(viewer_token))
        assert response.status_code == 200
        return [task["seq"] for task in response.json()]

    assert len(seqs("")) == 95
    assert len(seqs("has_indicators=true")) == 17
    assert len(seqs("has_indicators=false")) == 78
    assert seqs("section=5&has_indicators=false") == [71, 72, 73, 74, 75]
    assert seqs("unit=310114-D030&role=lead") == [82]
    assert seqs("q=全覆盖") == [1, 9, 24, 33, 34, 47, 57, 60, 62]


@pytest.mark.parametrize(("query", "field", "value"), [
    ("unit=none", "unit", "none"),
    ("section=9", "section", 9),
    ("key_project=99999", "key_project", 99999),
])
def test_task_filter_unknown_value(client, imported, viewer_token: str, query: str, field: str, value) -> None:
    response = client.get(f"/api/plan/tasks?{query}", headers=auth(viewer_token))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["value"] == value


def test_task_filter_bad_role(client, imported, viewer_token: str) -> None:
    response = client.get("/api/plan/tasks?unit=310114-D030&role=boss", headers=auth(viewer_token))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["value"]) == ("role", "boss")


def test_indicators(client, imported, viewer_token: str) -> None:
    rows = client.get("/api/plan/indicators", headers=auth(viewer_token)).json()
    assert len(rows) == 23
    assert rows[0]["task_seq"] == 1
    assert rows[0]["urn"] == "urn:ngsi-ld:PlanIndicator:310114-P2021-001-1"
    assert rows[3]["value"] == 40
    assert rows[3]["value_max"] == 100


def test_unit_tasks(client, imported, viewer_token: str) -> None:
    body = client.get("/api/plan/units/310114102", headers=auth(viewer_token)).json()
    assert body["name"] == "南翔镇"
    assert body["lead"] == []
    placeholders = {(item["placeholder"], item["task"]["seq"]) for item in body["via_placeholder"]}
    assert ("各街镇", 1) in placeholders
    assert ("各相关街镇", 4) in placeholders
    assert client.get("/api/plan/units/nope", headers=auth(viewer_token)).status_code == 404


def test_export_matches_task_shape(client, imported, viewer_token: str) -> None:
    tasks = client.get("/api/plan/export", headers=auth(viewer_token)).json()
    assert len(tasks) == 95
    assert tasks[4]["indicators"][0]["value"] == 20000
    assert tasks[4]["indicators"][0]["value_max"] == 30000


def test_import_through_api(client, db, office_token: str) -> None:
    files = {"file": ("task_list.txt", seed_data(), "text/plain")}
    first = client.post("/api/plan/imports", files=files, headers=auth(office_token))
    assert first.status_code == 201
    body = first.json()
    assert body["changed"] is True
    assert body["counts"]["tasks"] == 95
    assert body["warnings"][-1]["message"].startswith("第71行第3列（重点项目和应用场景）")
    again = client.post("/api/plan/imports", files=files, headers=auth(office_token))
    assert again.status_code == 200
    assert again.json()["import_id"] is None


def test_import_malformed_file_is_problem_json(client, db, office_token: str) -> None:
    bad = seed_data().replace(b"\t12\n", b"\t1two\n")
    response = client.post("/api/plan/imports", files={"file": ("bad.txt", bad, "text/plain")}, headers=auth(office_token))
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "任务清单无法导入"
    assert body["errors"] == [{"field": "第91行第1列（序号）", "value": "1two", "message": "序号为“1two”；应为整数。"}]
    with db.session() as session:
        assert session.scalar(select(func.count(Task.id))) == 0


def test_import_refused_to_viewer(client, db, viewer_token: str) -> None:
    files = {"file": ("task_list.txt", seed_data(), "text/plain")}
    assert client.post("/api/plan/imports", files=files, headers=auth(viewer_token)).status_code == 403


def test_import_refused_with_read_only_token(client, db) -> None:
    make_user(db, "office", "digital_office")
    token = bearer_token(db, "office", write=False)
    files = {"file": ("task_list.txt", seed_data(), "text/plain")}
    response = client.post("/api/plan/imports", files=files, headers=auth(token))
    assert response.status_code == 403


def test_import_oversized_file(client, db, office_token: str) -> None:
    oversized = seed_data() * (MAX_UPLOAD_BYTES // len(seed_data()) + 1)
    files = {"file": ("task_list.txt", oversized, "text/plain")}
    response = client.post("/api/plan/imports", files=files, headers=auth(office_token))
    assert response.status_code == 413
    assert response.json()["detail"] == "文件超过10 MB；请拆分文件或删除其中的图片。"


def test_openapi_documents_plan_routes(client) -> None:
    schema = client.get("/openapi.json").json()
    for path in ["/api/plan/overview", "/api/plan/tasks", "/api/plan/tasks/{seq}", "/api/plan/indicators",
                 "/api/plan/units/{code}", "/api/plan/export", "/api/plan/imports"]:
        assert path in schema["paths"], path
    indicator = schema["components"]["schemas"]["IndicatorOut"]
    assert set(indicator["properties"]) == {
        "text", "metric", "comparator", "value", "value_max", "unit", "aspirational", "cumulative",
    }
