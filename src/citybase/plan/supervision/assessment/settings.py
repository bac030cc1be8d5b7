"""Weights of the unit score, read from ``CITYBASE_ASSESSMENT_*`` variables and ``.env``."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AssessmentSettings(BaseSettings):
    """Weights of the three parts of a unit's score and the deduction per overdue notice."""

    model_config = SettingsConfigDict(
        env_prefix="CITYBASE_ASSESSMENT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    on_time_weight: Decimal = Field(
        Decimal(30), ge=0, le=100, description="Points for reporting: the on-time reporting rate times this weight."
    )
    completion_weight: Decimal = Field(
        Decimal(40), ge=0, le=100,
        description="Points for completion: the mean progress of the unit's indicators times this weight.",
    )
    lights_weight: Decimal = Field(
        Decimal(30), ge=0, le=100,
        description="Points for lights: (1 − (red + yellow_share × yellow) / tasks led) times this weight.",
    )
    yellow_share: Decimal = Field(
        Decimal("0.5"), ge=0, le=1, description="How much a yellow task counts against the lights points, relative to a red one."
    )
    overdue_notice_penalty: Decimal = Field(
        Decimal(5), ge=0, le=100, description="Points deducted for each supervision notice overdue at the assessment time."
    )

    @model_validator(mode="after")
    def _check_weights(self) -> AssessmentSettings:
        if self.on_time_weight + self.completion_weight + self.lights_weight <= 0:
            raise ValueError(
                "CITYBASE_ASSESSMENT_ON_TIME_WEIGHT, _COMPLETION_WEIGHT and _LIGHTS_WEIGHT are all 0; "
                "give at least one a positive weight"
            )
        return self

    @property
    def full_marks(self) -> Decimal:
        """Return the highest possible score: the sum of the three weights."""
        return self.on_time_weight + self.completion_weight + self.lights_weight


@lru_cache(maxsize=1)
def get_assessment_settings() -> AssessmentSettings:
    return AssessmentSettings()
