"""Reports on the imported seed plan: a reporter per lead unit fills every part of a task and the office accepts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.core.auth.models import User
from citybase.core.auth.roles import DIGITAL_OFFICE, UNIT_REPORTER
from citybase.core.units import Unit
from citybase.plan.models import Task
from citybase.plan.supervision import periods, reports
from citybase.plan.supervision.reports import ReportDraft, TargetInput, ValueInput


def seed_user(session, username: str, role: str, unit_id: int | None) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=username, role=role, unit_id=unit_id)
        session.add(user)
        session.flush()
    return user


def office_user(session) -> User:
    unit = session.scalar(select(Unit).where(Unit.name == "区数字办"))
    return seed_user(session, "seed_office", DIGITAL_OFFICE, unit.id)


def value_at(indicator, fraction: Decimal) -> Decimal:
    """Return the value at ``fraction`` of the way from the baseline (0 without one) to the target."""
    baseline = indicator.baseline or Decimal(0)
    return baseline + (Decimal(indicator.value) - baseline) * fraction


def report_seed_task(db, seq: int, period_key: str, at: dt.datetime, fraction: Decimal | str = "0.5",
                     accept: bool = True) -> int:
    """Submit a report on task ``seq`` with every part at ``fraction`` of its target; accept it an hour later."""
    fraction = Decimal(fraction)
    with db.session(Actor("cli", "test")) as session:
        task = session.scalar(select(Task).where(Task.seq == seq))
        reporter = seed_user(session, f"seed_reporter_{task.lead_unit_id}", UNIT_REPORTER, task.lead_unit_id)
        period = periods.period_by_key(session, period_key)
        report = reports.open_report(session, reporter, task.id, period, at)
        percent = str((fraction * 100).quantize(Decimal(1)))
        draft = ReportDraft(
            narrative="本期按计划推进。",
            percent=percent if not task.indicators and not task.qualitative_targets else None,
            values={item.id: ValueInput(str(value_at(item, fraction))) for item in task.indicators},
            targets={item.id: TargetInput(percent) for item in task.qualitative_targets},
        )
        reports.save_report(session, reporter, report.id, draft, at)
        reports.submit_report(session, reporter, report.id, at)
        if accept:
            reports.accept_report(session, office_user(session), report.id, at + dt.timedelta(hours=1))
        return report.id
