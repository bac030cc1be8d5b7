"""The ``citybase`` command. Help and messages are in the user's locale (zh_CN default)."""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from sqlalchemy import select

from citybase.core import cli_i18n, migrate, registry
from citybase.core.auth import service
from citybase.core.auth.models import ApiToken, User
from citybase.core.auth.roles import ROLE_LABELS, ROLES
from citybase.core.cli_support import cli_session, console, err_console, open_database
from citybase.core.errors import FieldError, InvalidInput, NotFound
from citybase.core.i18n import gettext_ as _
from citybase.core.settings import get_settings
from citybase.core.units import Unit

cli_i18n.install()

app = typer.Typer(
    help=_("citybase: the city digital foundation of Jiading District."),
    no_args_is_help=True, rich_markup_mode=None, add_completion=False,
)
db_app = typer.Typer(help=_("Database schema."), no_args_is_help=True)
users_app = typer.Typer(help=_("User accounts."), no_args_is_help=True)
tokens_app = typer.Typer(help=_("API bearer tokens."), no_args_is_help=True)
units_app = typer.Typer(help=_("Responsible units."), no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(units_app, name="units")


@app.command(help=_("Serve the platform over HTTP."))
def serve(
    host: str = typer.Option(None, help=_("Address to listen on; default CITYBASE_HOST or 127.0.0.1.")),
    port: int = typer.Option(None, help=_("TCP port to listen on; default CITYBASE_PORT or 8000.")),
    worker: bool = typer.Option(None, "--worker/--no-worker",
                                help=_("Run the background worker inside the server; default CITYBASE_WORKER_IN_SERVE (on).")),
) -> None:
    import uvicorn

    from citybase.web.app import create_app

    settings = get_settings()
    application = create_app(settings, run_worker=worker)
    _tune_garbage_collector()
    console.print(_("citybase serves http://{host}:{port}", host=host or settings.host, port=port or settings.port))
    uvicorn.run(application, host=host or settings.host, port=port or settings.port, log_level="info")


# Allocations between two young-generation collections (CPython's default is 700).
GC_THRESHOLD = (20_000, 50, 100)


def _tune_garbage_collector() -> None:
    """Freeze the objects built at start-up and collect less often while serving.

    A batch write of 1,000 entities allocates a few hundred thousand objects that live
    until the response. With CPython's default thresholds they trigger full collections,
    and each traverses every object of the process (modules, routes, SQLAlchemy
    metadata). In benchmarks/context.py on a loaded 2-core machine those took about a
    fifth of a batch create's time. Frozen start-up objects are not traversed again,
    and the higher thresholds make a full collection rare during one batch.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


@app.command(help=_("Run scheduled work (status lights, reminders, digests, notifications)."))
def worker(
    once: bool = typer.Option(False, "--once", help=_("Run the jobs that are due once, then exit.")),
    tick: float = typer.Option(5.0, help=_("Seconds between checks for due jobs.")),
) -> None:
    import signal

    from citybase.core.logging import configure_logging
    from citybase.core.worker import Worker, run_due_jobs

    db = open_database()
    if once:
        ran = run_due_jobs(db)
        console.print(_("Jobs run: {jobs}", jobs=", ".join(ran) or _("none")))
        return
    # A long-running service logs its start, stop and failed jobs at the configured level,
    # where other commands log only warnings.
    configure_logging(get_settings().log_level)
    runner = Worker(db, tick=tick)
    # systemd and `kill` stop the worker with SIGTERM: finish the current tick, then exit.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: runner.stop())
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@db_app.command("upgrade", help=_("Apply every module's migrations and seed reference data."))
def db_upgrade() -> None:
    db = open_database()
    console.print(_("Database is up to date: {heads}", heads=", ".join(sorted(migrate.current_heads(db)))))


@db_app.command("revision", help=_("Create a migration for one module's model changes (developers)."))
def db_revision(
    module: str = typer.Option(..., help=_("Module whose tables changed, e.g. plan.")),
    message: str = typer.Option(..., "--message", "-m", help=_("What the migration does.")),
) -> None:
    db = open_database()
    migrate.revision(db, module, message)


@users_app.command("add", help=_("Add a user; the first user is usually the administrator."))
def users_add(
    username: str = typer.Option(..., help=_("Login name: 3 to 64 letters, digits, dots, dashes or underscores.")),
    name: str = typer.Option(..., help=_("Name shown on pages.")),
    role: str = typer.Option(..., help=_("Role: one of {roles}.", roles=", ".join(ROLES))),
    unit: str = typer.Option(None, help=_("Code of the user's unit (`citybase units list`); needed for unit reporters.")),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=_("Read the password from standard input instead of asking.")),
    service_account: bool = typer.Option(False, "--service", help=_("Create a service account for programs: no password, tokens only.")),
) -> None:
    password = None
    if not service_account:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Password again"))
    with cli_session() as session:
        user = service.create_user(session, username=username, display_name=name, password=password,
                                   role=role, unit_code=unit, service=service_account)
        console.print(_("User {username} added with role {role}.", username=user.username, role=_(ROLE_LABELS[role])))


@users_app.command("reset-password", help=_("Reset a user's password; the user must change it at the next login."))
def users_reset_password(
    username: str = typer.Argument(..., help=_("Login name of the user.")),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help=_("Read the new password from standard input; without it a temporary password is generated and printed once."),
    ),
) -> None:
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with cli_session() as session:
        user = service.find_user(session, username)
        temporary = service.reset_password(session, user, password)
        console.print(_("The password of {username} was reset; they must choose a new one at their next login.",
                        username=user.username))
        if temporary:
            err_console.print(_("Temporary password, shown only once:"))
            console.print(temporary)


@users_app.command("deactivate", help=_("Deactivate a user: they cannot log in and their tokens stop working."))
def users_deactivate(username: str = typer.Argument(..., help=_("Login name of the user."))) -> None:
    with cli_session() as session:
        service.set_active(session, service.find_user(session, username), False)
        console.print(_("User {username} deactivated; their login sessions ended and their tokens no longer work.",
                        username=username))


@users_app.command("reactivate", help=_("Reactivate a deactivated user."))
def users_reactivate(username: str = typer.Argument(..., help=_("Login name of the user."))) -> None:
    with cli_session() as session:
        service.set_active(session, service.find_user(session, username), True)
        console.print(_("User {username} reactivated.", username=username))


@users_app.command("list", help=_("List users."))
def users_list() -> None:
    with cli_session() as session:
        table = Table(_("Username"), _("Name"), _("Role"), _("Unit"), _("Active"))
        for user in session.scalars(select(User).order_by(User.username)):
            table.add_row(user.username, user.display_name, _(ROLE_LABELS.get(user.role, user.role)),
                          user.unit.name if user.unit else "—", _("yes") if user.is_active else _("no"))
        console.print(table)


@tokens_app.command("create", help=_("Issue a bearer token for a user or service account; it is printed once."))
def tokens_create(
    user: str = typer.Option(..., help=_("Username the token acts as.")),
    name: str = typer.Option(..., help=_("What the token is for, e.g. the pump-gate gateway.")),
    write: bool = typer.Option(False, "--write", help=_("Allow writes; without it the token can only read.")),
    days: int = typer.Option(None, help=_("Days until the token expires; default never.")),
) -> None:
    with cli_session() as session:
        owner = session.scalar(select(User).where(User.username == user))
        if owner is None:
            raise NotFound("No user named {username}; `citybase users list` shows them.", params={"username": user})
        raw, _token = service.create_token(session, owner, name, can_write=write, days=days)
        err_console.print(_("Token created; it is shown only once:"))
        console.print(raw)


@tokens_app.command("list", help=_("List tokens (never their secrets)."))
def tokens_list() -> None:
    with cli_session() as session:
        table = Table("ID", _("Name"), _("Owner"), _("Access"), _("Status"))
        for token in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            status = _("Revoked") if token.revoked_at else _("Active")
            table.add_row(str(token.id), token.name, token.user.username,
                          _("Read and write") if token.can_write else _("Read only"), status)
        console.print(table)


@tokens_app.command("revoke", help=_("Revoke a token by its ID."))
def tokens_revoke(token_id: int = typer.Argument(..., help=_("ID from `citybase tokens list`."))) -> None:
    with cli_session() as session:
        service.revoke_token(session, token_id, None)
        console.print(_("Token {id} revoked.", id=token_id))


@units_app.command("list", help=_("List units with their codes and aliases."))
def units_list() -> None:
    with cli_session() as session:
        table = Table(_("Code"), _("Name"), _("Aliases"))
        for unit in session.scalars(select(Unit).order_by(Unit.kind, Unit.code)):
            table.add_row(unit.code, unit.name, "、".join(a.alias for a in unit.aliases) or "—")
        console.print(table)


def _add_module_commands() -> None:
    for module in registry.modules():
        if module.cli is not None:
            app.add_typer(module.cli, name=module.cli_name or module.name)


_add_module_commands()


def main() -> None:
    app()


__all__ = ["app", "main", "FieldError", "InvalidInput"]
