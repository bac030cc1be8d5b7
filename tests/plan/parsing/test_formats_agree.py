"""The Word table and the Excel sheet read the same as the plain-text export."""

from __future__ import annotations

import pytest

from citybase.plan.parsing import ParsedPlan, parse_plan_bytes
from citybase.plan.parsing.issues import SHEET_ROW, TABLE_ROW

from .seed_files import TITLE, build_docx, build_xlsx, seed_bytes, seed_rows


def _summary(plan: ParsedPlan) -> list[tuple[object, ...]]:
    return [
        (
            t.seq, t.section.heading, t.key_project.title, t.key_project_no, t.sub_number,
            t.text, tuple(t.units), tuple(t.indicators), tuple(t.qualitative_targets),
        )
        for t in plan.tasks
    ]


@pytest.fixture(scope="module")
def text_plan() -> ParsedPlan:
    return parse_plan_bytes(seed_bytes(), "task_list.txt")


@pytest.mark.parametrize("merge_blank", [False, True], ids=["blank-cells", "merged-cells"])
@pytest.mark.parametrize("builder", [build_docx, build_xlsx], ids=["docx", "xlsx"])
def test_format_matches_text(text_plan: ParsedPlan, builder, merge_blank: bool) -> None:
    header, rows = seed_rows()
    name = "task_list.docx" if builder is build_docx else "task_list.xlsx"
    plan = parse_plan_bytes(builder(header, rows, merge_blank), name)
    assert plan.title == TITLE
    assert plan.source_format == name.rsplit(".", 1)[1]
    assert len(plan.tasks) == 95
    assert len(plan.sections) == 6
    assert _summary(plan) == _summary(text_plan)
    assert [w.message for w in plan.warnings] == [w.message for w in text_plan.warnings]


def test_docx_locations_are_table_rows() -> None:
    header, rows = seed_rows()
    plan = parse_plan_bytes(build_docx(header, rows), "task_list.docx")
    warning = next(w for w in plan.warnings if "has no number" in w.message)
    assert warning.location is not None
    assert warning.location.kind == TABLE_ROW
    assert warning.location.line == 10  # header is row 1, task 9 is row 10
    assert warning.render().startswith("Table row 10, column 3 (重点项目和应用场景): ")


def test_xlsx_locations_are_sheet_rows() -> None:
    header, rows = seed_rows()
    plan = parse_plan_bytes(build_xlsx(header, rows), "task_list.xlsx")
    warning = next(w for w in plan.warnings if "has no number" in w.message)
    assert warning.location is not None
    assert warning.location.kind == SHEET_ROW
    assert warning.location.line == 11  # title in row 1, header in row 2
    assert warning.render().startswith("Row 11, column C (重点项目和应用场景): ")


def test_format_detected_from_content_not_name() -> None:
    header, rows = seed_rows()
    plan = parse_plan_bytes(build_xlsx(header, rows), "upload.txt")
    assert plan.source_format == "xlsx"
    assert len(plan.tasks) == 95


def test_text_export_in_gb18030() -> None:
    data = seed_bytes().decode("utf-8").encode("gb18030")
    plan = parse_plan_bytes(data, "task_list.txt")
    assert len(plan.tasks) == 95


def test_text_export_in_utf16_with_crlf() -> None:
    data = seed_bytes().decode("utf-8").replace("\n", "\r\n").encode("utf-16")
    plan = parse_plan_bytes(data, "task_list.txt")
    assert len(plan.tasks) == 95
    assert plan.tasks[2].units[-1] == "区文化旅游局"


def test_text_rows_on_one_line_each() -> None:
    header = "\t序号\t领域\t重点项目和应用场景\t具体任务\t责任单位\n"
    rows = (
        "\t1\t（一）感知\t1、网络\t（1）建成3500个5G基站。\t区科委、各街镇\n"
        "\t2\t\t\t（2）政务网络带宽达40G-100G。\t区行政服务中心\n"
    )
    plan = parse_plan_bytes((header + rows).encode(), "one_line.txt")
    assert [t.seq for t in plan.tasks] == [1, 2]
    assert plan.tasks[1].key_project.title == "网络"
    assert plan.tasks[1].indicators[0].value_max == 100
