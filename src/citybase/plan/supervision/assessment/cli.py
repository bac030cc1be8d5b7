"""``citybase plan ledger`` and ``citybase plan bulletin``: the exports, for scheduled jobs.

Both build the whole file in memory first, so an error leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path

import typer

from citybase.core.cli_support import cli_session, err_console
from citybase.core.db import utcnow
from citybase.core.i18n import gettext_ as _
from citybase.core.i18n_marker import N_
from citybase.plan.supervision.assessment.cli_help import help_text
from citybase.plan.supervision.errors import FieldError, invalid


def check_output(path: Path, suffix: str) -> None:
    """Raise InvalidInput unless ``path`` ends in ``suffix`` and its folder exists."""
    if path.suffix.lower() != suffix:
        raise invalid(FieldError("--output", N_("The output file must end in {suffix}, e.g. {example}."), str(path),
                                 {"suffix": suffix, "example": f"台账{suffix}" if suffix == ".xlsx" else f"通报{suffix}"}))
    if not path.parent.is_dir():
        raise invalid(FieldError("--output", N_("The folder {folder} does not exist; create it first or choose another."),
                                 str(path), {"folder": str(path.parent)}))


def ledger_command(
    output: Path = typer.Option(..., "--output", "-o", help=help_text("The .xlsx file to write the ledger to; an existing file is replaced."),
                                dir_okay=False),
) -> None:
    from citybase.plan.supervision.assessment.ledger import build_ledger

    with cli_session() as session:
        check_output(output, ".xlsx")
        data = build_ledger(session, utcnow())
    output.write_bytes(data)
    err_console.print(_("Wrote the work ledger to {file}.", file=str(output)), soft_wrap=True)


def bulletin_command(
    period: str = typer.Option("", "--period", "-p", help=help_text(
        "The reporting period the bulletin covers, as YYYY-MM (e.g. 2022-05); default: the latest period whose reports are due.")),
    output: Path = typer.Option(..., "--output", "-o", help=help_text("The .docx file to write the bulletin to; an existing file is replaced."),
                                dir_okay=False),
) -> None:
    from citybase.plan.supervision.assessment.bulletin import build_bulletin
    from citybase.plan.supervision.assessment.selection import parse_period, require_due_period

    now = utcnow()
    with cli_session() as session:
        chosen = parse_period(session, period, now, field="--period") if period else require_due_period(session, now)
        check_output(output, ".docx")
        data = build_bulletin(session, chosen, now)
    output.write_bytes(data)
    err_console.print(_("Wrote the supervision bulletin for {period} to {file}.", period=chosen.key, file=str(output)),
                      soft_wrap=True)


def register(plan_app: typer.Typer) -> None:
    """Add the export commands to ``citybase plan``, which the plan module owns."""
    plan_app.command("ledger", help=help_text(
        "Write the work ledger (工作台账): every task with its units, targets, current values, progress and light, as Excel."),
    )(ledger_command)
    plan_app.command("bulletin", help=help_text(
        "Write the supervision bulletin (督办通报) of a reporting period as Word: lights, on-time reporting, ranking, notices."),
    )(bulletin_command)
