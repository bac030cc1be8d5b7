"""``citybase plan import`` and ``citybase plan export``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from citybase.cli import app
from citybase.core.settings import get_settings
from citybase.plan.models import PlanImport, Task
from tests.plan.conftest import SEED_FILE, seed_data

runner = CliRunner()

EXPORT_KEYS = {
    "seq", "section", "key_project", "sub_number", "text", "lead_unit", "units", "unit_codes", "indicators",
    "qualitative_targets",
}
INDICATOR_KEYS = {"text", "metric", "comparator", "value", "value_max", "unit", "aspirational", "cumulative"}


@pytest.fixture
def cli_env(db, data_dir, monkeypatch):
    monkeypatch.setenv("CITYBASE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CITYBASE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def task_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Task.id)))


def test_plan_help_is_chinese() -> None:
    result = runner.invoke(app, ["plan", "import", "--help"])
    assert result.exit_code == 0
    assert "从文本（.txt）、Word（.docx）或Excel（.xlsx）文件导入任务清单" in result.output


def test_import_prints_summary(cli_env) -> None:
    result = runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    assert result.exit_code == 0, result.output
    assert "已导入task_list_2021_2023.txt" in result.output
    assert "新增任务" in result.output
    assert "提示（5条）" in result.output
    assert "重点项目“探索构建数字孪生城市”缺少编号；已按其位置编为5。" in result.output
    assert "第71行第3列（重点项目和应用场景）" in result.output
    assert task_count(cli_env) == 95


def test_import_twice_changes_nothing(cli_env) -> None:
    runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    result = runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    assert result.exit_code == 0, result.output
    assert "方案已与该文件一致，未作任何更改。" in result.output
    with cli_env.session() as session:
        assert session.scalar(select(func.count(PlanImport.id))) == 1


def test_malformed_file_error_in_chinese(cli_env, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(seed_data().replace(b"\t12\n", b"\t1two\n"))
    result = runner.invoke(app, ["plan", "import", str(bad)])
    assert result.exit_code == 1
    assert "bad.txt：发现1处问题，未导入任何内容。" in result.output
    assert "第91行第1列（序号）" in result.output
    assert "序号为“1two”；应为整数。" in result.output
    assert task_count(cli_env) == 0


def test_missing_file_rejected(cli_env, tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "import", str(tmp_path / "none.txt")])
    assert result.exit_code == 2


def test_export_shape(cli_env, tmp_path: Path) -> None:
    runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    output = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", "export", "--format", "json", "--output", str(output)])
    assert result.exit_code == 0, result.output
    tasks = json.loads(output.read_text(encoding="utf-8"))
    assert len(tasks) == 95
    assert all(set(task) == EXPORT_KEYS for task in tasks)
    assert all(set(i) == INDICATOR_KEYS for task in tasks for i in task["indicators"])

    first = tasks[0]
    assert first["seq"] == 1
    assert first["section"] == "（一）“全域感知”要素数字化构建新框架"
    assert first["key_project"] == "1、搭建快速高效的全域连接网络"
    assert first["sub_number"] == 1
    assert first["lead_unit"] == "区科委"
    assert first["units"] == ["区科委", "各街镇"]
    assert first["unit_codes"] == ["310114-D002", "310114-P01"]
    assert first["indicators"][0] == {
        "text": "建成3500个5G基站", "metric": "5G基站", "comparator": "=", "value": 3500, "value_max": None,
        "unit": "个", "aspirational": False, "cumulative": False,
    }
    assert first["qualitative_targets"] == ["光网全覆盖"]
    assert tasks[4]["indicators"][0]["value_max"] == 30000
    assert tasks[8]["key_project"] == "5、探索构建数字孪生城市"
    assert tasks[81]["key_project"] == "（三）引导多元主体参与"
    assert tasks[81]["units"] == ["区人社局"]
    assert tasks[81]["unit_codes"] == ["310114-D030"]
    assert tasks[22]["indicators"][0]["value"] == 300000000000


def test_export_to_stdout(cli_env) -> None:
    runner.invoke(app, ["plan", "import", str(SEED_FILE)])
    result = runner.invoke(app, ["plan", "export"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)[94]["seq"] == 95


def test_export_unknown_format(cli_env) -> None:
    result = runner.invoke(app, ["plan", "export", "--format", "csv"])
    assert result.exit_code == 1
    assert "不支持的导出格式csv" in result.output


def test_export_schema_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "plan-export.md").read_text(encoding="utf-8")
    for key in EXPORT_KEYS | INDICATOR_KEYS:
        assert f"| `{key}` |" in doc, key
