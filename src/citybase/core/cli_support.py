"""Helpers shared by every module's CLI: the database, the actor, errors in Chinese."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from citybase.core import migrate
from citybase.core.audit import Actor
from citybase.core.db import Database
from citybase.core.errors import CitybaseError
from citybase.core.i18n import gettext_ as _
from citybase.core.logging import configure_logging
from citybase.core.settings import get_settings

console = Console()
err_console = Console(stderr=True)


def cli_actor() -> Actor:
    return Actor("cli", f"cli:{getpass.getuser()}")


def open_database() -> Database:
    """Open the configured database and bring it up to date, as ``serve`` does."""
    settings = get_settings()
    configure_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url, echo=settings.sql_echo)
    migrate.upgrade(db)
    return db


def print_error(exc: CitybaseError) -> None:
    label = _("Error")
    err_console.print(f"[bold red]{label}[/]：{_(exc.detail, **exc.params)}", soft_wrap=True)
    for error in exc.errors:
        value = "" if error.value is None else _("(value: {value})", value=error.value)
        # No markup: field names such as values[3].value would read as Rich tags. No hard
        # wrap: Rich moved an unbroken Chinese message to its own line after the colon.
        line = _("{field}{value}: {message}", field=error.field, value=value, message=_(error.message, **error.params))
        err_console.print(f"  - {line}", markup=False, soft_wrap=True)


@contextmanager
def cli_session() -> Iterator[Session]:
    """Yield a session as the CLI actor; a CitybaseError prints in Chinese and exits 1."""
    db = open_database()
    try:
        with db.session(cli_actor()) as session:
            yield session
    except CitybaseError as exc:
        print_error(exc)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
