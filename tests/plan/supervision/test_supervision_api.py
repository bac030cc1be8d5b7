import datetime as dt

import pytest
from plan_builder import shanghai, submit_report
from sqlalchemy import select

from citybase.core.auth.models import User
from citybase.plan.supervision.models import ProgressReport
from tests.conftest import bearer_token


def _headers(db, web_users, name, write=True):
    return {"Authorization": f"Bearer {bearer_token(db, web_users[name], write=write)}"}


def test_report_loop_through_api(client, clock, web_users, plan, db):
    science = _headers(db, web_users, "science")
    opened = client.post("/api/plan/reports", json={"task": 1, "period": "2022-05"}, headers=science)
    assert opened.status_code == 201
    report_id = opened.json()["id"]
    assert opened.json()["status"] == "draft"
    body = {
        "narrative": "已建成5G基站2250个。",
        "values": [{"indicator_id": plan.indicators["stations"], "value": "2250", "as_of": "2022-05-31"},
                   {"indicator_id": plan.indicators["broadband"], "value": "80"}],
        "targets": [{"target_id": plan.targets["fibre"], "percent": "50"}],
    }
    assert client.put(f"/api/plan/reports/{report_id}", json=body, headers=science).status_code == 200
    uploaded = client.post(f"/api/plan/reports/{report_id}/evidence", headers=science,
                           files={"file": ("清单.pdf", b"%PDF-1.7", "application/pdf")})
    assert uploaded.status_code == 201
    assert uploaded.json()["evidence"][0]["unit_code"] == "310114-D002"
    submitted = client.post(f"/api/plan/reports/{report_id}/submit", headers=science)
    assert submitted.json()["status"] == "submitted"
    submitted_at = dt.datetime.fromisoformat(submitted.json()["submitted_at"])
    assert submitted_at.utcoffset() is not None
    assert submitted_at == shanghai(2022, 6, 2, 10)

    office = _headers(db, web_users, "office")
    returned = client.post(f"/api/plan/reports/{report_id}/return", json={"reason": "请补充数据"}, headers=office)
    assert returned.json()["status"] == "returned"
    client.post(f"/api/plan/reports/{report_id}/submit", headers=science)
    accepted = client.post(f"/api/plan/reports/{report_id}/accept", headers=office)
    assert accepted.json()["status"] == "accepted"
    assert [e["action"] for e in accepted.json()["events"]] == [
        "create", "evidence_add", "submit", "return", "resubmit", "accept"]

    clock.now = shanghai(2022, 6, 10)
    status = client.get("/api/plan/tasks/1/supervision", headers=office).json()
    assert status["light"] == "green"
    assert float(status["indicators"][0]["current"]) == 2250
    assert status["indicators"][0]["source"] == "report"
    assert float(status["progress"]) == 0.5
    assert status["reasons"][0].startswith("完成进度 50.0%")


def test_invalid_values_problem_details(client, clock, web_users, plan, db):
    science = _headers(db, web_users, "science")
    report_id = client.post("/api/plan/reports", json={"task": 1, "period": "2022-05"}, headers=science).json()["id"]
    response = client.put(f"/api/plan/reports/{report_id}", headers=science, json={
        "narrative": "x", "values": [{"indicator_id": plan.indicators["stations"], "value": "many"}],
        "targets": [{"target_id": plan.targets["fibre"], "percent": "150"}],
    })
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [
        f"values[{plan.indicators['stations']}].value", f"targets[{plan.targets['fibre']}].percent"]
    assert problem["errors"][0]["value"] == "many"
    assert problem["detail"] == "有 2 项填写有误，未保存任何内容。"


def test_state_conflict_is_409(client, clock, web_users, plan, db):
    report_id = submit_report(db, plan, "network", "2022-05", clock.now, {"stations": 1, "broadband": 50}, {"fibre": 1})
    office = _headers(db, web_users, "office")
    client.post(f"/api/plan/reports/{report_id}/accept", headers=office)
    again = client.post(f"/api/plan/reports/{report_id}/accept", headers=office)
    assert again.status_code == 409
    assert "已采纳" in again.json()["detail"]


def test_notice_loop_through_api(client, clock, web_users, plan, db):
    office = _headers(db, web_users, "office")
    issued = client.post("/api/plan/notices", headers=office, json={
        "unit_code": "310114-D002", "task": 1, "title": "5G基站建设滞后", "body": "请报送整改措施"})
    assert issued.status_code == 201
    notice = issued.json()
    assert notice["label"] == "督办〔2022〕1号"
    assert dt.datetime.fromisoformat(notice["reply_due_at"]) == shanghai(2022, 6, 10, 0)
    science = _headers(db, web_users, "science")
    replied = client.post(f"/api/plan/notices/{notice['id']}/reply", json={"text": "已整改"}, headers=science)
    assert replied.json()["status"] == "replied"
    closed = client.post(f"/api/plan/notices/{notice['id']}/close", json={"comment": ""}, headers=office)
    assert closed.json()["status"] == "closed"
    assert [e["action"] for e in closed.json()["events"]] == ["issue", "reply", "close"]
    service = _headers(db, web_users, "service")
    assert client.get(f"/api/plan/notices/{notice['id']}", headers=service).status_code == 404
    assert client.get("/api/plan/notices", headers=service).json() == []


def test_unknown_unit_code_named(client, clock, web_users, plan, db):
    office = _headers(db, web_users, "office")
    response = client.post("/api/plan/notices", headers=office, json={"unit_code": "999", "title": "t", "body": "b"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit_code"
    assert response.json()["errors"][0]["value"] == "999"


def test_notice_unknown_task_named(client, clock, web_users, plan, db):
    office = _headers(db, web_users, "office")
    response = client.post("/api/plan/notices", headers=office,
                           json={"unit_code": "310114-D002", "task": 999, "title": "t", "body": "b"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "task"
    assert response.json()["errors"][0]["value"] == 999
    assert client.get("/api/plan/notices", headers=office).json() == []


def test_extension_and_binding_api(client, clock, web_users, plan, db):
    science = _headers(db, web_users, "science")
    created = client.post("/api/plan/extensions", headers=science,
                          json={"task": 1, "requested_due_on": "2024-06-30", "reason": "供货延迟"})
    assert created.status_code == 201
    office = _headers(db, web_users, "office")
    decided = client.post(f"/api/plan/extensions/{created.json()['id']}/decision", headers=office,
                          json={"approve": False, "reason": "理由不充分"})
    assert decided.json()["status"] == "refused"
    bound = client.put(f"/api/plan/indicators/{plan.indicators['terminals']}/binding", headers=office,
                       json={"metric_key": "plan.units_reported_on_time"})
    assert bound.status_code == 200
    metrics = {m["key"]: m for m in client.get("/api/plan/metrics", headers=office).json()}
    assert metrics["plan.units_reported_on_time"]["label"] == "按时报送单位数"
    assert client.delete(f"/api/plan/indicators/{plan.indicators['terminals']}/binding", headers=office).status_code == 204


def test_lights_and_reporting_api(client, clock, web_users, plan, db):
    submit_report(db, plan, "network", "2022-05", shanghai(2022, 6, 2), {"stations": 2250, "broadband": 80}, {"fibre": 50})
    clock.now = shanghai(2022, 6, 10)
    office = _headers(db, web_users, "office")
    lights = client.get("/api/plan/lights", headers=office).json()
    assert [row["light"] for row in lights] == ["yellow", "red", "red"]
    assert client.get("/api/plan/lights?light=purple", headers=office).status_code == 400
    reporting = client.get("/api/plan/reporting?period=2022-05", headers=office).json()
    by_unit = {row["unit_code"]: row for row in reporting}
    assert by_unit["310114-D002"]["on_time"] == 1
    assert by_unit["310114-D003"]["missing"] == 1
    periods = client.get("/api/plan/periods", headers=office).json()
    assert periods[0]["key"] == "2021-01"


def test_reporter_api_sees_own_tasks(client, clock, web_users, plan, db):
    service = _headers(db, web_users, "service")
    lights = client.get("/api/plan/lights", headers=service).json()
    assert [row["seq"] for row in lights] == [2]
    assert client.get("/api/plan/tasks/1/supervision", headers=service).status_code == 404


REFUSED = [
    ("post", "/api/plan/reports", "office", {"task": 1, "period": "2022-05"}),
    ("post", "/api/plan/reports", "viewer", {"task": 1, "period": "2022-05"}),
    ("put", "/api/plan/reports/{report}", "office", {"narrative": "x"}),
    ("post", "/api/plan/reports/{report}/submit", "viewer", None),
    ("post", "/api/plan/reports/{report}/return", "science", {"reason": "x"}),
    ("post", "/api/plan/reports/{report}/accept", "science", None),
    ("post", "/api/plan/reports/{report}/accept", "viewer", None),
    ("post", "/api/plan/reports/{report}/contributions", "office", {"text": "x"}),
    ("post", "/api/plan/notices", "science", {"unit_code": "310114-D002", "title": "t", "body": "b"}),
    ("post", "/api/plan/notices/1/reply", "office", {"text": "x"}),
    ("post", "/api/plan/notices/1/return", "science", {"reason": "x"}),
    ("post", "/api/plan/notices/1/close", "viewer", {"comment": "x"}),
    ("post", "/api/plan/extensions", "office", {"task": 1, "requested_due_on": "2024-01-01", "reason": "x"}),
    ("post", "/api/plan/extensions/1/decision", "science", {"approve": True}),
    ("put", "/api/plan/indicators/1/binding", "science", {"metric_key": "plan.units_reported_on_time"}),
    ("delete", "/api/plan/indicators/1/binding", "viewer", None),
    ("get", "/api/plan/reporting?period=2022-05", "science", None),
]


@pytest.mark.parametrize(("method", "path", "role", "body"), REFUSED)
def test_api_wrong_role_refused(client, clock, web_users, plan, db, method, path, role, body):
    report_id = submit_report(db, plan, "network", "2022-05", clock.now, {"stations": 2250, "broadband": 80}, {"fibre": 50})
    headers = _headers(db, web_users, role)
    response = client.request(method.upper(), path.format(report=report_id), json=body, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_read_only_token_cannot_write(client, clock, web_users, plan, db):
    headers = _headers(db, web_users, "science", write=False)
    response = client.post("/api/plan/reports", json={"task": 1, "period": "2022-05"}, headers=headers)
    assert response.status_code == 403
    assert client.get("/api/plan/lights", headers=headers).status_code == 200


def test_api_needs_token(client, clock, plan):
    assert client.get("/api/plan/lights").status_code == 401
