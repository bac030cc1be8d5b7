import datetime as dt

import pytest
from sqlalchemy import func, select

from citybase.plan.supervision import periods
from citybase.plan.supervision.errors import InvalidInput
from citybase.plan.supervision.models import ReportingPeriod
from citybase.plan.supervision.settings import SupervisionSettings

from plan_builder import field_text, shanghai

MONTHLY = SupervisionSettings(_env_file=None)
QUARTERLY = SupervisionSettings(_env_file=None, period_frequency="quarterly", report_due_days=10)


def test_monthly_periods_cover_plan(db):
    with db.session() as session:
        periods.ensure_periods(session, settings=MONTHLY)
        count = session.scalar(select(func.count()).select_from(ReportingPeriod).where(ReportingPeriod.frequency == "monthly"))
        assert count == 36
        first = session.scalar(select(ReportingPeriod).where(ReportingPeriod.key == "2021-01"))
        assert first.starts_on == dt.date(2021, 1, 1)
        assert first.ends_on == dt.date(2021, 1, 31)


def test_due_at_is_end_of_grace_day(db):
    with db.session() as session:
        may = periods.period_by_key(session, "2022-05", MONTHLY)
        # Due by the end of 5 June in Shanghai: 6 June 00:00 +08:00 is 5 June 16:00 UTC.
        assert may.due_at == dt.datetime(2022, 6, 5, 16, 0, tzinfo=dt.UTC)


def test_ensure_periods_idempotent(db):
    with db.session() as session:
        periods.ensure_periods(session, settings=MONTHLY)
        assert periods.ensure_periods(session, settings=MONTHLY) == 0


def test_periods_extend_past_plan_end(db):
    with db.session() as session:
        period = periods.period_containing(session, dt.date(2024, 3, 9), MONTHLY)
        assert period.key == "2024-03"


def test_quarterly_keys_and_due(db):
    with db.session() as session:
        period = periods.period_containing(session, dt.date(2022, 5, 20), QUARTERLY)
        assert period.key == "2022-Q2"
        assert period.ends_on == dt.date(2022, 6, 30)
        assert period.due_at == dt.datetime(2022, 7, 10, 16, 0, tzinfo=dt.UTC)


def test_current_period_uses_shanghai_date(db):
    with db.session() as session:
        # 31 May 17:30 UTC is already 1 June in Shanghai.
        now = dt.datetime(2022, 5, 31, 17, 30, tzinfo=dt.UTC)
        assert periods.current_period(session, now, MONTHLY).key == "2022-06"


def test_latest_due_period_switches_at_deadline(db):
    with db.session() as session:
        before = periods.latest_due_period(session, shanghai(2022, 6, 5, 23, 59), MONTHLY)
        after = periods.latest_due_period(session, shanghai(2022, 6, 6, 0, 0), MONTHLY)
        assert before.key == "2022-04"
        assert after.key == "2022-05"


def test_open_periods_in_grace_time(db):
    with db.session() as session:
        keys = [p.key for p in periods.open_periods(session, shanghai(2022, 6, 3), MONTHLY)]
        assert keys == ["2022-05", "2022-06"]
        keys = [p.key for p in periods.open_periods(session, shanghai(2022, 6, 20), MONTHLY)]
        assert keys == ["2022-06"]


def test_unknown_period_key_rejected(db):
    with db.session() as session:
        with pytest.raises(InvalidInput) as caught:
            periods.period_by_key(session, "2022-13", MONTHLY)
        assert caught.value.errors[0].field == "period"
        assert caught.value.errors[0].value == "2022-13"
        assert "YYYY-MM" in field_text(caught.value.errors[0])


def test_period_outside_plan_names_range(db):
    with db.session() as session:
        with pytest.raises(InvalidInput) as caught:
            periods.period_by_key(session, "2030-01", MONTHLY)
        error = caught.value.errors[0]
        assert (error.field, error.value) == ("period", "2030-01")
        assert field_text(error) == "There is no reporting period 2030-01; the plan's periods run from 2021-01 to 2023-12."
