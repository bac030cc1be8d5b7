"""``citybase plan ledger`` and ``citybase plan bulletin``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from docx import Document
from typer.testing import CliRunner

from citybase.cli import app
from tests.plan.conftest import SEED_FILE
from tests.plan.test_plan_cli import cli_env  # noqa: F401  (fixture)

runner = CliRunner()


def test_export_commands_help_chinese() -> None:
    ledger = runner.invoke(app, ["plan", "ledger", "--help"])
    bulletin = runner.invoke(app, ["plan", "bulletin", "--help"])

    assert ledger.exit_code == 0
    assert "写入工作台账的 .xlsx 文件" in ledger.output
    assert bulletin.exit_code == 0
    assert "格式为YYYY-MM" in bulletin.output


def test_ledger_written(cli_env, tmp_path) -> None:  # noqa: F811
    runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    target = tmp_path / "台账.xlsx"

    result = runner.invoke(app, ["plan", "ledger", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert f"已将工作台账写入{target}" in result.output.replace("\n", "")
    sheet = load_workbook(target).active
    seqs = [cell.value for cell in sheet["A"] if isinstance(cell.value, int)]
    assert seqs == list(range(1, 96))


def test_ledger_wrong_suffix_writes_nothing(cli_env, tmp_path) -> None:  # noqa: F811
    target = tmp_path / "ledger.csv"

    result = runner.invoke(app, ["plan", "ledger", "--output", str(target)])

    assert result.exit_code == 1
    assert "输出文件名须以.xlsx结尾" in result.output
    assert "--output" in result.output
    assert not target.exists()


def test_bulletin_bad_period_writes_nothing(cli_env, tmp_path) -> None:  # noqa: F811
    target = tmp_path / "bulletin.docx"

    result = runner.invoke(app, ["plan", "bulletin", "--period", "2022-5", "--output", str(target)])

    assert result.exit_code == 1
    output = result.output.replace("\n", "")
    assert "--period" in output
    assert "报送周期“2022-5”格式不对，请按YYYY-MM填写，例如2022-05。" in output
    assert "  - --period（值：2022-5）：报送周期“2022-5”格式不对，请按YYYY-MM填写，例如2022-05。" in result.output.splitlines()
    assert not target.exists()


def test_bulletin_unknown_period(cli_env, tmp_path) -> None:  # noqa: F811
    target = tmp_path / "bulletin.docx"

    result = runner.invoke(app, ["plan", "bulletin", "--period", "2030-01", "--output", str(target)])

    assert result.exit_code == 1
    # Past the plan's end the periods run through the current month.
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    last = max("2023-12", f"{today.year}-{today.month:02d}")
    assert f"没有报送周期2030-01；行动方案的报送周期为2021-01至{last}。" in result.output.replace("\n", "")
    assert not target.exists()


def test_bulletin_period_after_plan_end(cli_env, tmp_path) -> None:  # noqa: F811
    """The plan ended in 2023; a later period whose reports are due can still be reported on."""
    target = tmp_path / "bulletin.docx"

    result = runner.invoke(app, ["plan", "bulletin", "--period", "2024-01", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert "2024-01" in " ".join(paragraph.text for paragraph in Document(str(target)).paragraphs)


def test_bulletin_missing_folder(cli_env, tmp_path) -> None:  # noqa: F811
    target = tmp_path / "nowhere" / "bulletin.docx"

    result = runner.invoke(app, ["plan", "bulletin", "--period", "2022-05", "--output", str(target)])

    assert result.exit_code == 1
    assert "不存在" in result.output
    assert not target.exists()


def test_bulletin_written(cli_env, tmp_path) -> None:  # noqa: F811
    runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    target = tmp_path / "通报.docx"

    result = runner.invoke(app, ["plan", "bulletin", "--period", "2022-05", "--output", str(target)])

    assert result.exit_code == 0, result.output
    document = Document(str(target))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "嘉定区城市数字化转型行动方案（2021-2023年）督办通报"
    assert texts[1] == "报送周期：2022-05（2022-05-01至2022-05-31）"
    assert "行动方案共95项任务，其中绿灯0项、蓝灯0项、黄灯0项、红灯95项。" in texts
