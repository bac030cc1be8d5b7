"""Translate Click's and Typer's own help and error texts ("Usage:", "Options", ...).

Click and Typer call ``gettext.gettext`` from their module globals; pointing those
names at the citybase catalogue puts their texts in the user's locale too.
"""

from __future__ import annotations

import importlib

from citybase.core.i18n import gettext_ as _
from citybase.core.i18n import ngettext_, translations, current_locale
from citybase.core.i18n_marker import N_

CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Arguments"), N_("Show this message and exit."),
    N_("Error: {message}"), N_("Missing option"), N_("Missing argument"), N_("Missing parameter"),
    N_("Try '{command} {option}' for help."), N_("No such command {name!r}."), N_("No such option: {name}"),
    N_("No such option {name!r}."), N_("Got unexpected extra argument ({args})"),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"), N_("Aborted!"),
    N_("Missing command."), N_("default: {default}"), N_("env var: {var}"), N_("required"),
    N_("{value!r} is not a valid integer."), N_("{value!r} is not a valid float."),
    N_("Option {name!r} requires an argument."), N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."), N_("Positional arguments"),
)

MODULES = (
    "click.core", "click.formatting", "click.exceptions", "click.decorators", "click.parser",
    "click.types", "click.termui", "typer.core", "typer.rich_utils", "typer.main",
)


def _translate(message: str) -> str:
    return translations(current_locale()).gettext(message)


def _ntranslate(singular: str, plural: str, count: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, count)


def _patch_vendored_click() -> None:
    """Typer 0.29 vendors Click with English literals; wrap the three places they show."""
    try:
        from typer._click import core, exceptions, formatting, utils
    except ImportError:
        return
    if getattr(formatting.HelpFormatter, "_citybase_patched", False):
        return
    write_usage = formatting.HelpFormatter.write_usage

    def translated_usage(self, prog, args="", prefix=None):  # type: ignore[no-untyped-def]
        return write_usage(self, prog, args, prefix if prefix is not None else _translate("Usage:") + " ")

    get_help_option = core.Command.get_help_option

    def translated_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = get_help_option(self, ctx)
        if option is not None and option.help == "Show this message and exit.":
            option.help = _translate("Show this message and exit.")
        return option

    def show_error(self, file=None):  # type: ignore[no-untyped-def]
        file = file or utils._default_text_stderr()
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = _translate("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
            utils.echo(f"{ctx.get_usage()}\n{hint}", file=file, color=ctx.color)
        utils.echo(_translate("Error: {message}").format(message=self.format_message()), file=file)

    formatting.HelpFormatter.write_usage = translated_usage
    core.Command.get_help_option = translated_help_option
    exceptions.ClickException.show = show_error
    exceptions.UsageError.show = show_error
    formatting.HelpFormatter._citybase_patched = True


def install() -> None:
    _patch_vendored_click()
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = _translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ntranslate  # type: ignore[attr-defined]


__all__ = ["install", "_", "ngettext_"]
