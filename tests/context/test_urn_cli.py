"""``citybase urn build`` and ``citybase urn check``, in Chinese as every command is."""

from __future__ import annotations

from typer.testing import CliRunner

from citybase.cli import app

PUMP_URN = "urn:ngsi-ld:Pump:310114103-%E5%AE%89%E4%BA%AD%E6%B3%B5%E7%AB%99-1"


def _run(*args: str):
    return CliRunner().invoke(app, ["urn", *args], prog_name="citybase", terminal_width=200)


def test_build_percent_encodes_chinese() -> None:
    result = _run("build", "Pump", "310114103", "安亭泵站-1")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == PUMP_URN


def test_build_keeps_apostrophes_and_parentheses() -> None:
    result = _run("build", "Facility", "310114", "O'Neil(2)")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "urn:ngsi-ld:Facility:310114-O'Neil(2)"


def test_build_without_local_part() -> None:
    result = _run("build", "Dataset", "310114")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "urn:ngsi-ld:Dataset:310114"


def test_build_rejects_division_outside_district() -> None:
    result = _run("build", "Pump", "310101", "1")

    assert result.exit_code == 1
    assert "错误" in result.output
    assert "'310101'" in result.output
    assert "310114102" in result.output


def test_check_prints_decoded_parts() -> None:
    result = _run("check", PUMP_URN)

    assert result.exit_code == 0, result.output
    assert "实体类型：Pump" in result.output
    assert "行政区划：310114103 安亭镇" in result.output
    assert "本地部分：安亭泵站-1" in result.output


def test_check_rejects_raw_chinese_with_suggestion() -> None:
    result = _run("check", "urn:ngsi-ld:Pump:310114103-安亭")

    assert result.exit_code == 1
    assert "百分号编码" in result.output
    assert "'urn:ngsi-ld:Pump:310114103-%E5%AE%89%E4%BA%AD'" in result.output


def test_check_rejects_other_schemes() -> None:
    result = _run("check", "urn:ngsi-ld:Building:randomUUID")

    assert result.exit_code == 1
    assert "'randomUUID'" in result.output
