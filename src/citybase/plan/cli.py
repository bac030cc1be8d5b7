"""``citybase plan``: import the task list from a file and export the plan as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from citybase.core.cli_support import cli_session, console, err_console
from citybase.core.errors import InvalidInput
from citybase.core.i18n import gettext_ as _
from citybase.core.i18n_marker import N_
from citybase.plan.cli_help import help_text
from citybase.plan.export import export_tasks
from citybase.plan.import_summary import COUNT_LABELS, ImportSummary
from citybase.plan.importer import import_plan

EXPORT_FORMATS = ("json",)

plan_app = typer.Typer(help=help_text("The action plan: import the task list, export the plan."), no_args_is_help=True)


def _print_summary(summary: ImportSummary) -> None:
    console.print(_("Imported {file}", file=summary.file_name), soft_wrap=True, markup=False)
    table = Table(_("Item"), _("Count"))
    for key, label in COUNT_LABELS.items():
        table.add_row(_(label), str(summary.counts[key]))
    table.add_row(_("Tasks added"), str(len(summary.created)))
    table.add_row(_("Tasks changed"), str(len(summary.updated)))
    table.add_row(_("Tasks removed"), str(len(summary.removed)))
    table.add_row(_("Tasks unchanged"), str(summary.unchanged))
    console.print(table)
    if not summary.changed:
        console.print(_("The plan already matches this file; nothing was changed."), soft_wrap=True)
    if summary.updated:
        console.print(_("Changed tasks: {seqs}", seqs="、".join(map(str, summary.updated))), soft_wrap=True)
    if summary.warnings:
        console.print(_("Warnings ({count}):", count=len(summary.warnings)))
        for line in summary.rendered_warnings(_):
            console.print(f"  - {line}", markup=False, soft_wrap=True)


@plan_app.command("import", help=help_text("Import the task list from a text (.txt), Word (.docx) or Excel (.xlsx) file."))
def import_command(
    file: Path = typer.Argument(..., help=help_text("The task list file."), exists=True, dir_okay=False, readable=True),
    allow_removals: bool = typer.Option(
        False, "--allow-removals",
        help=help_text("Remove tasks that the file no longer lists, with their reports; without it such a file is rejected."),
    ),
) -> None:
    data = file.read_bytes()
    with cli_session() as session, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err_console, transient=True,
    ) as progress:
        bar = progress.add_task(_("Importing tasks"), total=None)

        def advance(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        summary = import_plan(session, data, file.name, allow_removals=allow_removals, progress=advance)
    _print_summary(summary)


@plan_app.command("export", help=help_text("Export the imported plan: every task with its units and targets."))
def export_command(
    format: str = typer.Option("json", "--format", help=help_text("Output format; json is the only one so far.")),
    output: str = typer.Option("-", "--output", "-o", help=help_text("File to write; - writes to standard output.")),
) -> None:
    with cli_session() as session:
        if format not in EXPORT_FORMATS:
            raise InvalidInput(
                N_("Unknown export format {format}; use one of: {formats}."),
                params={"format": format, "formats": ", ".join(EXPORT_FORMATS)},
            )
        tasks = export_tasks(session)
    text = json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
        return
    Path(output).write_text(text, encoding="utf-8")
    err_console.print(_("Wrote {count} tasks to {file}.", count=len(tasks), file=output))
