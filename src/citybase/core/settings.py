"""Typed settings read from the environment (``CITYBASE_*``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the platform; docs/settings.md documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="CITYBASE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        Path("./citybase-data"),
        description="Directory for the SQLite database, evidence files and the secret key.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default: the SQLite file citybase.db in the data directory. "
        "A PostgreSQL URL (postgresql+psycopg://user@host/db) works the same.",
    )
    host: str = Field("127.0.0.1", description="Address `citybase serve` listens on.")
    port: int = Field(8000, description="TCP port `citybase serve` listens on.")
    locale: str = Field("zh_CN", description="Default locale of pages, CLI and errors: zh_CN or en.")
    timezone: str = Field(
        "Asia/Shanghai", description="IANA time zone in which times are shown and calendar days "
        "(reporting periods, due dates) are counted.",
    )
    log_level: str = Field("INFO", description="Level of the citybase loggers.")
    sql_echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    session_hours: int = Field(12, description="Hours a login session stays valid without use.")
    cookie_secure: bool = Field(
        False, description="Mark the session and CSRF cookies Secure (sent over HTTPS only); "
        "turn on when the site is served over HTTPS.",
    )
    worker_in_serve: bool = Field(
        True, description="Run the background worker inside `citybase serve` (embedded default)."
    )
    context_auth: str = Field(
        "on", description="on: NGSI-LD calls need a bearer token; off: no authentication "
        "(local conformance runs only; a warning is logged at start)."
    )
    context_temporal_max_instances: int = Field(
        10000, ge=1, description="Maximum instances per attribute one temporal API response returns, "
        "and maximum periods per entity of an aggregated one; a response cut short by it is 206 Partial "
        "Content with a Content-Range header."
    )

    @field_validator("locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError(f"CITYBASE_LOCALE must be zh_CN or en, got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"CITYBASE_TIMEZONE must be an IANA time zone such as Asia/Shanghai, got {value!r}") from None
        return value

    @field_validator("context_auth")
    @classmethod
    def _check_context_auth(cls, value: str) -> str:
        if value not in ("on", "off"):
            raise ValueError(f"CITYBASE_CONTEXT_AUTH must be on or off, got {value!r}")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'citybase.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
