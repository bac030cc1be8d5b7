"""Forms report every invalid field in one round, and their error summaries name the field."""

import re

from sqlalchemy import select

from citybase.plan.supervision.models import ExtensionRequest, ProgressReport
from tests.conftest import login


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _start_report(client, web_users, plan):
    token = _as(client, web_users, "science")
    response = client.post("/plan/my/report", data={"csrf_token": token, "task": "1", "period": "2022-05"},
                           follow_redirects=False)
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1]), token


def _summary(html):
    block = re.search(r'<ul class="error-list">(.*?)</ul>', html, re.S)
    assert block, "no error summary"
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S)


def test_submit_reports_values_and_narrative_together(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    stations = plan.indicators["stations"]
    response = client.post(f"/plan/reports/{report_id}", data={
        "csrf_token": token, "action": "submit", "narrative": "  ",
        f"values[{stations}].value": "两千", f"values[{stations}].as_of": "2022-13-01",
        f"values[{plan.indicators['broadband']}].value": "",
        f"targets[{plan.targets['fibre']}].percent": "50",
    })
    assert response.status_code == 400
    items = _summary(response.text)
    joined = "\n".join(items)
    # The value, its date, the narrative and the missing broadband value: all in the first round.
    assert f'href="#f-values[{stations}].value"' in joined
    assert f'href="#f-values[{stations}].as_of"' in joined
    assert 'href="#f-narrative"' in joined
    assert f'href="#f-values[{plan.indicators["broadband"]}].value"' in joined
    assert len(items) == 4
    with db.session() as session:
        report = session.get(ProgressReport, report_id)
        assert report.status == "draft"
        assert report.values == []
        assert report.narrative == ""


def test_submit_with_valid_values_but_no_narrative_names_only_narrative(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    response = client.post(f"/plan/reports/{report_id}", data={
        "csrf_token": token, "action": "submit", "narrative": "",
        f"values[{plan.indicators['stations']}].value": "2250",
        f"values[{plan.indicators['broadband']}].value": "80",
        f"targets[{plan.targets['fibre']}].percent": "50",
    })
    assert response.status_code == 400
    items = _summary(response.text)
    assert len(items) == 1
    assert 'href="#f-narrative"' in items[0]


def test_extension_form_reports_date_and_reason_together(client, clock, web_users, plan, db):
    token = _as(client, web_users, "science")
    response = client.post("/plan/supervision/tasks/1/extension", data={
        "csrf_token": token, "requested_due_on": "2024-02-30", "reason": " ", "indicator_id": "",
    })
    assert response.status_code == 400
    joined = "\n".join(_summary(response.text))
    assert 'href="#f-requested_due_on"' in joined
    assert 'href="#f-reason"' in joined
    with db.session() as session:
        assert session.scalars(select(ExtensionRequest)).all() == []


def test_report_summary_names_indicator_value_and_fix(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    stations = plan.indicators["stations"]
    response = client.post(f"/plan/reports/{report_id}", data={
        "csrf_token": token, "action": "save", "narrative": "已开工",
        f"values[{stations}].value": "两千",
    })
    assert response.status_code == 400
    (item,) = _summary(response.text)
    assert f'href="#f-values[{stations}].value"' in item
    assert "建成3500个5G基站 — 当前值：" in item
    assert "不是数字" in item
    assert "2250" in item
    assert "您填写的是“两千”" in item
    # The link target exists on the page.
    assert f'id="f-values[{stations}].value"' in response.text


def test_extension_summary_names_fields_and_value(client, clock, web_users, plan, db):
    token = _as(client, web_users, "science")
    response = client.post("/plan/supervision/tasks/1/extension", data={
        "csrf_token": token, "requested_due_on": "2024-02-30", "reason": "", "indicator_id": "",
    })
    items = _summary(response.text)
    assert any("新期限：" in item and "“2024-02-30”" in item for item in items)
    assert any("理由：" in item and 'href="#f-reason"' in item for item in items)


def test_setup_reports_every_invalid_field_at_once(client, db):
    page = client.get("/setup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/setup", data={
        "csrf_token": token, "username": "a b", "display_name": "管理员",
        "password": "short", "password_again": "other",
    })
    assert response.status_code == 400
    items = _summary(response.text)
    joined = "\n".join(items)
    assert len(items) == 3
    assert 'href="#f-username"' in joined
    assert "用户名：" in joined
    assert "“a b”" in joined
    assert 'href="#f-password"' in joined
    assert 'href="#f-password_again"' in joined
    from citybase.core.auth.models import User
    with db.session() as session:
        assert session.scalars(select(User)).all() == []


def test_extension_page_names_requester_and_decider(client, clock, web_users, plan, db):
    token = _as(client, web_users, "science")
    client.post("/plan/supervision/tasks/1/extension", data={
        "csrf_token": token, "requested_due_on": "2024-06-30", "reason": "设备供货延迟", "indicator_id": "",
    })
    with db.session() as session:
        request_id = session.scalars(select(ExtensionRequest.id)).one()
    token = _as(client, web_users, "office")
    page = client.get(f"/plan/extensions/{request_id}")
    assert re.search(r"<dt>申请人</dt><dd>w_science（区科委）</dd>", page.text)
    assert "决定人" not in page.text
    client.post(f"/plan/extensions/{request_id}/decision", data={"csrf_token": token, "decision": "approve", "reason": "同意"})
    page = client.get(f"/plan/extensions/{request_id}")
    assert re.search(r"<dt>决定人</dt><dd>w_office，2022-06-02 10:00</dd>", page.text)
