"""Supervision's panel on the home page (工作台), added through registry.PagePanel in the slot "home"."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from plan_builder import accept_report, shanghai, submit_report

from citybase.core import registry
from citybase.core.auth.models import User
from citybase.plan.models import PlanImport
from citybase.plan.supervision import extensions, notices, periods, reports
from tests.conftest import login

CORE_PACKAGES = [Path(__file__).resolve().parents[3] / "src" / "citybase" / name for name in ("core", "web")]


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _panel(html: str) -> str:
    start = html.index('<section class="card hp-panel"')
    return html[start:html.index("</section>", start)]


def _section(panel: str, heading_id: str) -> str:
    """Return the part of the panel from the heading ``heading_id`` to the next h3."""
    start = panel.index(f'id="{heading_id}"')
    end = panel.find("<h3", start)
    return panel[start:end if end != -1 else len(panel)]


def _issue(db, plan, unit_id: int, title: str, at: dt.datetime, reply_due_on: dt.date) -> int:
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        return notices.issue_notice(session, office, unit_id=unit_id, title=title, body="请说明原因。", now=at,
                                    reply_due_on=reply_due_on).id


def _reporter_work(db, plan) -> dict[str, int]:
    """Give 区科委 (lead of task 1) a returned April report, two notices and a refused extension."""
    april = submit_report(db, plan, "network", "2022-04", shanghai(2022, 5, 3, 9),
                          {"stations": 2000, "broadband": 70}, {"fibre": 40})
    with db.session() as session:
        reports.return_report(session, session.get(User, plan.users["office"]), april, "请补充分区建设数据",
                              shanghai(2022, 5, 4, 10))
    science = plan.units["science"]
    late = _issue(db, plan, science, "5G基站建设进度滞后", shanghai(2022, 5, 25, 9), dt.date(2022, 6, 1))
    soon = _issue(db, plan, science, "光网覆盖情况说明", shanghai(2022, 5, 30, 9), dt.date(2022, 6, 10))
    with db.session() as session:
        request = extensions.request_extension(session, session.get(User, plan.users["science"]), plan.tasks["network"],
                                               requested_due_on=dt.date(2024, 3, 31), reason="设备供货延迟",
                                               now=shanghai(2022, 5, 20, 9))
        extensions.decide_extension(session, session.get(User, plan.users["office"]), request.id, approve=False,
                                    reason="不符合延期条件", now=shanghai(2022, 5, 28, 9))
    return {"april": april, "late": late, "soon": soon, "extension": request.id}


def test_registry_lists_home_panel():
    panels = registry.panels(registry.HOME_SLOT)

    assert [panel.template for panel in panels] == ["plan_supervision/_home_panel.html"]


def test_core_imports_no_plan():
    """Core and the web shell reach plan modules only through the registry."""
    offenders = []
    for package in CORE_PACKAGES:
        for path in package.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("citybase.plan"):
                    offenders.append(f"{path.name}: {node.module}")
                if isinstance(node, ast.Import):
                    offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("citybase.plan")]

    assert offenders == []


def test_reporter_sees_work_of_own_unit(client, clock, web_users, plan, db):
    ids = _reporter_work(db, plan)
    _as(client, web_users, "science")

    page = client.get("/")

    assert page.status_code == 200
    panel = _panel(page.text)
    assert '<h2 id="hp-heading">今日待办</h2>' in panel
    # Due: the May report of task 1 (due 5 June, 3 days from 2 June); April is returned, so listed below.
    due = _section(panel, "hp-due")
    assert '<a href="/plan/my/report?task=1&amp;period=2022-05">' in due
    assert "2022-05期" in due
    assert "2022-06-05截止" in due
    assert "还剩3天" in due
    assert "2022-04期" not in due
    assert "task=2" not in due  # task 2 belongs to 区行政服务中心
    returned = _section(panel, "hp-returned")
    assert f'<a href="/plan/reports/{ids["april"]}">' in returned
    assert "理由：请补充分区建设数据" in returned
    assert "2022-05-04退回" in returned
    notices_part = _section(panel, "hp-notices")
    assert notices_part.index(f'/plan/notices/{ids["late"]}') < notices_part.index(f'/plan/notices/{ids["soon"]}')
    assert '<strong class="hp-overdue">已逾期1天</strong>' in notices_part
    assert "2022-06-01前回复" in notices_part
    assert "2022-06-10前回复" in notices_part
    assert "还剩8天" in notices_part
    decisions = _section(panel, "hp-extensions")
    assert f'<a href="/plan/extensions/{ids["extension"]}">' in decisions
    assert "理由：不符合延期条件" in decisions
    # Summary: 1 due + 1 returned + 2 notices, of which the first notice is overdue.
    assert "本单位有4项待办。" in panel
    assert "其中1项已逾期。" in panel
    # The quick links stay below the panel.
    assert page.text.index("hp-panel") < page.text.index('id="quick-links"')
    assert '<a class="tile" href="/plan/my/tasks">' in page.text


def test_reporter_overdue_report_first(client, clock, web_users, plan, db):
    clock.now = shanghai(2022, 6, 7, 9)
    _as(client, web_users, "science")

    panel = _panel(client.get("/").text)

    due = _section(panel, "hp-due")
    # May was due on 5 June, so it is overdue by 2 days; June is due on 5 July.
    assert due.index("2022-05期") < due.index("2022-06期")
    assert '<li class="hp-late">' in due
    assert '<strong class="hp-overdue">已逾期2天</strong>' in due
    assert "2022-07-05截止" in due
    assert "还剩28天" in due


def test_reporter_empty_states(client, clock, web_users, plan, db):
    accept_report(db, plan, submit_report(db, plan, "network", "2022-04", shanghai(2022, 5, 3, 9),
                                          {"stations": 2000, "broadband": 70}, {"fibre": 40}), shanghai(2022, 5, 3, 11))
    accept_report(db, plan, submit_report(db, plan, "network", "2022-05", shanghai(2022, 6, 1, 9),
                                          {"stations": 2250, "broadband": 80}, {"fibre": 50}), shanghai(2022, 6, 1, 11))
    _as(client, web_users, "science")

    panel = _panel(client.get("/").text)

    assert "本单位今天没有待办事项。" in panel
    assert "本期报送已全部完成。" in panel
    assert "没有被退回待修改的报送。" in panel
    assert "没有待本单位回复的督办单。" in panel
    assert "近30天内没有延期申请的审批结果。" in panel


def test_cooperator_has_no_report_due(client, clock, web_users, plan, db):
    _as(client, web_users, "nanxiang")

    panel = _panel(client.get("/").text)

    assert "本期报送已全部完成。" in _section(panel, "hp-due")


def test_cooperator_sees_contribution_due(client, clock, web_users, plan, db):
    _as(client, web_users, "nanxiang")

    panel = _panel(client.get("/").text)

    # 南翔镇 cooperates on task 1, led by 区科委. Nothing was reported for April (due 5 May),
    # and the May report is due on 5 June.
    owed = _section(panel, "hp-contributions")
    april = owed.index('<h4 class="hp-period" id="hp-contrib-2022-04">2022-04期 · 2022-05-05截止 · '
                       '<span class="hp-overdue">逾期</span> · 1项配合情况</h4>')
    may = owed.index('<h4 class="hp-period" id="hp-contrib-2022-05">2022-05期 · 2022-06-05截止 · 1项配合情况</h4>')
    assert april < may
    assert '<a href="/plan/my/report?task=1&amp;period=2022-05">' in owed
    assert "牵头单位：区科委" in owed
    assert "还剩3天" in owed
    assert "已逾期28天" in owed
    assert "本单位有2项待办。" in panel
    assert "其中1项已逾期。" in panel


def test_contribution_leaves_list_when_added(client, clock, web_users, plan, db):
    with db.session() as session:
        user = session.get(User, plan.users["nanxiang"])
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, user, plan.tasks["network"], period, clock.now)
        report_id = report.id
    _as(client, web_users, "nanxiang")
    owed = _section(_panel(client.get("/").text), "hp-contributions")
    # The lead unit has a draft now, so the item links to that report.
    assert f'<a href="/plan/reports/{report_id}">' in owed

    with db.session() as session:
        reports.contribute(session, session.get(User, plan.users["nanxiang"]), report_id, "南翔镇完成120个基站选址。",
                           clock.now)

    owed = _section(_panel(client.get("/").text), "hp-contributions")
    assert "2022-05期" not in owed
    assert "2022-04期" in owed
    assert [row["period"] for row in client.get("/api/plan/todo").json()["contributions_due"]] == ["2022-04"]


def test_contribution_not_owed_after_submit(client, clock, web_users, plan, db):
    submit_report(db, plan, "network", "2022-05", shanghai(2022, 6, 1, 9), {"stations": 2250, "broadband": 80},
                  {"fibre": 50})
    _as(client, web_users, "nanxiang")

    body = client.get("/api/plan/todo").json()

    # The submitted May report takes no more contributions; April is still owed.
    assert [row["period"] for row in body["contributions_due"]] == ["2022-04"]


def test_cooperator_empty_state(client, clock, web_users, plan, db):
    for period, day in (("2022-04", 3), ("2022-05", 30)):
        submit_report(db, plan, "network", period, shanghai(2022, 5, day, 9), {"stations": 2250, "broadband": 80},
                      {"fibre": 50})
    _as(client, web_users, "nanxiang")

    panel = _panel(client.get("/").text)

    assert "本单位暂无需报送的配合情况。" in _section(panel, "hp-contributions")
    assert "本单位今天没有待办事项。" in panel


def test_due_reports_grouped_by_period(client, clock, web_users, plan, db):
    clock.now = shanghai(2022, 6, 7, 9)
    _as(client, web_users, "science")

    due = _section(_panel(client.get("/").text), "hp-due")

    may = due.index('<h4 class="hp-period" id="hp-due-2022-05">2022-05期 · 2022-06-05截止 · <span class="hp-overdue">逾期</span> · 1份报告</h4>')
    june = due.index('<h4 class="hp-period" id="hp-due-2022-06">2022-06期 · 2022-07-05截止 · 1份报告</h4>')
    assert may < june
    assert due.count('<ul class="hp-list"') == 2


def test_office_sees_queue_and_figures(client, clock, web_users, plan, db):
    ids = _reporter_work(db, plan)
    submitted = submit_report(db, plan, "government_net", "2022-05", shanghai(2022, 6, 1, 9), {"bandwidth": 60})
    with db.session() as session:
        request = extensions.request_extension(session, session.get(User, plan.users["service"]), plan.tasks["government_net"],
                                               requested_due_on=dt.date(2024, 6, 30), reason="招标延期",
                                               now=shanghai(2022, 6, 1, 15))
        session.add(PlanImport(file_name="任务清单.docx", file_sha256="0" * 64, file_format="docx",
                               imported_at=shanghai(2022, 5, 1, 9), actor_name="数字办督办员", summary={}))
    _as(client, web_users, "office")

    page = client.get("/")

    panel = _panel(page.text)
    review = _section(panel, "hp-review")
    assert f'<a href="/plan/reports/{submitted}">' in review
    assert f"/plan/reports/{ids['april']}" not in review  # returned, not awaiting review
    overdue = _section(panel, "hp-notices")
    assert f'/plan/notices/{ids["late"]}' in overdue
    assert f'/plan/notices/{ids["soon"]}' not in overdue
    assert "已逾期1天" in overdue
    assert "区科委" in overdue
    pending = _section(panel, "hp-extensions")
    assert f'<a href="/plan/extensions/{request.id}">' in pending
    assert "区行政服务中心" in pending
    assert '<a href="/plan/dashboard"><span class="value">' in panel
    assert "红灯任务（共3项）" in panel
    assert "任务清单.docx" in _section(panel, "hp-import")
    assert "数字办督办员" in _section(panel, "hp-import")


def test_office_red_count_matches_lights(client, clock, web_users, plan, db):
    from citybase.plan.supervision.lights import lights_for_tasks

    _as(client, web_users, "office")
    panel = _panel(client.get("/").text)

    with db.session() as session:
        red = sum(1 for light in lights_for_tasks(session, clock.now).values() if light.light == "red")
    assert red >= 1  # nothing was reported for April, so the lead tasks are red
    assert f'<a href="/plan/dashboard"><span class="value">{red}</span>' in panel
    assert "没有待审核的报送。" in panel
    assert "没有逾期未回复的督办单。" in panel
    assert "没有待审批的延期申请。" in panel
    assert "尚未导入任务清单。" in panel


def test_viewer_sees_light_distribution(client, clock, web_users, plan, db):
    from citybase.plan.supervision.lights import lights_for_tasks

    _as(client, web_users, "viewer")
    panel = _panel(client.get("/").text)

    with db.session() as session:
        lights = [light.light for light in lights_for_tasks(session, clock.now).values()]
    assert '<h2 id="hp-heading">规划概况</h2>' in panel
    for light in ("green", "blue", "yellow", "red"):
        assert f'<li><span class="value">{lights.count(light)}</span><span class="light light-{light}">' in panel
    assert '<a href="/plan/dashboard">' in panel
    assert "今日待办" not in panel


def test_dispatcher_gets_no_panel(client, clock, web_users, plan, db):
    _as(client, web_users, "dispatcher")

    page = client.get("/")

    assert page.status_code == 200
    assert "hp-panel" not in page.text
    assert 'id="quick-links"' in page.text


def test_anonymous_home_redirects_to_login(client, clock, web_users, plan, db):
    web_users["office"]  # a user exists, so / does not offer the first-run setup
    client.cookies.clear()

    page = client.get("/", follow_redirects=False)

    assert page.status_code == 303
    assert page.headers["location"] == "/login"


def test_api_todo_of_reporter(client, clock, web_users, plan, db):
    ids = _reporter_work(db, plan)
    _as(client, web_users, "science")

    body = client.get("/api/plan/todo").json()

    assert body["view"] == "reporter"
    assert [(row["task"], row["period"], row["due_on"], row["days_left"], row["overdue"]) for row in body["reports_due"]] == [
        (1, "2022-05", "2022-06-05", 3, False),
    ]
    assert body["reports_due"][0]["link"] == "/plan/my/report?task=1&period=2022-05"
    assert [row["id"] for row in body["reports_returned"]] == [ids["april"]]
    assert body["reports_returned"][0]["return_reason"] == "请补充分区建设数据"
    assert [row["id"] for row in body["notices"]] == [ids["late"], ids["soon"]]
    assert [row["overdue"] for row in body["notices"]] == [True, False]
    assert [(row["id"], row["status"]) for row in body["extensions"]] == [(ids["extension"], "refused")]
    assert body["contributions_due"] == []


def test_api_todo_of_cooperator(client, clock, web_users, plan, db):
    _as(client, web_users, "nanxiang")

    body = client.get("/api/plan/todo").json()

    assert body["reports_due"] == []
    assert [(row["task"], row["period"], row["due_on"], row["days_left"], row["overdue"], row["report_id"])
            for row in body["contributions_due"]] == [(1, "2022-04", "2022-05-05", -28, True, None),
                                                      (1, "2022-05", "2022-06-05", 3, False, None)]
    assert body["contributions_due"][1]["link"] == "/plan/my/report?task=1&period=2022-05"


def test_api_todo_of_office(client, clock, web_users, plan, db):
    ids = _reporter_work(db, plan)
    submitted = submit_report(db, plan, "government_net", "2022-05", shanghai(2022, 6, 1, 9), {"bandwidth": 60})
    _as(client, web_users, "office")

    body = client.get("/api/plan/todo").json()

    assert body["view"] == "office"
    assert [row["id"] for row in body["reports_to_review"]] == [submitted]
    assert [row["id"] for row in body["notices"]] == [ids["late"]]
    assert body["extensions"] == []
    assert sum(body["lights"].values()) == 3
    assert body["last_import_at"] is None


def test_api_todo_of_viewer_and_dispatcher(client, clock, web_users, plan, db):
    _as(client, web_users, "viewer")
    viewer = client.get("/api/plan/todo").json()
    _as(client, web_users, "dispatcher")
    dispatcher = client.get("/api/plan/todo").json()

    assert viewer["view"] == "viewer"
    assert set(viewer["lights"]) == {"green", "blue", "yellow", "red"}
    assert sum(viewer["lights"].values()) == 3
    assert dispatcher == {
        "view": "none", "reports_due": [], "contributions_due": [], "reports_returned": [], "reports_to_review": [], "notices": [],
        "extensions": [], "lights": None, "last_import_at": None,
    }


def test_api_todo_needs_login(client, clock, web_users, plan, db):
    client.cookies.clear()

    response = client.get("/api/plan/todo")

    assert response.status_code == 401
