"""Settings of the context broker, read from ``CITYBASE_CONTEXT_*`` variables and ``.env``.

``CITYBASE_CONTEXT_AUTH`` belongs to the platform settings, because the server checks it
at start. This class contains the broker's own settings.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ContextSettings(BaseSettings):
    """Locations of JSON-LD contexts beyond the ones the broker ships."""

    model_config = SettingsConfigDict(
        env_prefix="CITYBASE_CONTEXT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    jsonld_dirs: str | None = Field(
        None,
        description="Directories of extra JSON-LD contexts, separated by the path separator (':' on "
        "Linux); each holds *.jsonld files and an index.json mapping a context URL to a file name.",
    )

    def jsonld_directories(self) -> list[Path]:
        return [Path(part) for part in (self.jsonld_dirs or "").split(os.pathsep) if part]


@lru_cache(maxsize=1)
def get_context_settings() -> ContextSettings:
    return ContextSettings()
