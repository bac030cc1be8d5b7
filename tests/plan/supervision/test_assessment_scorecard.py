"""Unit scorecards, ranking and annual summary on the three-task plan."""

import datetime as dt
from decimal import Decimal

import pytest
from plan_builder import report_network, shanghai, submit_report

from citybase.core.auth.models import User
from citybase.plan.supervision import notices, periods
from citybase.plan.supervision.assessment.scorecard import (
    annual_summary, assess_period, notices_of_period, rank_by_score, score_unit,
)
from citybase.plan.supervision.assessment.selection import parse_period, parse_year
from citybase.plan.supervision.assessment.settings import AssessmentSettings
from citybase.plan.supervision.errors import InvalidInput

NOW = shanghai(2022, 6, 10)


def _may_activity(db, plan):
    """Science reports on time (accepted), service reports late, ops never; two notices."""
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    submit_report(db, plan, "government_net", "2022-05", shanghai(2022, 6, 7), {"bandwidth": 30})
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notices.issue_notice(session, office, unit_id=plan.units["science"], task_id=plan.tasks["network"],
                             title="加快推进", body="请报送进展。", now=shanghai(2022, 5, 10),
                             reply_due_on=dt.date(2022, 5, 20))
        closed = notices.issue_notice(session, office, unit_id=plan.units["service"], title="核实带宽",
                                      body="请核实。", now=shanghai(2022, 5, 12), reply_due_on=dt.date(2022, 5, 30))
        notices.close_notice(session, office, closed.id, "电话核实。", shanghai(2022, 5, 25))


def test_period_scorecards_figures(db, plan):
    _may_activity(db, plan)
    with db.session() as session:
        period = periods.period_by_key(session, "2022-05")
        assessment = assess_period(session, period, NOW)

        assert assessment.as_of == period.due_at
        science = assessment.scorecard_of(plan.units["science"])
        assert science.tasks == 1
        assert (science.reports_expected, science.reports_on_time) == (1, 1)
        assert science.on_time_rate == Decimal(1)
        assert (science.indicators_met, science.indicators_total) == (0, 2)
        assert science.completion == Decimal("0.5")
        assert science.completion_basis == "indicators"
        assert (science.red, science.yellow) == (0, 0)
        assert (science.notices_issued, science.notices_open, science.notices_overdue) == (1, 1, 1)
        # 30 × 1 + 40 × 0.5 + 30 × 1 − 5 × 1 overdue notice
        assert science.score == Decimal("75.0")
        assert science.notice_deduction == Decimal("5.0")


def test_late_report_counts_missing(db, plan):
    _may_activity(db, plan)
    with db.session() as session:
        assessment = assess_period(session, periods.period_by_key(session, "2022-05"), NOW)
        service = assessment.scorecard_of(plan.units["service"])

        # Submitted on 7 June, after the due time at which the period is assessed.
        assert service.reports_missing == 1
        assert service.on_time_rate == Decimal(0)
        assert service.red == 1
        assert service.completion == Decimal(0)
        assert (service.notices_issued, service.notices_closed, service.notices_open) == (1, 1, 0)
        assert service.score == Decimal("0.0")


def test_ranking_shares_tied_rank(db, plan):
    _may_activity(db, plan)
    with db.session() as session:
        assessment = assess_period(session, periods.period_by_key(session, "2022-05"), NOW)
        ranking = [(card.unit_name, card.rank, card.tied) for card in assessment.scorecards]

        assert ranking == [("区科委", 1, False), ("区行政服务中心", 2, True), ("区城运中心", 2, True)]


def test_period_totals(db, plan):
    _may_activity(db, plan)
    with db.session() as session:
        assessment = assess_period(session, periods.period_by_key(session, "2022-05"), NOW)

        assert assessment.lights == {"green": 1, "blue": 0, "yellow": 0, "red": 2}
        assert (assessment.reports_expected, assessment.reports_on_time) == (3, 1)
        assert (assessment.notices_issued, assessment.notices_closed) == (2, 1)
        assert (assessment.notices_open, assessment.notices_overdue) == (1, 1)


def test_period_figures_frozen_at_due_time(db, plan):
    """A report accepted after the due time changes neither the lights nor the scores of the period."""
    _may_activity(db, plan)
    with db.session() as session:
        before = assess_period(session, periods.period_by_key(session, "2022-05"), NOW)
    report_network(db, plan, "2022-06", shanghai(2022, 6, 20), stations=3500, broadband=120, fibre=100)
    with db.session() as session:
        after = assess_period(session, periods.period_by_key(session, "2022-05"), shanghai(2022, 7, 1))

        assert [card.score for card in after.scorecards] == [card.score for card in before.scorecards]
        assert after.scorecard_of(plan.units["science"]).completion == Decimal("0.5")


def test_notices_of_period(db, plan):
    _may_activity(db, plan)
    with db.session() as session:
        period = periods.period_by_key(session, "2022-05")
        found = notices_of_period(session, period, period.due_at)

        assert [notice.title for notice in found.issued] == ["加快推进", "核实带宽"]
        assert [notice.title for notice in found.closed] == ["核实带宽"]
        april = notices_of_period(session, periods.period_by_key(session, "2022-04"), period.due_at)
        assert list(april.issued) == []


def test_score_formula_parts():
    weights = AssessmentSettings(_env_file=None)
    parts = score_unit(weights, tasks=4, on_time_rate=Decimal("0.5"), completion=Decimal("0.25"), red=1, yellow=2,
                       notices_overdue=0)
    # 30 × 0.5 = 15; 40 × 0.25 = 10; 30 × (1 − (1 + 0.5 × 2) / 4) = 15
    assert parts == (Decimal("15.0"), Decimal("10.0"), Decimal("15.0"), Decimal("0.0"), Decimal("40.0"))


def test_score_no_report_owed_full_points():
    weights = AssessmentSettings(_env_file=None)
    parts = score_unit(weights, tasks=1, on_time_rate=None, completion=Decimal(1), red=0, yellow=0, notices_overdue=0)
    assert parts[0] == Decimal("30.0")
    assert parts[4] == Decimal("100.0")


def test_score_never_below_zero():
    weights = AssessmentSettings(_env_file=None)
    parts = score_unit(weights, tasks=1, on_time_rate=Decimal(0), completion=Decimal(0), red=1, yellow=0,
                       notices_overdue=3)
    assert parts[3] == Decimal("15.0")
    assert parts[4] == Decimal("0.0")


def test_weights_from_environment(monkeypatch):
    monkeypatch.setenv("CITYBASE_ASSESSMENT_ON_TIME_WEIGHT", "50")
    monkeypatch.setenv("CITYBASE_ASSESSMENT_LIGHTS_WEIGHT", "10")
    weights = AssessmentSettings(_env_file=None)
    assert weights.full_marks == Decimal(100)
    parts = score_unit(weights, tasks=1, on_time_rate=Decimal(1), completion=Decimal(0), red=0, yellow=0, notices_overdue=0)
    assert parts[4] == Decimal("60.0")


def test_weights_all_zero_rejected(monkeypatch):
    for name in ("ON_TIME", "COMPLETION", "LIGHTS"):
        monkeypatch.setenv(f"CITYBASE_ASSESSMENT_{name}_WEIGHT", "0")
    with pytest.raises(ValueError, match="CITYBASE_ASSESSMENT_ON_TIME_WEIGHT"):
        AssessmentSettings(_env_file=None)


def test_rank_competition_order():
    from citybase.plan.supervision.assessment.scorecard import UnitYear

    def unit(code, score):
        return UnitYear(unit_id=0, unit_code=code, unit_name=code, periods=1, mean_score=score, best_rank=1,
                        worst_rank=1, reports_expected=0, reports_on_time=0, on_time_rate=None, notices_issued=0,
                        notices_closed=0, completion=Decimal(0), indicators_met=0, indicators_total=0, red=0,
                        yellow=0, score=score)

    ranked = rank_by_score([unit("C", Decimal(50)), unit("B", Decimal(90)), unit("A", Decimal(50)),
                            unit("D", Decimal(10))])
    assert [(card.unit_code, card.rank, card.tied) for card in ranked] == [
        ("B", 1, False), ("A", 2, True), ("C", 2, True), ("D", 4, False)]


def test_annual_summary_means(db, plan):
    _may_activity(db, plan)
    with db.session() as session:
        summary = annual_summary(session, 2022, NOW)

        # Periods 2022-01 to 2022-05 are due by 10 June; 2022-06 is not.
        assert summary.period_keys == ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05"]
        science = next(unit for unit in summary.units if unit.unit_code == "310114-D002")
        period_scores = [a.scorecard_of(plan.units["science"]).score for a in summary.assessments]
        assert period_scores == [Decimal("0.0")] * 4 + [Decimal("75.0")]
        assert science.mean_score == Decimal("15.0")
        assert science.rank == 1
        assert (science.reports_expected, science.reports_on_time) == (5, 1)
        assert science.on_time_rate == Decimal("0.2")
        assert science.completion == Decimal("0.5")
        assert science.periods == 5
        assert (science.best_rank, science.worst_rank) == (1, 1)


def test_parse_period_errors(db, plan):
    with db.session() as session:
        cases = {
            "2022-5": "Invalid period “2022-5”; write it as YYYY-MM, e.g. 2022-05.",
            "2019-03": "There is no reporting period 2019-03; the plan's periods run from 2021-01 to 2023-12.",
            "2022-06": ("The reports of period 2022-06 are due on 2022-07-05, so it cannot be assessed yet; "
                        "choose 2022-05 or an earlier period."),
        }
        for raw, expected in cases.items():
            with pytest.raises(InvalidInput) as caught:
                parse_period(session, raw, NOW)
            error = caught.value.errors[0]
            assert error.field == "period"
            assert error.value == raw
            assert error.message.format(**error.params) == expected
        assert parse_period(session, " 2022-05 ", NOW).key == "2022-05"


def test_parse_period_after_plan_end(db, plan):
    """Periods after the plan's end are assessable once due, as the ranking page offers them."""
    with db.session() as session:
        assert parse_period(session, "2024-02", shanghai(2024, 4, 10)).key == "2024-02"
        with pytest.raises(InvalidInput) as caught:
            parse_period(session, "2030-01", shanghai(2024, 4, 10))
        error = caught.value.errors[0]
        assert error.message.format(**error.params) == (
            "There is no reporting period 2030-01; the plan's periods run from 2021-01 to 2024-04.")


def test_parse_year_errors():
    with pytest.raises(InvalidInput) as caught:
        parse_year("2020", NOW)
    assert caught.value.errors[0].params == {"value": "2020", "first": 2021, "last": 2023}
    with pytest.raises(InvalidInput) as caught:
        parse_year("2023", NOW)
    assert caught.value.errors[0].params == {"value": 2023}
    assert parse_year("2022", NOW) == 2022


def test_figures_time_midnight_as_24():
    from citybase.plan.supervision.assessment.timefmt import figures_time

    assert figures_time(shanghai(2022, 6, 6, 0)) == "2022-06-05 24:00"
    assert figures_time(shanghai(2022, 6, 6, 9, 30)) == "2022-06-06 09:30"
