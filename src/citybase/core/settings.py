"""Typed settings read from the environment (``CITYBASE_*``) and ``.env``."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs session cookies and CSRF tokens; default: a random key "
        "generated once and kept in <data_dir>/secret_key.",
    )
    host: str = Field("127.0.0.1", description="Address `citybase serve` listens on.")
    port: int = Field(8000, description="TCP port `citybase serve` listens on.")
    locale: str = Field("zh_CN", description="Default locale of pages, CLI and errors: zh_CN or en.")
    timezone: str = Field("Asia/Shanghai", description="Time zone in which times are shown.")
    log_level: str = Field("INFO", description="Level of the citybase loggers.")
    sql_echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    session_hours: int = Field(12, description="Hours a login session stays valid without use.")
    worker_in_serve: bool = Field(
        True, description="Run the background worker inside `citybase serve` (embedded default)."
    )
    context_auth: str = Field(
        "on", description="on: NGSI-LD calls need a bearer token; off: no authentication "
        "(local conformance runs only; a warning is logged at start)."
    )

    @field_validator("locale")
    @classmethod
    def _check_locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError(f"CITYBASE_LOCALE must be zh_CN or en, got {value!r}")
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

    def resolved_secret_key(self) -> str:
        """Return the configured key, or the one persisted in the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
