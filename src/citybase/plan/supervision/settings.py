"""Settings of plan supervision, read from ``CITYBASE_SUPERVISION_*`` variables and ``.env``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

FREQUENCIES = ("monthly", "quarterly", "half_yearly")


class SupervisionSettings(BaseSettings):
    """Reporting calendar, light thresholds, reminder timing and evidence limits."""

    model_config = SettingsConfigDict(
        env_prefix="CITYBASE_SUPERVISION_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    plan_starts_on: dt.date = Field(dt.date(2021, 1, 1), description="First day of the plan; 序时进度 counts from it.")
    plan_ends_on: dt.date = Field(dt.date(2023, 12, 31), description="Last day of the plan; the default deadline of every task.")
    period_frequency: Literal["monthly", "quarterly", "half_yearly"] = Field(
        "monthly", description="Length of a reporting period: monthly, quarterly or half_yearly."
    )
    report_due_days: int = Field(
        5, ge=0, le=60,
        description="Days after a period's last day until its report is due (5: a May report is due by the end of 5 June).",
    )
    near_deadline_days: int = Field(
        3, ge=0, le=60, description="A task's light turns blue when a deadline or report due date is this many days away or fewer."
    )
    behind_margin: Decimal = Field(
        Decimal("0.10"), ge=0, le=1,
        description="A task's light turns yellow when its progress is below 序时进度 by more than this fraction (0.10 = 10 points).",
    )
    about_tolerance: Decimal = Field(
        Decimal("0.05"), ge=0, lt=1,
        description="An 'about N' (左右) target counts as met within this fraction below N (0.05: from 95% of N).",
    )
    remind_before_days: int = Field(
        3, ge=0, le=60, description="Days before a report or notice reply is due when the reminder (催办) is sent."
    )
    overdue_repeat_days: int = Field(
        7, ge=1, le=90, description="Days between repeated reminders while a report or reply stays overdue."
    )
    digest_hour: int = Field(
        8, ge=0, le=23, description="Hour of the day (Asia/Shanghai) from which each unit's daily digest is sent."
    )
    notice_reply_days: int = Field(
        7, ge=1, le=365, description="Default days a unit has to reply to a supervision notice (督办单)."
    )
    evidence_max_mb: int = Field(20, ge=1, le=1024, description="Largest evidence file accepted, in MiB.")
    evidence_types: str = Field(
        "pdf,ofd,doc,docx,wps,xls,xlsx,et,ppt,pptx,jpg,jpeg,png,txt,zip",
        description="Comma-separated file name extensions accepted as evidence.",
    )

    @field_validator("evidence_types")
    @classmethod
    def _normalize_types(cls, value: str) -> str:
        types = [part.strip().lower().lstrip(".") for part in value.split(",") if part.strip()]
        if not types:
            raise ValueError("CITYBASE_SUPERVISION_EVIDENCE_TYPES must list at least one extension, e.g. pdf,docx")
        return ",".join(types)

    @model_validator(mode="after")
    def _check_plan_range(self) -> SupervisionSettings:
        if self.plan_ends_on <= self.plan_starts_on:
            raise ValueError(
                f"CITYBASE_SUPERVISION_PLAN_ENDS_ON ({self.plan_ends_on}) must be after "
                f"CITYBASE_SUPERVISION_PLAN_STARTS_ON ({self.plan_starts_on})"
            )
        return self

    @property
    def allowed_evidence_types(self) -> frozenset[str]:
        return frozenset(self.evidence_types.split(","))

    @property
    def evidence_max_bytes(self) -> int:
        return self.evidence_max_mb * 1024 * 1024


@lru_cache(maxsize=1)
def get_supervision_settings() -> SupervisionSettings:
    return SupervisionSettings()
