import datetime as dt

import pytest
from plan_builder import shanghai
from sqlalchemy import select

from citybase.core.auth.models import User
from citybase.core.notifications import Notification
from citybase.core.units import Unit
from citybase.plan.supervision import notices
from citybase.plan.supervision.errors import InvalidInput, Conflict, NotFound, PermissionDenied
from citybase.plan.supervision.models import SupervisionNotice

NOW = shanghai(2022, 6, 10, 9)


def _issue(db, plan, unit="science", now=NOW, task="network", **kwargs):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notice = notices.issue_notice(
            session, office, unit_id=plan.units[unit], task_id=plan.tasks[task], title="5G基站建设进度滞后",
            body="请于期限内报送整改措施。", now=now, **kwargs,
        )
        return notice.id


def test_issue_numbers_per_year(db, plan):
    first = _issue(db, plan)
    second = _issue(db, plan)
    next_year = _issue(db, plan, now=shanghai(2023, 1, 3))
    with db.session() as session:
        labels = [session.get(SupervisionNotice, i).label for i in (first, second, next_year)]
    assert labels == ["督办〔2022〕1号", "督办〔2022〕2号", "督办〔2023〕1号"]


def test_issue_default_due_and_notice(db, plan):
    notice_id = _issue(db, plan)
    with db.session() as session:
        notice = session.get(SupervisionNotice, notice_id)
        # Default 7 days: due by the end of 17 June in Shanghai.
        assert notice.reply_due_at == shanghai(2022, 6, 18, 0).astimezone(dt.UTC)
        note = session.scalar(select(Notification).where(Notification.unit_id == plan.units["science"]))
        assert "督办〔2022〕1号" in note.title
        assert note.link == f"/plan/notices/{notice_id}"


def test_issue_validates_all_fields(db, plan):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        placeholder = session.scalar(select(Unit).where(Unit.name == "各街镇"))
        with pytest.raises(InvalidInput) as caught:
            notices.issue_notice(session, office, unit_id=placeholder.id, title=" ", body="", now=NOW,
                                 reply_due_on=dt.date(2022, 6, 1))
        assert [e.field for e in caught.value.errors] == ["unit_id", "title", "body", "reply_due_on"]
        assert session.scalars(select(SupervisionNotice)).all() == []


def test_issue_rejects_unit_outside_task(db, plan):
    """A notice about a task goes to one of its units; another unit's reporters could not open the task."""
    with pytest.raises(InvalidInput) as caught:
        _issue(db, plan, unit="service")
    error = caught.value.errors[0]
    assert error.field == "unit_id"
    assert error.value == "310114-D003"
    assert error.message.format(**error.params) == (
        "区行政服务中心 is not a responsible unit of task 1 (区科委、南翔镇); choose one of them, "
        "or leave the task number empty.")
    with db.session() as session:
        assert session.scalars(select(SupervisionNotice)).all() == []
    assert _issue(db, plan, unit="nanxiang") > 0


def test_reporter_cannot_issue(db, plan):
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            notices.issue_notice(session, session.get(User, plan.users["science"]), unit_id=plan.units["science"],
                                 title="t", body="b", now=NOW)


def test_reply_and_close(db, plan):
    notice_id = _issue(db, plan)
    with db.session() as session:
        science = session.get(User, plan.users["science"])
        notices.reply_notice(session, science, notice_id, "已增派施工队伍，6月底前完成。", NOW + dt.timedelta(days=2))
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notices.close_notice(session, office, notice_id, "", NOW + dt.timedelta(days=3))
    with db.session() as session:
        notice = session.get(SupervisionNotice, notice_id)
        assert notice.status == "closed"
        assert notice.reply_text == "已增派施工队伍，6月底前完成。"
        assert [event.action for event in notice.events] == ["issue", "reply", "close"]
        office_notes = session.scalars(select(Notification).where(Notification.user_id == plan.users["office"])).all()
        assert len(office_notes) == 1


def test_other_unit_cannot_reply(db, plan):
    notice_id = _issue(db, plan)
    with db.session() as session:
        with pytest.raises(NotFound):
            notices.reply_notice(session, session.get(User, plan.users["service"]), notice_id, "x", NOW)
        with pytest.raises(PermissionDenied):
            notices.reply_notice(session, session.get(User, plan.users["viewer"]), notice_id, "x", NOW)


def test_return_reply_reopens(db, plan):
    notice_id = _issue(db, plan)
    with db.session() as session:
        notices.reply_notice(session, session.get(User, plan.users["science"]), notice_id, "已整改。", NOW)
        office = session.get(User, plan.users["office"])
        notices.return_notice_reply(session, office, notice_id, "请附整改清单。", NOW, reply_due_on=dt.date(2022, 6, 24))
        notice = session.get(SupervisionNotice, notice_id)
        assert notice.status == "open"
        assert notice.reply_due_at == shanghai(2022, 6, 25, 0).astimezone(dt.UTC)
        notices.reply_notice(session, session.get(User, plan.users["science"]), notice_id, "附清单。", NOW)
        assert [event.action for event in notice.events] == ["issue", "reply", "return", "reply"]


def test_close_open_needs_comment(db, plan):
    notice_id = _issue(db, plan)
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        with pytest.raises(InvalidInput):
            notices.close_notice(session, office, notice_id, "", NOW)
        notices.close_notice(session, office, notice_id, "已在专题会上协调解决。", NOW)
        with pytest.raises(Conflict):
            notices.close_notice(session, office, notice_id, "again", NOW)


def test_reporter_sees_own_notices(db, plan):
    _issue(db, plan)
    _issue(db, plan, unit="service", task="government_net")
    with db.session() as session:
        mine = notices.list_notices(session, session.get(User, plan.users["science"]))
        everyone = notices.list_notices(session, session.get(User, plan.users["viewer"]))
        assert [n.unit_id for n in mine] == [plan.units["science"]]
        assert len(everyone) == 2


def test_counts_by_unit(db, plan):
    first = _issue(db, plan, now=shanghai(2022, 5, 20))
    _issue(db, plan, now=shanghai(2022, 6, 1))
    with db.session() as session:
        notices.close_notice(session, session.get(User, plan.users["office"]), first, "已办结", shanghai(2022, 6, 2))
        counts = notices.notice_counts_by_unit(session, shanghai(2022, 6, 30),
                                               since=shanghai(2022, 6, 1, 0), until=shanghai(2022, 7, 1, 0))
        row = counts[plan.units["science"]]
        assert (row.issued, row.open, row.overdue, row.closed) == (1, 1, 1, 1)
