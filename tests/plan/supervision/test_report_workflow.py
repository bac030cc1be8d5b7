import datetime as dt
from decimal import Decimal

import pytest
from plan_builder import shanghai
from sqlalchemy import select

from citybase.core.audit import AuditEntry
from citybase.core.auth.models import User
from citybase.core.notifications import Notification
from citybase.plan.supervision import periods, reports
from citybase.plan.supervision.errors import InvalidInput, Conflict, NotFound, PermissionDenied
from citybase.plan.supervision.models import IndicatorValue, ProgressReport
from citybase.plan.supervision.reports import ReportDraft, TargetInput, ValueInput
from citybase.plan.supervision.values import current_value

NOW = shanghai(2022, 6, 2, 10)


def _user(session, plan, name):
    return session.get(User, plan.users[name])


def _full_draft(plan, stations="2250"):
    return ReportDraft(
        narrative="已建成5G基站2250个。",
        values={
            plan.indicators["stations"]: ValueInput(stations, dt.date(2022, 5, 31)),
            plan.indicators["broadband"]: ValueInput("100"),
        },
        targets={plan.targets["fibre"]: TargetInput("60", "完成主城区")},
    )


def _submitted_report(db, plan, now=NOW):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, now)
        reports.save_report(session, science, report.id, _full_draft(plan), now)
        reports.submit_report(session, science, report.id, now)
        return report.id


def test_open_report_creates_draft(db, plan):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        again = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        assert again.id == report.id
        assert report.status == "draft"
        assert report.unit_id == plan.units["science"]
        assert [event.action for event in report.events] == ["create"]


def test_future_period_rejected(db, plan):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-07")
        with pytest.raises(InvalidInput) as caught:
            reports.open_report(session, science, plan.tasks["network"], period, NOW)
        assert caught.value.errors[0].field == "period"


def test_other_unit_cannot_open(db, plan):
    with db.session() as session:
        service = _user(session, plan, "service")
        period = periods.period_by_key(session, "2022-05")
        with pytest.raises(NotFound):
            reports.open_report(session, service, plan.tasks["network"], period, NOW)


def test_save_collects_all_errors(db, plan):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        bad = ReportDraft(
            narrative="x",
            values={
                plan.indicators["stations"]: ValueInput("两千"),
                plan.indicators["broadband"]: ValueInput("90", dt.date(2022, 7, 1)),
                plan.indicators["bandwidth"]: ValueInput("50"),
            },
            targets={plan.targets["fibre"]: TargetInput("120")},
        )
        with pytest.raises(InvalidInput) as caught:
            reports.save_report(session, science, report.id, bad, NOW)
        fields = [error.field for error in caught.value.errors]
        assert fields == [
            f"values[{plan.indicators['stations']}].value",
            f"values[{plan.indicators['broadband']}].as_of",
            f"values[{plan.indicators['bandwidth']}]",
            f"targets[{plan.targets['fibre']}].percent",
        ]
        assert caught.value.errors[0].value == "两千"
        assert report.values == []
        assert report.narrative == ""


def test_full_width_digits_accepted(db, plan):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        draft = ReportDraft(narrative="进展", values={plan.indicators["stations"]: ValueInput("２，２５０")})
        reports.save_report(session, science, report.id, draft, NOW)
        assert report.values[0].value == Decimal(2250)


def test_incomplete_report_not_submitted(db, plan):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        with pytest.raises(InvalidInput) as caught:
            reports.submit_report(session, science, report.id, NOW)
        assert len(caught.value.errors) == 4
        assert report.status == "draft"


def test_submit_notifies_office(db, plan):
    report_id = _submitted_report(db, plan)
    with db.session() as session:
        report = session.get(ProgressReport, report_id)
        assert report.status == "submitted"
        assert report.version == 1
        assert report.first_submitted_at == NOW.astimezone(dt.UTC)
        notes = session.scalars(select(Notification).where(Notification.user_id == plan.users["office"])).all()
        assert len(notes) == 1
        assert notes[0].link == f"/plan/reports/{report_id}"
        assert "1" in notes[0].title


def test_reporter_cannot_review(db, plan):
    report_id = _submitted_report(db, plan)
    with db.session() as session:
        science = _user(session, plan, "science")
        with pytest.raises(PermissionDenied):
            reports.accept_report(session, science, report_id, NOW)
        viewer = _user(session, plan, "viewer")
        with pytest.raises(PermissionDenied):
            reports.return_report(session, viewer, report_id, "不完整", NOW)


def test_return_needs_reason(db, plan):
    report_id = _submitted_report(db, plan)
    with db.session() as session:
        office = _user(session, plan, "office")
        with pytest.raises(InvalidInput) as caught:
            reports.return_report(session, office, report_id, "  ", NOW)
        assert caught.value.errors[0].field == "reason"
        assert session.get(ProgressReport, report_id).status == "submitted"


def test_return_resubmit_accept_history(db, plan):
    report_id = _submitted_report(db, plan)
    later = NOW + dt.timedelta(days=1)
    with db.session() as session:
        office = _user(session, plan, "office")
        reports.return_report(session, office, report_id, "缺少佐证材料", later)

    with db.session() as session:
        science = _user(session, plan, "science")
        report = session.get(ProgressReport, report_id)
        assert report.status == "returned"
        assert report.return_reason == "缺少佐证材料"
        returned_note = session.scalar(select(Notification).where(Notification.unit_id == plan.units["science"]))
        assert "缺少佐证材料" in returned_note.body
        reports.save_report(session, science, report_id, _full_draft(plan, stations="2300"), later)
        reports.submit_report(session, science, report_id, later)

    with db.session() as session:
        office = _user(session, plan, "office")
        reports.accept_report(session, office, report_id, later + dt.timedelta(hours=2))

    with db.session() as session:
        report = session.get(ProgressReport, report_id)
        assert report.status == "accepted"
        assert report.version == 2
        assert [event.action for event in report.events] == ["create", "submit", "return", "resubmit", "accept"]
        assert report.events[1].snapshot["values"][str(plan.indicators["stations"])]["value"] == "2250"
        assert report.events[3].snapshot["values"][str(plan.indicators["stations"])]["value"] == "2300"
        assert report.events[2].comment == "缺少佐证材料"


def test_accept_sets_current_values(db, plan):
    report_id = _submitted_report(db, plan)
    accepted_at = NOW + dt.timedelta(hours=3)
    with db.session() as session:
        reports.accept_report(session, _user(session, plan, "office"), report_id, accepted_at)

    with db.session() as session:
        stations = current_value(session, plan.indicators["stations"], accepted_at)
        assert stations.value == Decimal(2250)
        assert stations.source == "report"
        assert stations.report_id == report_id
        # Measured on 31 May: the end of that Shanghai day.
        assert stations.at == shanghai(2022, 5, 31, 23, 59) + dt.timedelta(seconds=59)
        broadband = current_value(session, plan.indicators["broadband"], accepted_at)
        assert broadband.at.astimezone(shanghai(2022, 1, 1).tzinfo).date() == dt.date(2022, 5, 31)
        rows = session.scalars(select(IndicatorValue)).all()
        assert len(rows) == 2


def test_accepted_report_is_frozen(db, plan):
    report_id = _submitted_report(db, plan)
    with db.session() as session:
        reports.accept_report(session, _user(session, plan, "office"), report_id, NOW)
        with pytest.raises(Conflict):
            reports.save_report(session, _user(session, plan, "science"), report_id, _full_draft(plan), NOW)
        with pytest.raises(Conflict):
            reports.accept_report(session, _user(session, plan, "office"), report_id, NOW)


def test_cooperator_contributes_not_edits(db, plan):
    with db.session() as session:
        nanxiang = _user(session, plan, "nanxiang")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, nanxiang, plan.tasks["network"], period, NOW)
        reports.contribute(session, nanxiang, report.id, "南翔镇新建基站120个。", NOW)
        reports.contribute(session, nanxiang, report.id, "南翔镇新建基站130个。", NOW)
        assert [c.text for c in report.contributions] == ["南翔镇新建基站130个。"]
        assert report.unit_id == plan.units["science"]
        with pytest.raises(PermissionDenied):
            reports.save_report(session, nanxiang, report.id, _full_draft(plan), NOW)
        with pytest.raises(PermissionDenied):
            reports.submit_report(session, nanxiang, report.id, NOW)


def test_lead_cannot_contribute(db, plan):
    with db.session() as session:
        science = _user(session, plan, "science")
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        with pytest.raises(PermissionDenied):
            reports.contribute(session, science, report.id, "x", NOW)


def test_workflow_is_audited(db, plan):
    report_id = _submitted_report(db, plan)
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.table == "plan_reports", AuditEntry.row_key == str(report_id))).all()
        actions = [entry.action for entry in entries]
        assert actions[0] == "insert"
        assert "update" in actions
        assert any(entry.after and entry.after.get("status") == "submitted" for entry in entries)


def test_review_queue_lists_submitted(db, plan):
    report_id = _submitted_report(db, plan)
    with db.session() as session:
        queue = reports.review_queue(session, _user(session, plan, "office"))
        assert [report.id for report in queue] == [report_id]
        with pytest.raises(PermissionDenied):
            reports.review_queue(session, _user(session, plan, "science"))
