import datetime as dt
from decimal import Decimal

import pytest
from plan_builder import shanghai

from citybase.core.auth.models import User
from citybase.plan.supervision import deadlines, extensions
from citybase.plan.supervision.errors import InvalidInput, Conflict, PermissionDenied

NOW = shanghai(2023, 11, 1)


def _request(session, plan, user="science", due=dt.date(2024, 3, 31), **kwargs):
    return extensions.request_extension(session, session.get(User, plan.users[user]), plan.tasks["network"],
                                        requested_due_on=due, reason="设备供货延迟", now=NOW, **kwargs)


def test_approve_moves_deadline(db, plan):
    with db.session() as session:
        request = _request(session, plan)
        assert request.current_due_on == dt.date(2023, 12, 31)
        extensions.decide_extension(session, session.get(User, plan.users["office"]), request.id,
                                    approve=True, reason="同意", now=NOW)
        deadline = deadlines.final_deadline(session, plan.tasks["network"])
        assert deadline.due_on == dt.date(2024, 3, 31)
        assert deadline.original_due_on == dt.date(2023, 12, 31)
        assert request.status == "approved"


def test_refuse_needs_reason(db, plan):
    with db.session() as session:
        request = _request(session, plan)
        office = session.get(User, plan.users["office"])
        with pytest.raises(InvalidInput) as caught:
            extensions.decide_extension(session, office, request.id, approve=False, reason="", now=NOW)
        assert caught.value.errors[0].field == "reason"
        extensions.decide_extension(session, office, request.id, approve=False, reason="不符合延期条件", now=NOW)
        assert request.status == "refused"
        assert deadlines.effective_due_on(session, plan.tasks["network"]) == dt.date(2023, 12, 31)
        with pytest.raises(Conflict):
            extensions.decide_extension(session, office, request.id, approve=True, reason="", now=NOW)


def test_request_validation(db, plan):
    with db.session() as session:
        with pytest.raises(InvalidInput) as caught:
            extensions.request_extension(session, session.get(User, plan.users["science"]), plan.tasks["network"],
                                         requested_due_on=dt.date(2023, 6, 1), reason=" ", now=NOW)
        assert [e.field for e in caught.value.errors] == ["requested_due_on", "reason"]


def test_one_pending_per_task(db, plan):
    with db.session() as session:
        _request(session, plan)
        with pytest.raises(InvalidInput) as caught:
            _request(session, plan, due=dt.date(2024, 6, 30))
        assert caught.value.errors[0].field == "task_id"


def test_indicator_extension(db, plan):
    with db.session() as session:
        request = _request(session, plan, indicator_id=plan.indicators["stations"])
        extensions.decide_extension(session, session.get(User, plan.users["office"]), request.id,
                                    approve=True, reason="", now=NOW)
        assert deadlines.effective_due_on(session, plan.tasks["network"], plan.indicators["stations"]) == dt.date(2024, 3, 31)
        assert deadlines.effective_due_on(session, plan.tasks["network"]) == dt.date(2023, 12, 31)


def test_only_lead_may_request(db, plan):
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            _request(session, plan, user="nanxiang")
        with pytest.raises(PermissionDenied):
            _request(session, plan, user="office")


def test_reporter_cannot_decide(db, plan):
    with db.session() as session:
        request = _request(session, plan)
        with pytest.raises(PermissionDenied):
            extensions.decide_extension(session, session.get(User, plan.users["science"]), request.id,
                                        approve=True, reason="", now=NOW)


def test_milestones_must_rise(db, plan):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        deadlines.add_milestone(session, office, plan.tasks["network"], title="年中", due_on=dt.date(2022, 6, 30),
                                expected_percent=50)
        with pytest.raises(InvalidInput) as caught:
            deadlines.add_milestone(session, office, plan.tasks["network"], title="年底", due_on=dt.date(2022, 12, 31),
                                    expected_percent=40)
        assert caught.value.errors[0].field == "expected_percent"
        with pytest.raises(InvalidInput) as caught:
            deadlines.add_milestone(session, office, plan.tasks["network"], title="", due_on=dt.date(2024, 6, 30),
                                    expected_percent=100)
        assert [e.field for e in caught.value.errors] == ["title", "expected_percent", "due_on"]
        milestone = deadlines.add_milestone(session, office, plan.tasks["network"], title="年底",
                                            due_on=dt.date(2022, 12, 31), expected_percent=70)
        assert milestone.expected_progress == Decimal("0.7")


def test_reporter_cannot_set_deadlines(db, plan):
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            deadlines.set_final_deadline(session, session.get(User, plan.users["science"]), plan.tasks["network"],
                                         dt.date(2023, 6, 30))
