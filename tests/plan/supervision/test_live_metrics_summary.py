import datetime as dt
from decimal import Decimal

import pytest
from plan_builder import report_network, shanghai, submit_report
from sqlalchemy import select

from citybase.core import registry
from citybase.core.auth.models import User
from citybase.core.db import utcnow
from citybase.plan.supervision import periods
from citybase.plan.supervision.errors import InvalidInput, PermissionDenied
from citybase.plan.supervision.metrics import ON_TIME_RATE, UNITS_ON_TIME, on_time_report_rate, units_reported_on_time
from citybase.plan.supervision.models import IndicatorValue
from citybase.plan.supervision.reporting import on_time_reporting
from citybase.plan.supervision.summary import light_distribution, task_statuses
from citybase.plan.supervision.values import bind_indicator, current_value, snapshot_live_values, unbind_indicator


def test_metrics_registered():
    metrics = registry.live_metrics()
    assert metrics[UNITS_ON_TIME].unit == "个"
    assert metrics[ON_TIME_RATE].unit == "%"


def test_on_time_figures_per_unit(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2), accept=False)
    submit_report(db, plan, "government_net", "2022-05", shanghai(2022, 6, 7), {"bandwidth": 30})
    with db.session() as session:
        period = periods.period_by_key(session, "2022-05")
        figures = on_time_reporting(session, period, shanghai(2022, 6, 10))
        assert figures[plan.units["science"]].on_time == 1
        assert figures[plan.units["service"]].late == 1
        assert figures[plan.units["ops"]].missing == 1
        assert figures[plan.units["science"]].on_time_rate == Decimal(1)
        assert figures[plan.units["service"]].on_time_rate == Decimal(0)


def test_units_on_time_metric(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2), accept=False)
    with db.session() as session:
        reading = units_reported_on_time(session, shanghai(2022, 6, 10))
        assert reading.value == Decimal(1)
        assert reading.at == shanghai(2022, 6, 10)
        assert on_time_report_rate(session, shanghai(2022, 6, 10)).value == Decimal("33.3")
        # Before any report is due there is nothing to count.
        assert units_reported_on_time(session, shanghai(2021, 1, 15)).value == Decimal(0)


def test_bound_indicator_reads_live(db, plan):
    now = utcnow()
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        bind_indicator(session, office, plan.indicators["terminals"], UNITS_ON_TIME, now)
    with db.session() as session:
        value = current_value(session, plan.indicators["terminals"], now)
        assert value.source == "live"
        assert value.metric_key == UNITS_ON_TIME
        assert value.value == Decimal(0)
        assert abs((value.at - now).total_seconds()) < 60
        assert str(value.source_label) == "Live platform metric: Units that reported on time"
        recorded = current_value(session, plan.indicators["terminals"], now, live=False)
        assert recorded.value is None


def test_bound_indicator_live_value_counts(db, plan):
    now = utcnow()
    with db.session() as session:
        period = periods.latest_due_period(session, now)
    report_network(db, plan, period.key, period.due_at - dt.timedelta(days=1), accept=False)
    with db.session() as session:
        bind_indicator(session, session.get(User, plan.users["office"]), plan.indicators["terminals"], UNITS_ON_TIME, now)
        assert current_value(session, plan.indicators["terminals"], utcnow()).value == Decimal(1)


def test_binding_rejects_unknown_metric(db, plan):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        with pytest.raises(InvalidInput) as caught:
            bind_indicator(session, office, plan.indicators["terminals"], "sensing.nope", utcnow())
        assert caught.value.errors[0].field == "metric_key"
        assert UNITS_ON_TIME in caught.value.errors[0].params["keys"]


def test_binding_needs_office(db, plan):
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            bind_indicator(session, session.get(User, plan.users["science"]), plan.indicators["terminals"],
                           UNITS_ON_TIME, utcnow())


def test_unbind_returns_to_recorded(db, plan):
    now = utcnow()
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        bind_indicator(session, office, plan.indicators["terminals"], UNITS_ON_TIME, now)
        unbind_indicator(session, office, plan.indicators["terminals"])
        assert current_value(session, plan.indicators["terminals"], now).source is None


def test_live_snapshot_once_a_day(db, plan):
    now = utcnow()
    with db.session() as session:
        bind_indicator(session, session.get(User, plan.users["office"]), plan.indicators["terminals"], UNITS_ON_TIME, now)
        assert snapshot_live_values(session, now) == 1
        assert snapshot_live_values(session, now + dt.timedelta(minutes=30)) == 0
        row = session.scalar(select(IndicatorValue))
        assert row.source == "live"
        assert row.metric_key == UNITS_ON_TIME


def test_task_statuses_for_exports(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    with db.session() as session:
        statuses = task_statuses(session, shanghai(2022, 6, 10), live=False)
        assert [status.task.seq for status in statuses] == [1, 2, 3]
        network = statuses[0]
        assert network.light.light == "green"
        assert network.due_on == dt.date(2023, 12, 31)
        assert network.indicators[0].current.value == Decimal(2250)
        assert network.indicators[0].progress.fraction == Decimal("0.5")
        assert light_distribution(statuses) == {"green": 1, "blue": 0, "yellow": 0, "red": 2}
