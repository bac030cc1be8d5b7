"""Translate Click's and Typer's own help and error texts ("Usage:", "Options", ...).

Click and Typer call ``gettext.gettext`` from their module globals; pointing those
names at the citybase catalogue puts their texts in the user's locale too.
"""

from __future__ import annotations

import importlib
import re

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

# Typer 0.29's vendored Click and its parameter types build these messages as English
# f-strings, so gettext never sees them. Each pattern matches one such message and names
# the msgid that says the same in the user's locale; ``localize_message`` applies them.
ENGLISH_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Missing argument '?(?P<name>[^'.]+)'?\.?"), N_("Missing argument {name}.")),
    (re.compile(r"Missing option (?P<name>'.+?'(?: / '.+?')*)\.?"), N_("Missing option {name}.")),
    (re.compile(r"Option '(?P<name>[^']+)' requires an argument\."), N_("Option {name} requires a value.")),
    (re.compile(r"No such option: (?P<name>\S+)"), N_("There is no option {name}; see --help for the options.")),
    (re.compile(r"Got unexpected extra arguments? \((?P<args>.*)\)"), N_("Unexpected extra arguments: {args}.")),
    (re.compile(r"(?i:file|path) '(?P<path>.+)' does not exist\."), N_("The file {path} does not exist.")),
    (re.compile(r"(?i:directory) '(?P<path>.+)' does not exist\."), N_("The folder {path} does not exist.")),
    (re.compile(r"(?i:file|path) '(?P<path>.+)' is a directory\."), N_("{path} is a folder; give a file.")),
    (re.compile(r"(?i:file|path|directory) '(?P<path>.+)' is not readable\."), N_("The file {path} cannot be read; check its permissions.")),
    (re.compile(r"Input should be a valid (?:number|integer).*"), N_("Give a number.")),
    (re.compile(r"Value '?(?P<value>.*?)'? is not a valid (?:int|integer|float)\."), N_("{value} is not a number; give a number.")),
    (re.compile(r"Invalid value for (?P<name>'[^']+'(?: / '[^']+')*): (?P<message>.*)", re.S),
     N_("Invalid value for {name}: {message}")),
    (re.compile(r"Invalid value: (?P<message>.*)", re.S), N_("Invalid value: {message}")),
)


def localize_message(message: str) -> str:
    """Return one of Click's or Typer's English error messages in the user's locale.

    A message no pattern matches is returned unchanged.
    """
    for pattern, msgid in ENGLISH_MESSAGES:
        match = pattern.fullmatch(message.strip())
        if match is not None:
            params = match.groupdict()
            if "message" in params:
                params["message"] = localize_message(params["message"])
            return _translate(msgid).format(**params)
    return message


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
        utils.echo(_translate("Error: {message}").format(message=localize_message(self.format_message())), file=file)

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
