import datetime as dt

import pytest
from plan_builder import report_network, shanghai
from sqlalchemy import func, select, update

from citybase.core.auth.models import User
from citybase.core.notifications import Notification
from citybase.core.worker import WorkerJob, run_due_jobs
from citybase.plan.supervision import notices
from citybase.plan.supervision.models import Reminder
from citybase.plan.supervision.reminders import send_digests, send_reminders

DUE_SOON = shanghai(2021, 2, 3, 9)  # the January report is due by the end of 5 February


def _count(session, model, *conditions):
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_due_soon_once_per_task(db, plan):
    with db.session() as session:
        sent = send_reminders(session, DUE_SOON)
        assert sorted(r.task_id for r in sent) == sorted(plan.tasks.values())
        assert {r.kind for r in sent} == {"report_due"}
        assert {r.unit_id for r in sent} == {plan.units["science"], plan.units["service"], plan.units["ops"]}
    with db.session() as session:
        assert send_reminders(session, DUE_SOON + dt.timedelta(hours=5)) == []
        assert _count(session, Notification, Notification.kind == "plan_supervision") == 3


def test_nothing_before_window(db, plan):
    with db.session() as session:
        assert send_reminders(session, shanghai(2021, 2, 1, 9)) == []


def test_submitted_task_not_reminded(db, plan):
    report_network(db, plan, "2021-01", shanghai(2021, 2, 2), accept=False)
    with db.session() as session:
        sent = send_reminders(session, DUE_SOON)
        assert plan.tasks["network"] not in {r.task_id for r in sent}
        assert len(sent) == 2


def test_crash_before_commit_loses_nothing(db, plan):
    with pytest.raises(RuntimeError):
        with db.session() as session:
            assert len(send_reminders(session, DUE_SOON)) == 3
            raise RuntimeError("worker killed before commit")
    with db.session() as session:
        assert _count(session, Reminder) == 0
        assert _count(session, Notification) == 0
    with db.session() as session:
        assert len(send_reminders(session, DUE_SOON)) == 3
    with db.session() as session:
        assert send_reminders(session, DUE_SOON) == []
        assert _count(session, Reminder) == 3
        assert _count(session, Notification) == 3


def test_overdue_repeats_weekly(db, plan):
    with db.session() as session:
        first = send_reminders(session, shanghai(2021, 2, 6, 10))
        overdue = [r for r in first if r.kind == "report_overdue"]
        assert len(overdue) == 3
        assert {r.data["stage"] for r in overdue} == {0}
    with db.session() as session:
        assert [r for r in send_reminders(session, shanghai(2021, 2, 12, 10)) if r.kind == "report_overdue"] == []
    with db.session() as session:
        again = [r for r in send_reminders(session, shanghai(2021, 2, 13, 10)) if r.kind == "report_overdue"]
        assert len(again) == 3
        assert {r.data["stage"] for r in again} == {1}


def test_notice_due_then_overdue(db, plan):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notice = notices.issue_notice(session, office, unit_id=plan.units["science"], title="督办", body="请整改",
                                      now=shanghai(2021, 1, 10), reply_due_on=dt.date(2021, 1, 20))
    with db.session() as session:
        kinds = [r.kind for r in send_reminders(session, shanghai(2021, 1, 18)) if r.notice_id == notice.id]
        assert kinds == ["notice_due"]
    with db.session() as session:
        kinds = [r.kind for r in send_reminders(session, shanghai(2021, 1, 21)) if r.notice_id == notice.id]
        assert kinds == ["notice_overdue"]
    with db.session() as session:
        notices.reply_notice(session, session.get(User, plan.users["science"]), notice.id, "已办理", shanghai(2021, 1, 22))
    with db.session() as session:
        assert [r for r in send_reminders(session, shanghai(2021, 1, 29)) if r.notice_id == notice.id] == []


def test_digest_daily_per_unit(db, plan):
    with db.session() as session:
        assert send_digests(session, shanghai(2021, 2, 3, 7)) == []
        sent = send_digests(session, DUE_SOON)
        assert sorted(r.unit_id for r in sent) == sorted([plan.units["science"], plan.units["service"], plan.units["ops"]])
        assert send_digests(session, DUE_SOON + dt.timedelta(hours=3)) == []
        note = session.get(Notification, sent[0].notification_id)
        assert "1 items" in note.title or "1 项" in note.title
        assert "2021-01" in note.body
    with db.session() as session:
        assert len(send_digests(session, DUE_SOON + dt.timedelta(days=1))) == 3


def test_worker_restart_no_duplicates(db, plan):
    ran = run_due_jobs(db, DUE_SOON)
    assert "plan_supervision.reminders" in ran
    with db.session() as session:
        reminders_first = _count(session, Reminder)
        notes_first = _count(session, Notification)
        assert reminders_first == 6  # three report reminders and three digests
        # A worker that died after committing but before releasing its lease: clear the
        # bookkeeping so the next worker runs every job again at the same time.
        session.execute(update(WorkerJob).values(last_started_at=None, lease_owner=None, lease_until=None))
    ran_again = run_due_jobs(db, DUE_SOON + dt.timedelta(minutes=1))
    assert "plan_supervision.reminders" in ran_again
    with db.session() as session:
        assert _count(session, Reminder) == reminders_first
        assert _count(session, Notification) == notes_first
