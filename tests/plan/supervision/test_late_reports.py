"""A report first submitted after its period's due time is marked 逾期提交, with how late."""

import datetime as dt

from plan_builder import shanghai, submit_report

from citybase.plan.supervision.models import ProgressReport
from tests.conftest import login

VALUES = {"stations": 2250, "broadband": 80}
TARGETS = {"fibre": 50}


def _late_report(db, plan):
    with db.session() as session:
        from citybase.plan.supervision import periods
        due = periods.period_by_key(session, "2022-05").due_at
    at = due + dt.timedelta(days=3, hours=5, minutes=10)
    report_id = submit_report(db, plan, "network", "2022-05", at, values=VALUES, targets=TARGETS)
    return report_id


def test_late_report_marked_everywhere(client, clock, web_users, plan, db):
    report_id = _late_report(db, plan)
    clock.now = shanghai(2022, 6, 30, 10)
    login(client, web_users["office"])
    expected = "逾期提交（晚于截止时间 3天5小时）"
    report_page = client.get(f"/plan/reports/{report_id}")
    assert expected in report_page.text
    review = client.get("/plan/review")
    assert expected in review.text
    assert expected in client.get("/plan/supervision/tasks/1").text
    plan_task = client.get("/plan/tasks/1")
    assert plan_task.status_code == 200
    assert expected in plan_task.text


def test_on_time_report_not_marked(client, clock, web_users, plan, db):
    report_id = submit_report(db, plan, "network", "2022-05", shanghai(2022, 6, 2, 10), values=VALUES, targets=TARGETS)
    login(client, web_users["office"])
    assert "逾期提交" not in client.get(f"/plan/reports/{report_id}").text
    assert "逾期提交" not in client.get("/plan/review").text


def test_late_by_counts_minutes_when_under_an_hour(db, plan):
    from citybase.core.i18n import use_locale
    from citybase.plan.supervision.web import late_label
    with db.session() as session:
        from citybase.plan.supervision import periods
        due = periods.period_by_key(session, "2022-05").due_at
    report_id = submit_report(db, plan, "network", "2022-05", due + dt.timedelta(minutes=25), values=VALUES, targets=TARGETS)
    with db.session() as session, use_locale("zh_CN"):
        assert late_label(session.get(ProgressReport, report_id)) == "逾期提交（晚于截止时间 25分钟）"
