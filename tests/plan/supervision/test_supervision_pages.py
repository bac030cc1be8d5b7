import datetime as dt
import re
from decimal import Decimal

import pytest
from plan_builder import shanghai, submit_report
from sqlalchemy import select

from citybase.core.audit import AuditEntry
from citybase.core.notifications import Notification
from citybase.plan.supervision.models import EvidenceFile, IndicatorValue, ProgressReport, SupervisionNotice
from tests.conftest import login


def _csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _report_form(plan, token, action="save", stations="2250", narrative="已建成5G基站2250个。"):
    return {
        "csrf_token": token, "action": action, "narrative": narrative,
        f"values[{plan.indicators['stations']}].value": stations,
        f"values[{plan.indicators['stations']}].as_of": "2022-05-31",
        f"values[{plan.indicators['stations']}].note": "",
        f"values[{plan.indicators['broadband']}].value": "80",
        f"targets[{plan.targets['fibre']}].percent": "50",
    }


def _start_report(client, web_users, plan):
    token = _as(client, web_users, "science")
    response = client.post("/plan/my/report", data={"csrf_token": token, "task": "1", "period": "2022-05"},
                           follow_redirects=False)
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1]), token


def test_my_tasks_lists_unit_tasks(client, clock, web_users, plan):
    _as(client, web_users, "science")
    page = client.get("/plan/my/tasks")
    assert page.status_code == 200
    assert "建成3500个5G基站" in page.text
    assert "政务网络带宽" not in page.text
    assert "2022-05" in page.text


def test_report_for_period_after_plan_end(client, clock, web_users, plan, db):
    """After 2023 the pages offer later periods; opening one must work even before the worker ran."""
    clock.now = shanghai(2024, 4, 10)
    token = _as(client, web_users, "science")
    start = client.get("/plan/my/report?task=1&period=2024-03")
    assert start.status_code == 200, start.text
    opened = client.post("/plan/my/report", data={"csrf_token": token, "task": "1", "period": "2024-03"},
                         follow_redirects=False)
    assert opened.status_code == 303, opened.text
    with db.session() as session:
        report = session.get(ProgressReport, int(opened.headers["location"].rsplit("/", 1)[1]))
        assert (report.period.key, report.status) == ("2024-03", "draft")


def test_my_tasks_shows_cooperator_role(client, clock, web_users, plan):
    _as(client, web_users, "nanxiang")
    page = client.get("/plan/my/tasks")
    assert "配合" in page.text or "Cooperator" in page.text
    assert "建成3500个5G基站" in page.text


def test_report_loop_through_pages(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    saved = client.post(f"/plan/reports/{report_id}", data=_report_form(plan, token), follow_redirects=False)
    assert saved.status_code == 303
    upload = client.post(f"/plan/reports/{report_id}/evidence", data={"csrf_token": token},
                         files={"file": ("基站清单.pdf", b"%PDF-1.7 list", "application/pdf")}, follow_redirects=False)
    assert upload.status_code == 303
    submitted = client.post(f"/plan/reports/{report_id}", data=_report_form(plan, token, "submit"), follow_redirects=False)
    assert submitted.status_code == 303

    token = _as(client, web_users, "office")
    queue = client.get("/plan/review")
    assert f"/plan/reports/{report_id}" in queue.text
    returned = client.post(f"/plan/reports/{report_id}/return", data={"csrf_token": token, "reason": "请补充分区数据"},
                           follow_redirects=False)
    assert returned.status_code == 303

    token = _as(client, web_users, "science")
    page = client.get(f"/plan/reports/{report_id}")
    assert "请补充分区数据" in page.text
    client.post(f"/plan/reports/{report_id}", data=_report_form(plan, token, "submit", stations="2300"))

    clock.now = shanghai(2022, 6, 4, 9)
    token = _as(client, web_users, "office")
    accepted = client.post(f"/plan/reports/{report_id}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303

    with db.session() as session:
        report = session.get(ProgressReport, report_id)
        assert report.status == "accepted"
        assert [event.action for event in report.events] == [
            "create", "evidence_add", "submit", "return", "resubmit", "accept"]
        value = session.scalar(select(IndicatorValue).where(IndicatorValue.indicator_id == plan.indicators["stations"]))
        assert value.value == Decimal(2300)
        assert session.scalars(select(AuditEntry).where(AuditEntry.table == "plan_reports",
                                                        AuditEntry.actor_name == "w_office")).all()

    task_page = client.get("/plan/supervision/tasks/1")
    assert task_page.status_code == 200
    assert "2300" in task_page.text
    assert "已采纳的进展报送" in task_page.text


def test_invalid_form_keeps_nothing(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    response = client.post(f"/plan/reports/{report_id}", data=_report_form(plan, token, stations="两千"))
    assert response.status_code == 400
    assert "不是数字" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "两千" in response.text
    with db.session() as session:
        assert session.get(ProgressReport, report_id).values == []


def test_evidence_type_error_shown(client, clock, web_users, plan):
    report_id, token = _start_report(client, web_users, plan)
    response = client.post(f"/plan/reports/{report_id}/evidence", data={"csrf_token": token},
                           files={"file": ("tool.exe", b"MZ", "application/octet-stream")})
    assert response.status_code == 400
    assert "不接受“exe”类型" in response.text


def test_evidence_download_checks_unit(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    client.post(f"/plan/reports/{report_id}/evidence", data={"csrf_token": token},
                files={"file": ("清单.pdf", b"%PDF-1.7", "application/pdf")})
    with db.session() as session:
        evidence_id = session.scalar(select(EvidenceFile.id))
    assert client.get(f"/plan/evidence/{evidence_id}").content == b"%PDF-1.7"
    _as(client, web_users, "service")
    assert client.get(f"/plan/evidence/{evidence_id}").status_code == 404


def test_cooperator_adds_contribution(client, clock, web_users, plan, db):
    report_id, _token = _start_report(client, web_users, plan)
    token = _as(client, web_users, "nanxiang")
    page = client.get(f"/plan/reports/{report_id}")
    assert 'action="/plan/reports/%d/contribution"' % report_id in page.text
    assert 'name="narrative"' not in page.text
    response = client.post(f"/plan/reports/{report_id}/contribution", data={"csrf_token": token, "text": "南翔新建基站120个"},
                           follow_redirects=False)
    assert response.status_code == 303
    with db.session() as session:
        assert session.get(ProgressReport, report_id).contributions[0].text == "南翔新建基站120个"


def test_notice_loop_through_pages(client, clock, web_users, plan, db):
    token = _as(client, web_users, "office")
    issued = client.post("/plan/notices", data={
        "csrf_token": token, "unit": "310114-D002", "task": "1", "title": "5G基站建设滞后", "body": "请报送整改措施",
        "reply_due_on": "2022-06-10",
    }, follow_redirects=False)
    assert issued.status_code == 303
    notice_id = int(issued.headers["location"].split("/")[-1].split("?")[0])

    token = _as(client, web_users, "science")
    assert "督办〔2022〕1号" in client.get("/plan/notices").text
    client.post(f"/plan/notices/{notice_id}/reply", data={"csrf_token": token, "text": "已增派施工队伍"})

    _as(client, web_users, "service")
    assert client.get(f"/plan/notices/{notice_id}").status_code == 404

    token = _as(client, web_users, "office")
    closed = client.post(f"/plan/notices/{notice_id}/close", data={"csrf_token": token, "comment": ""},
                         follow_redirects=False)
    assert closed.status_code == 303
    with db.session() as session:
        notice = session.get(SupervisionNotice, notice_id)
        assert notice.status == "closed"
        assert notice.reply_text == "已增派施工队伍"


def test_notice_form_errors(client, clock, web_users, plan):
    token = _as(client, web_users, "office")
    response = client.post("/plan/notices", data={"csrf_token": token, "unit": "", "title": "", "body": ""})
    assert response.status_code == 400
    assert "请选择一个具体单位" in response.text
    assert "请填写督办单标题" in response.text


def test_notice_form_names_bad_task_and_unit(client, clock, web_users, plan, db):
    token = _as(client, web_users, "office")
    unknown = client.post("/plan/notices", data={"csrf_token": token, "unit": "310114-D002", "task": "999",
                                                 "title": "加快推进", "body": "请报送"})
    assert unknown.status_code == 400
    assert "没有序号为999的任务" in unknown.text
    assert 'value="999"' in unknown.text

    other_unit = client.post("/plan/notices", data={"csrf_token": token, "unit": "310114-D003", "task": "1",
                                                    "title": "加快推进", "body": "请报送"})
    assert other_unit.status_code == 400
    assert "区行政服务中心不是任务1的责任单位" in other_unit.text
    with db.session() as session:
        assert session.scalars(select(SupervisionNotice)).all() == []


def test_extension_loop_through_pages(client, clock, web_users, plan, db):
    token = _as(client, web_users, "science")
    requested = client.post("/plan/supervision/tasks/1/extension", data={
        "csrf_token": token, "requested_due_on": "2024-06-30", "reason": "设备供货延迟", "indicator_id": "",
    }, follow_redirects=False)
    assert requested.status_code == 303
    token = _as(client, web_users, "office")
    listing = client.get("/plan/extensions")
    request_id = int(re.search(r'/plan/extensions/(\d+)"', listing.text).group(1))
    refused = client.post(f"/plan/extensions/{request_id}/decision", data={"csrf_token": token, "decision": "refuse", "reason": ""})
    assert refused.status_code == 400
    approved = client.post(f"/plan/extensions/{request_id}/decision",
                           data={"csrf_token": token, "decision": "approve", "reason": "同意"}, follow_redirects=False)
    assert approved.status_code == 303
    assert "2024-06-30" in client.get("/plan/supervision/tasks/1").text


def test_office_sets_milestone_and_binding(client, clock, web_users, plan, db):
    token = _as(client, web_users, "office")
    added = client.post("/plan/supervision/tasks/1/milestones", data={
        "csrf_token": token, "milestone_title": "完成主城区覆盖", "milestone_due_on": "2022-12-31",
        "milestone_expected_percent": "60", "indicator_id": "",
    }, follow_redirects=False)
    assert added.status_code == 303
    bad = client.post("/plan/supervision/tasks/1/milestones", data={
        "csrf_token": token, "milestone_title": "", "milestone_due_on": "2022-13-01", "milestone_expected_percent": "60",
    })
    assert bad.status_code == 400
    assert 'id="f-milestone_due_on-error"' in bad.text
    bound = client.post(f"/plan/supervision/indicators/{plan.indicators['terminals']}/binding",
                        data={"csrf_token": token, "metric_key": "plan.units_reported_on_time"}, follow_redirects=False)
    assert bound.status_code == 303
    page = client.get("/plan/supervision/tasks/3")
    assert "平台实时数据：按时报送单位数" in page.text
    assert "完成主城区覆盖" in client.get("/plan/supervision/tasks/1").text


def test_overview_filters_by_light(client, clock, web_users, plan):
    _as(client, web_users, "viewer")
    page = client.get("/plan/supervision?light=red")
    assert page.status_code == 200
    assert page.text.count('href="/plan/supervision/tasks/') == 3
    assert "序时进度" in page.text


def test_reporter_sees_only_own_tasks(client, clock, web_users, plan):
    _as(client, web_users, "service")
    page = client.get("/plan/supervision")
    assert 'href="/plan/supervision/tasks/2"' in page.text
    assert 'href="/plan/supervision/tasks/1"' not in page.text
    assert client.get("/plan/supervision/tasks/1").status_code == 404


# Every page route with a role that must be refused (403) and the form data it would send.
REFUSED = [
    ("get", "/plan/my/tasks", "office"),
    ("get", "/plan/my/tasks", "viewer"),
    ("get", "/plan/my/report?task=1&period=2022-05", "viewer"),
    ("post", "/plan/my/report", "viewer"),
    ("post", "/plan/my/report", "office"),
    ("post", "/plan/reports/{report}", "viewer"),
    ("post", "/plan/reports/{report}", "office"),
    ("post", "/plan/reports/{report}/return", "science"),
    ("post", "/plan/reports/{report}/return", "viewer"),
    ("post", "/plan/reports/{report}/accept", "science"),
    ("post", "/plan/reports/{report}/accept", "dispatcher"),
    ("post", "/plan/reports/{report}/contribution", "viewer"),
    ("post", "/plan/reports/{report}/evidence", "office"),
    ("post", "/plan/evidence/1/remove", "viewer"),
    ("get", "/plan/review", "science"),
    ("get", "/plan/review", "viewer"),
    ("post", "/plan/supervision/tasks/1/deadline", "science"),
    ("post", "/plan/supervision/tasks/1/milestones", "viewer"),
    ("post", "/plan/supervision/tasks/1/milestones/1/remove", "science"),
    ("post", "/plan/supervision/tasks/1/milestones/1/done", "science"),
    ("post", "/plan/supervision/tasks/1/extension", "office"),
    ("post", "/plan/supervision/tasks/1/extension", "viewer"),
    ("post", "/plan/supervision/indicators/1/binding", "science"),
    ("post", "/plan/supervision/indicators/1/values", "viewer"),
    ("post", "/plan/notices", "science"),
    ("post", "/plan/notices", "viewer"),
    ("post", "/plan/notices/1/reply", "office"),
    ("post", "/plan/notices/1/reply", "viewer"),
    ("post", "/plan/notices/1/return", "science"),
    ("post", "/plan/notices/1/close", "science"),
    ("post", "/plan/extensions/1/decision", "science"),
    ("post", "/plan/extensions/1/decision", "viewer"),
]


@pytest.mark.parametrize(("method", "path", "role"), REFUSED)
def test_wrong_role_refused(client, clock, web_users, plan, db, method, path, role):
    report_id = submit_report(db, plan, "network", "2022-05", clock.now, {"stations": 2250, "broadband": 80}, {"fibre": 50})
    token = _as(client, web_users, role)
    url = path.format(report=report_id)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token, "task": "1", "period": "2022-05"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/plan/my/tasks", "/plan/supervision", "/plan/notices", "/plan/review", "/plan/extensions",
                                  "/plan/supervision/tasks/1"])
def test_pages_need_login(client, clock, plan, path):
    response = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_form_without_csrf_refused(client, clock, web_users, plan):
    _as(client, web_users, "science")
    response = client.post("/plan/my/report", data={"task": "1", "period": "2022-05"})
    assert response.status_code == 403


def test_task_page_uses_chinese_colons(client, clock, web_users, plan):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/tasks/1")
    assert page.status_code == 200
    assert "牵头单位：区科委" in page.text
    assert "亮灯：<span" in page.text
