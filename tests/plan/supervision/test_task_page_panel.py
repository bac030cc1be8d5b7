"""The supervision panel on the plan's task page (/plan/tasks/{seq}), added through registry.PagePanel."""

from __future__ import annotations

import ast
from pathlib import Path

from plan_builder import accept_report, shanghai, submit_report

from citybase.core import registry
from citybase.core.auth.models import User
from citybase.plan.supervision import notices, reports, values
from tests.conftest import login

PLAN_PACKAGE = Path(__file__).resolve().parents[3] / "src" / "citybase" / "plan"


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _panel(html: str) -> str:
    start = html.index('<section class="card sv-panel"')
    return html[start:html.index("</section>", start)]


def _returned_then_accepted(db, plan) -> int:
    """Report on task 1 for 2022-05: submitted, returned with a reason, resubmitted and accepted."""
    report_id = submit_report(db, plan, "network", "2022-05", shanghai(2022, 5, 31, 9),
                              {"stations": 2250, "broadband": 80}, {"fibre": 50})
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        reports.return_report(session, office, report_id, "请补充分区建设数据", shanghai(2022, 5, 31, 15))
    with db.session() as session:
        science = session.get(User, plan.users["science"])
        reports.submit_report(session, science, report_id, shanghai(2022, 6, 1, 9))
    accept_report(db, plan, report_id, shanghai(2022, 6, 1, 11))
    return report_id


def test_registry_lists_supervision_panel():
    panels = registry.panels("plan.task")

    assert [panel.template for panel in panels] == ["plan_supervision/_plan_task_panel.html"]
    assert registry.panels("no.such.slot") == []


def test_plan_package_imports_no_supervision():
    """The plan's own modules reach supervision only through the registry."""
    offenders = []
    for path in PLAN_PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("citybase.plan.supervision"):
                offenders.append(f"{path.name}: {node.module}")
            if isinstance(node, ast.Import):
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("citybase.plan.supervision")]

    assert offenders == []


def test_office_sees_review_history(client, clock, web_users, plan, db):
    report_id = _returned_then_accepted(db, plan)
    _as(client, web_users, "office")

    page = client.get("/plan/tasks/1")

    assert page.status_code == 200
    panel = _panel(page.text)
    assert '<h2 id="sv-heading">督查督办</h2>' in panel
    assert 'class="light light-' in panel
    assert 'href="/plan/supervision/tasks/1#light-heading"' in panel
    assert "2250个" in panel
    assert "80Mbps" in panel
    assert f'<a href="/plan/reports/{report_id}">已采纳的进展报送</a>' in panel
    assert "截至2022-05-31" in panel
    steps = panel[panel.index('<ol class="sv-events">'):]
    assert steps.index("已提交") < steps.index("已退回") < steps.index("重新提交") < steps.index("已采纳")
    assert "理由：请补充分区建设数据" in steps
    assert "2022-05-31 15:00" in steps
    assert 'href="/plan/notices?task=1&amp;unit=310114-D002#issue-heading"' in panel
    assert "填报" not in panel[panel.index('class="sv-actions"'):]


def test_office_sees_submitted_report_to_review(client, clock, web_users, plan, db):
    report_id = submit_report(db, plan, "network", "2022-05", shanghai(2022, 5, 31, 9),
                              {"stations": 2250, "broadband": 80}, {"fibre": 50})
    _as(client, web_users, "office")

    panel = _panel(client.get("/plan/tasks/1").text)

    assert f'<a class="button primary" href="/plan/reports/{report_id}">审核2022-05进展报送</a>' in panel


def test_lead_reporter_gets_report_action(client, clock, web_users, plan):
    _as(client, web_users, "science")

    panel = _panel(client.get("/plan/tasks/1").text)

    # On 2 June the report for 2022-04 (due by 5 May) is missing, so that is the one to write.
    assert 'href="/plan/my/report?task=1&amp;period=2022-04">填报2022-04进展</a>' in panel
    actions = panel[panel.index('class="sv-actions"'):]
    assert "下发督办单" not in actions
    assert "审核" not in actions


def test_cooperating_reporter_gets_contribution_action(client, clock, web_users, plan):
    _as(client, web_users, "nanxiang")

    panel = _panel(client.get("/plan/tasks/1").text)

    assert ">报送2022-04配合情况</a>" in panel


def test_reporter_with_draft_opens_it(client, clock, web_users, plan, db):
    with db.session() as session:
        from citybase.plan.supervision.periods import period_by_key

        science = session.get(User, plan.users["science"])
        report = reports.open_report(session, science, plan.tasks["network"], period_by_key(session, "2022-04"),
                                     shanghai(2022, 6, 1, 9))
        report_id = report.id
    _as(client, web_users, "science")

    panel = _panel(client.get("/plan/tasks/1").text)

    assert f'href="/plan/reports/{report_id}">打开2022-04进展报送</a>' in panel
    assert "草稿，尚未提交。" in panel


def test_reporter_moves_on_after_due_report(client, clock, web_users, plan, db):
    submit_report(db, plan, "network", "2022-04", shanghai(2022, 5, 4, 9), {"stations": 2000, "broadband": 70}, {"fibre": 40})
    _as(client, web_users, "science")

    panel = _panel(client.get("/plan/tasks/1").text)

    assert 'href="/plan/my/report?task=1&amp;period=2022-05">填报2022-05进展</a>' in panel


def test_returned_report_offered_for_resubmission(client, clock, web_users, plan, db):
    report_id = submit_report(db, plan, "network", "2022-05", shanghai(2022, 5, 31, 9), {"stations": 2250, "broadband": 80},
                              {"fibre": 50})
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        reports.return_report(session, office, report_id, "请补充分区建设数据", shanghai(2022, 5, 31, 15))
    _as(client, web_users, "science")

    actions = _panel(client.get("/plan/tasks/1").text).split('class="sv-actions"')[1]

    assert 'href="/plan/my/report?task=1&amp;period=2022-04">填报2022-04进展</a>' in actions
    assert f'href="/plan/reports/{report_id}">修改并重新提交2022-05进展报送</a>' in actions


def test_reporter_of_other_unit_sees_no_panel(client, clock, web_users, plan):
    _as(client, web_users, "service")

    page = client.get("/plan/tasks/1")

    assert page.status_code == 200
    assert "sv-panel" not in page.text
    assert "建成3500个5G基站" in page.text


def test_viewer_sees_panel_without_actions(client, clock, web_users, plan):
    _as(client, web_users, "viewer")

    panel = _panel(client.get("/plan/tasks/1").text)

    actions = panel[panel.index('class="sv-actions"'):]
    assert actions.count("<li>") == 1
    assert ">督办详情</a>" in actions


def test_open_notice_and_reply_action(client, clock, web_users, plan, db):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notice = notices.issue_notice(session, office, unit_id=plan.units["science"], task_id=plan.tasks["network"],
                                      title="5G基站建设进度滞后", body="请报送整改措施。", reply_due_on=None,
                                      now=shanghai(2022, 6, 1, 9))
        notice_id, label = notice.id, notice.label
    _as(client, web_users, "science")

    panel = _panel(client.get("/plan/tasks/1").text)

    assert f'<a href="/plan/notices/{notice_id}">{label}</a> 5G基站建设进度滞后' in panel
    assert f'<a class="button" href="/plan/notices/{notice_id}">反馈{label}</a>' in panel


def test_live_metric_source_shows_read_time(client, clock, web_users, plan, db):
    key = sorted(registry.live_metrics())[0]
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        values.bind_indicator(session, office, plan.indicators["stations"], key, shanghai(2022, 6, 1, 9))
    _as(client, web_users, "office")

    panel = _panel(client.get("/plan/tasks/1").text)

    assert "平台实时数据：" in panel
    assert "读取于" in panel


def test_notices_page_prefills_issue_form(client, clock, web_users, plan):
    _as(client, web_users, "office")

    page = client.get("/plan/notices?task=1&unit=310114-D002")

    assert '<option value="310114-D002" selected>' in page.text
    assert 'id="f-task" name="task" type="number" value="1"' in page.text
