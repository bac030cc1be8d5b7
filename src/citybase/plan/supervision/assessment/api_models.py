"""Pydantic shapes of the assessment JSON API. Fractions are 0..1; scores are points out of ``full_marks``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class WeightsOut(BaseModel):
    on_time_weight: Decimal
    completion_weight: Decimal
    lights_weight: Decimal
    yellow_share: Decimal
    overdue_notice_penalty: Decimal
    full_marks: Decimal


class ScorecardOut(BaseModel):
    rank: int = Field(description="1 is best; units with equal scores share the rank of the first of them")
    tied: bool = Field(description="True when another unit has the same score")
    unit_code: str
    unit_name: str
    tasks: int = Field(description="Tasks the unit leads")
    reports_expected: int
    reports_on_time: int
    reports_late: int
    reports_missing: int
    on_time_rate: Decimal | None = Field(description="Fraction 0..1; null when the unit owed no report")
    indicators_total: int
    indicators_met: int
    completion: Decimal = Field(description="Mean progress 0..1 of the unit's indicators (or tasks, see completion_basis)")
    completion_basis: str = Field(description="indicators, or tasks when the unit's tasks carry no indicators")
    red: int
    yellow: int
    notices_issued: int = Field(description="Notices issued to the unit within the period's days")
    notices_closed: int = Field(description="Notices of the unit closed within the period's days")
    notices_open: int = Field(description="Notices not closed at the assessment time")
    notices_overdue: int = Field(description="Notices awaiting a reply past their due time at the assessment time")
    on_time_points: Decimal
    completion_points: Decimal
    lights_points: Decimal
    notice_deduction: Decimal
    score: Decimal


class PeriodRankingOut(BaseModel):
    period: str
    starts_on: dt.date
    ends_on: dt.date
    as_of: dt.datetime = Field(description="The period's report due time, or the request time while that is ahead")
    weights: WeightsOut
    lights: dict[str, int] = Field(description="Tasks per light at the assessment time")
    reports_expected: int
    reports_on_time: int
    on_time_rate: Decimal | None
    notices_issued: int
    notices_closed: int
    notices_open: int
    notices_overdue: int
    scorecards: list[ScorecardOut] = Field(description="In rank order")


class UnitYearOut(BaseModel):
    rank: int
    tied: bool
    unit_code: str
    unit_name: str
    periods: int = Field(description="Periods of the year in which the unit was assessed")
    mean_score: Decimal
    best_rank: int
    worst_rank: int
    reports_expected: int
    reports_on_time: int
    on_time_rate: Decimal | None
    notices_issued: int
    notices_closed: int
    completion: Decimal = Field(description="Completion at the year's last assessed period")
    indicators_met: int
    indicators_total: int
    red: int = Field(description="Red tasks at the year's last assessed period")
    yellow: int


class AnnualSummaryOut(BaseModel):
    year: int
    periods: list[str] = Field(description="Keys of the assessed periods: those of the year that have started")
    weights: WeightsOut
    units: list[UnitYearOut] = Field(description="In rank order of the mean period score")
