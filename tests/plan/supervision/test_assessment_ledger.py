"""The work ledger read back with openpyxl and checked against the imported seed plan."""

import io
from decimal import Decimal

from openpyxl import load_workbook
from plan_builder import shanghai
from seed_reports import report_seed_task
from sqlalchemy import func, select

from citybase.core.i18n import use_locale
from citybase.plan.models import Section, Task
from citybase.plan.supervision.assessment.labels import LIGHT_FILLS
from citybase.plan.supervision.assessment.ledger import COLUMNS, HEADER_ROW, build_ledger
from citybase.plan.supervision.summary import task_statuses

NOW = shanghai(2022, 6, 10)
CHINESE_HEADERS = ["序号", "任务", "牵头单位", "配合单位", "指标或目标", "目标", "目标值", "计量单位", "当前值",
                   "指标进度", "任务进度", "序时进度", "亮灯", "期限"]
LIGHT_WORDS_ZH = {"green": "绿灯", "blue": "蓝灯", "yellow": "黄灯", "red": "红灯"}


def _ledger(db):
    with db.session() as session, use_locale("zh_CN"):
        data = build_ledger(session, NOW)
    return load_workbook(io.BytesIO(data)).active


def _task_rows(sheet) -> dict[int, int]:
    """Return task seq → first row of the task."""
    return {sheet.cell(row, 1).value: row for row in range(HEADER_ROW + 1, sheet.max_row + 1)
            if isinstance(sheet.cell(row, 1).value, int)}


def test_ledger_lists_every_seed_task(db, imported):
    sheet = _ledger(db)
    rows = _task_rows(sheet)

    assert sorted(rows) == list(range(1, 96))
    assert list(rows) == sorted(rows)
    assert [sheet.cell(HEADER_ROW, column).value for column in range(1, len(COLUMNS) + 1)] == CHINESE_HEADERS
    # The imported task list's title names the plan; 工作任务清单 gives way to 工作台账.
    assert sheet.cell(1, 1).value == "嘉定区城市数字化转型行动方案（2021-2023年）工作台账"
    assert "共95项任务" in sheet.cell(2, 1).value


def test_ledger_matches_database(db, imported):
    sheet = _ledger(db)
    rows = _task_rows(sheet)
    with db.session() as session:
        statuses = task_statuses(session, NOW)
        for status in statuses:
            row = rows[status.task.seq]
            assert sheet.cell(row, 2).value == status.task.text
            assert sheet.cell(row, 3).value == status.task.units[0].name_as_written
            assert sheet.cell(row, 13).value == LIGHT_WORDS_ZH[status.light.light]
            assert sheet.cell(row, 13).fill.fgColor.rgb == "00" + LIGHT_FILLS[status.light.light]
            assert sheet.cell(row, 12).value == float(status.light.expected)
            for offset, item in enumerate(status.indicators):
                assert sheet.cell(row + offset, 5).value == item.indicator.text
                assert Decimal(str(sheet.cell(row + offset, 7).value)) == item.indicator.value
                assert sheet.cell(row + offset, 8).value == item.indicator.unit


def test_ledger_groups_by_section(db, imported):
    sheet = _ledger(db)
    with db.session() as session:
        sections = session.scalar(select(func.count(Section.id)))
    section_rows = [row for row in range(HEADER_ROW + 1, sheet.max_row + 1)
                    if sheet.cell(row, 1).fill.fgColor.rgb == "00D9D9D9"]

    assert len(section_rows) == sections
    assert sheet.cell(HEADER_ROW + 1, 1).value.startswith("（一）")
    assert sheet.cell(HEADER_ROW + 2, 1).value.startswith("1、")
    assert f"A{HEADER_ROW + 1}:N{HEADER_ROW + 1}" in {str(merged) for merged in sheet.merged_cells.ranges}


def test_ledger_after_accepted_report(db, imported):
    report_seed_task(db, 1, "2022-05", shanghai(2022, 6, 2), "0.5")
    sheet = _ledger(db)
    row = _task_rows(sheet)[1]
    with db.session() as session:
        task = session.scalar(select(Task).where(Task.seq == 1))
        status = task_statuses(session, NOW, [task.id])[0]
        stations = status.indicators[0]

        assert stations.current.value is not None
        assert sheet.cell(row, 5).value == "建成3500个5G基站"
        assert sheet.cell(row, 6).value == "3500"
        assert sheet.cell(row, 7).value == 3500
        assert Decimal(str(sheet.cell(row, 9).value)) == stations.current.value
        assert isinstance(sheet.cell(row, 9).value, int | float)
        assert Decimal(str(sheet.cell(row, 10).value)) == Decimal("0.5")
        assert Decimal(str(sheet.cell(row, 11).value)) == status.light.progress.fraction
        assert sheet.cell(row, 13).value == LIGHT_WORDS_ZH[status.light.light]
    lines = len(task.indicators) + len(task.qualitative_targets)
    assert f"B{row}:B{row + lines - 1}" in {str(merged) for merged in sheet.merged_cells.ranges}
    # The qualitative target's row shows the reported 50 %.
    assert sheet.cell(row + lines - 1, 6).value == "定性目标"
    assert sheet.cell(row + lines - 1, 10).value == 0.5
    assert sheet.cell(row + lines - 1, 7).value is None


def test_ledger_print_setup(db, imported):
    sheet = _ledger(db)

    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["B"].width == 40
    assert sheet.cell(HEADER_ROW + 3, 2).alignment.wrap_text is True
    assert sheet.cell(HEADER_ROW + 3, 2).border.left.style == "thin"
    assert sheet.cell(1, 1).font.name == "黑体"
    assert sheet.row_dimensions[_task_rows(sheet)[1]].height > 13.5


def test_ledger_targets_written_as_plan(db, imported):
    """Large targets read as the plan writes them: 22万, 2万–3万, 约3000亿, not 300000000000."""
    sheet = _ledger(db)
    rows = _task_rows(sheet)

    assert sheet.cell(rows[3], 6).value == "22万"
    assert sheet.cell(rows[5], 6).value == "2万–3万"
    assert sheet.cell(rows[23], 6).value == "约3000亿"
    assert sheet.cell(rows[23], 8).value == "元"
    assert sheet.cell(rows[12], 6).value == ">150"


def test_ledger_target_and_current_are_numbers(db, imported):
    """Excel can sum and sort the target and current values: they are numbers with a number format."""
    report_seed_task(db, 1, "2022-05", shanghai(2022, 6, 2), "0.5")
    sheet = _ledger(db)
    rows = _task_rows(sheet)

    assert sheet.cell(rows[3], 6).value == "22万"
    assert sheet.cell(rows[3], 7).value == 220000
    assert sheet.cell(rows[23], 6).value == "约3000亿"
    assert sheet.cell(rows[23], 7).value == 300000000000
    assert sheet.cell(rows[23], 7).number_format == "#,##0.######"
    assert isinstance(sheet.cell(rows[1], 9).value, int | float)
    assert sheet.cell(rows[1], 9).number_format == "#,##0.######"
    numbers = [sheet.cell(row, 7).value for row in range(HEADER_ROW + 1, sheet.max_row + 1)
               if sheet.cell(row, 7).value is not None]
    assert numbers and all(isinstance(value, int | float) for value in numbers)
