"""Every command's ``--help`` is in Chinese, and every option's help states what it sets."""

import re

import pytest
import typer.main
from typer.testing import CliRunner

from citybase.cli import app
from citybase.core import i18n

HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_CLICK_TEXTS = ("Usage:", "Options", "Commands", "Arguments", "Show this message and exit", "[required]",
                       "default:")


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        if not getattr(sub, "hidden", False):
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))
IDS = [" ".join(("citybase", *path)) for path, _command in COMMANDS]


def test_catalogue_locale_is_chinese():
    assert i18n.default_locale() == "zh_CN"


def test_every_command_is_listed():
    assert "citybase serve" in IDS
    assert "citybase users add" in IDS
    assert "citybase tokens revoke" in IDS
    assert "citybase db upgrade" in IDS


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_output_is_chinese(path, command):
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="citybase", terminal_width=100)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"用法： {' '.join(('citybase', *path))}")
    assert "选项" in result.output
    assert "显示本帮助并退出。" in result.output
    for english in ENGLISH_CLICK_TEXTS:
        assert english not in result.output, f"untranslated Click text {english!r} in:\n{result.output}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_description_is_chinese(path, command):
    assert command.help, f"citybase {' '.join(path)} has no help text"
    assert HAN.search(command.help), f"citybase {' '.join(path)} help is not Chinese: {command.help!r}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_has_chinese_help(path, command):
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="citybase", terminal_width=200)
    flat_output = re.sub(r"\s+", " ", result.output)

    for param in command.params:
        if param.name == "help" or getattr(param, "hidden", False):
            continue
        label = "/".join(getattr(param, "opts", [])) or param.name
        text = param.help or ""
        assert len(HAN.findall(text)) >= 4, f"{label} of citybase {' '.join(path)} needs a Chinese help text: {text!r}"
        assert text.rstrip().endswith(("。", "）", ")")), f"{label} help should be a full sentence: {text!r}"
        assert re.sub(r"\s+", " ", text) in flat_output, f"{label} help is missing from --help output"


def test_errors_are_chinese():
    result = CliRunner().invoke(app, ["users", "add", "--username", "x"], prog_name="citybase")

    assert result.exit_code == 2
    assert "错误" in result.output
    assert "--name" in result.output
    assert "Error" not in result.output


def test_unknown_command_is_chinese():
    result = CliRunner().invoke(app, ["no-such-command"], prog_name="citybase")

    assert result.exit_code == 2
    assert "没有名为 'no-such-command' 的命令" in result.output
