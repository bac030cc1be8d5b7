"""``citybase urn``: build and check identifiers of the district scheme from the shell.

Vendors and staff who name devices in a spreadsheet or a gateway configuration use
these commands instead of importing :mod:`citybase.context.urn`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import typer
from babel.messages.pofile import read_po
from rich.markup import escape

from citybase.context.errors import NgsiLdError
from citybase.context.urn import build_urn, parse_urn
from citybase.core.cli_support import console, err_console
from citybase.core.i18n import current_locale
from citybase.core.i18n import gettext_ as _

_LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=4)
def _catalogue(locale: str) -> dict[str, str]:
    path = _LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


def help_text(msgid: str) -> str:
    """Return a help text in the current locale from this module's catalogue.

    Typer reads help texts while the module registry is still importing this module,
    and core's ``gettext_`` would import the registry again, so this reads the
    catalogue file directly.
    """
    return _catalogue(current_locale()).get(msgid, msgid)


urn_app = typer.Typer(help=help_text("District identifiers (urn:ngsi-ld:<Type>:<division code>-<local part>)."),
                      no_args_is_help=True)


def _fail(exc: NgsiLdError) -> None:
    message = escape(_(exc.detail_template, **exc.params))
    err_console.print(f"[bold red]{_('Error')}[/]：{message}", soft_wrap=True, highlight=False)
    raise typer.Exit(1)


@urn_app.command("build", help=help_text("Build a district URN and print it; the local part is percent-encoded."))
def build_command(
    entity_type: str = typer.Argument(..., metavar="TYPE", help=help_text("Entity type, such as WaterLevelSensor.")),
    division: str = typer.Argument(..., help=help_text("Division code: 310114 or a town code such as 310114102.")),
    local: str = typer.Argument("", help=help_text("Local part, such as UP-0012 or 安亭泵站-1; may be left out.")),
) -> None:
    try:
        urn = build_urn(entity_type, division, local)
    except NgsiLdError as exc:
        _fail(exc)
        return
    console.print(urn, markup=False, highlight=False, soft_wrap=True)


@urn_app.command("check", help=help_text("Check a district URN and print its parts; exits 1 when it is invalid."))
def check_command(
    urn: str = typer.Argument(..., help=help_text("The identifier to check, such as urn:ngsi-ld:Pump:310114103-P1.")),
) -> None:
    try:
        parts = parse_urn(urn)
    except NgsiLdError as exc:
        _fail(exc)
        return
    rows: list[tuple[str, Any]] = [
        (_("Entity type"), parts.entity_type),
        (_("Division"), f"{parts.division_code} {parts.division_name}"),
        (_("Local part"), parts.local or "-"),
    ]
    for label, value in rows:
        console.print(f"{label}：{value}", markup=False, highlight=False, soft_wrap=True)
