"""Malformed files raise one PlanFileError naming every problem, with where and what."""

from __future__ import annotations

import io

import docx
import pytest

from citybase.plan.parsing import PlanFileError, parse_plan_bytes
from docx.oxml.ns import qn

from citybase.plan.parsing.issues import SHEET_ROW, TABLE_ROW

from .seed_files import build_docx, build_xlsx, seed_rows

HEADER = "附件\n\n任务清单\n\t序号\n\t领域\n\t重点项目和应用场景\n\t具体任务（数据、成效、出台政策等量化指标）\n\t责任单位\n\n"


def _row(seq: str, section: str, key_project: str, task: str, units: str) -> str:
    return f"\t{seq}\n\t{section}\n\t{key_project}\n\t{task}\n\t{units}\n\n"


GOOD_ROWS = [
    ("1", "（一）感知", "1、网络", "（1）建成3500个5G基站。", "区科委、各街镇"),
    ("2", "", "", "（2）政务网络带宽达40G-100G。", "区行政服务中心"),
    ("3", "", "2、终端", "（1）全区物联感知终端数量达22万个。", "区城运中心"),
]


def _text(rows: list[tuple[str, ...]]) -> bytes:
    return (HEADER + "".join(_row(*row) for row in rows)).encode()


def _issues(data: bytes, name: str = "list.txt") -> list:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_bytes(data, name)
    assert caught.value.source == name
    return list(caught.value.issues)


def test_good_rows_parse() -> None:
    plan = parse_plan_bytes(_text(GOOD_ROWS), "list.txt")
    assert [t.seq for t in plan.tasks] == [1, 2, 3]
    assert plan.title == "任务清单"


def test_row_with_fewer_cells() -> None:
    text = HEADER + _row(*GOOD_ROWS[0]) + "\t2\n\t\n\t\n\t（2）政务网络带宽达40G-100G。\n\n" + _row(*GOOD_ROWS[2])
    [issue] = _issues(text.encode())
    assert issue.params["found"] == 4
    assert issue.params["expected"] == 5
    assert issue.params["missing"] == "责任单位"
    assert issue.params["columns"] == "序号、领域、重点项目和应用场景、具体任务、责任单位"
    location = issue.location
    assert (location.line, location.column, location.column_name) == (16, 5, "责任单位")
    assert issue.render() == (
        "Line 16, column 5 (责任单位): This row has 4 cells, so the column 责任单位 has no cell; "
        "expected 5 cells as in the header row (序号、领域、重点项目和应用场景、具体任务、责任单位). "
        "Add the missing cell; in a plain-text file every cell starts with a tab."
    )


def test_short_first_row_reported_once() -> None:
    """The rows after a short first row still take its section and key project, so only the short row is reported."""
    text = HEADER + "\t1\n\t（一）感知\n\t1、网络\n\t（1）建成3500个5G基站。\n\n" + "".join(_row(*row) for row in GOOD_ROWS[1:])
    [issue] = _issues(text.encode())
    assert issue.params["missing"] == "责任单位"
    assert issue.location.line == 10


def test_docx_row_with_a_cell_removed_names_the_column() -> None:
    header, rows = seed_rows()
    document = docx.Document(io.BytesIO(build_docx(header, rows)))
    table = document.tables[0]
    row = table.rows[3]._tr
    cells = row.findall(qn("w:tc"))
    row.remove(cells[-1])
    cells[-2].get_or_add_tcPr()  # the row now ends at 具体任务
    buffer = io.BytesIO()
    document.save(buffer)
    [issue] = _issues(buffer.getvalue(), "list.docx")
    assert issue.location.kind == TABLE_ROW
    assert (issue.location.line, issue.location.column, issue.location.column_name) == (4, 5, "责任单位")
    assert issue.params["missing"] == "责任单位"
    assert issue.render().startswith("Table row 4, column 5 (责任单位): This row has 4 cells")


def test_xlsx_row_without_units_names_the_column() -> None:
    header, rows = seed_rows()
    rows[2][4] = [""]
    [issue] = _issues(build_xlsx(header, rows), "list.xlsx")
    assert issue.render() == (
        "Row 5, column E (责任单位): No responsible unit; expected at least one unit name in 责任单位."
    )


@pytest.mark.parametrize("name", ["list.docx", "list.xlsx"])
@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"PK\x03\x04garbage" + bytes(200), "任务清单".encode()])
def test_garbage_office_file_says_it_is_not_that_format(name: str, data: bytes) -> None:
    [issue] = _issues(data, name)
    kind = "Word document (.docx)" if name.endswith(".docx") else "Excel workbook (.xlsx)"
    assert issue.message.startswith(f"The file is not a valid {kind}")
    assert "save it again" in issue.message
    assert "not text" not in issue.message


@pytest.mark.parametrize("name", ["list.docx", "list.xlsx"])
def test_zip_that_is_not_office_named_as_office(name: str) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    [issue] = _issues(buffer.getvalue(), name)
    assert issue.message.startswith("The file is not a valid ")
    assert name.rsplit(".", 1)[1] in issue.message


def test_sequence_not_a_number() -> None:
    rows = [GOOD_ROWS[0], ("二", *GOOD_ROWS[1][1:]), GOOD_ROWS[2]]
    [issue] = _issues(_text(rows))
    assert issue.message == "The sequence number is “{value}”; expected a whole number."
    assert issue.value == "二"
    assert (issue.location.line, issue.location.column, issue.location.column_name) == (16, 1, "序号")
    assert issue.render() == "Line 16, column 1 (序号): The sequence number is “二”; expected a whole number."


def test_sequence_goes_backwards_and_repeats() -> None:
    rows = [GOOD_ROWS[0], ("1", *GOOD_ROWS[1][1:]), ("0", *GOOD_ROWS[2][1:])]
    issues = _issues(_text(rows))
    assert [issue.value for issue in issues] == ["1", "0"]
    assert all(issue.params["previous"] == 1 for issue in issues)
    assert [issue.location.line for issue in issues] == [16, 22]


def test_all_issues_of_a_file_reported_together() -> None:
    rows = [
        ("x", *GOOD_ROWS[0][1:]),
        ("2", "", "", "", "区行政服务中心"),
        ("3", "", "2、终端", "（1）全区物联感知终端数量达22万个。", "、"),
    ]
    issues = _issues(_text(rows))
    assert [issue.location.column_name for issue in issues] == ["序号", "具体任务（数据、成效、出台政策等量化指标）", "责任单位"]
    # Each issue names the line of its own cell: rows start at lines 10, 16 and 22.
    assert [issue.location.line for issue in issues] == [10, 19, 26]


def test_first_row_without_section() -> None:
    rows = [("1", "", "1、网络", "（1）建成3500个5G基站。", "区科委")]
    [issue] = _issues(_text(rows))
    assert issue.location.column == 2
    assert "section" in issue.message


def test_new_section_without_key_project() -> None:
    rows = [GOOD_ROWS[0], ("2", "（二）经济", "", "（1）打造1个行业高质量数据集。", "区经委")]
    [issue] = _issues(_text(rows))
    assert issue.location.column == 3
    assert issue.location.line == 18


def test_no_header_row() -> None:
    data = "\t1\n\t（一）感知\n\t1、网络\n\t（1）建成。\n\t区科委\n".encode()
    [issue] = _issues(data)
    assert issue.message.startswith("No header row found")
    assert issue.params["expected"] == "序号、领域、重点项目和应用场景、具体任务、责任单位"


def test_text_without_any_table() -> None:
    [issue] = _issues("嘉定区城市数字化转型行动方案\n没有表格。\n".encode())
    assert issue.message.startswith("No table found")


def test_header_without_rows() -> None:
    [issue] = _issues(HEADER.encode())
    assert issue.message == "The table has a header row but no tasks."


def test_empty_file() -> None:
    [issue] = _issues(b"")
    assert issue.message == "The file is empty."
    [issue] = _issues(b"  \n\n")
    assert issue.message == "The file is empty."


def test_binary_garbage_in_txt() -> None:
    [issue] = _issues(bytes(range(256)) * 4)
    assert issue.message.startswith("The file is not text") or issue.message.startswith("The file contains binary data")


def test_nul_bytes_in_txt() -> None:
    data = HEADER.encode() + b"\t1\x00\x01\n"
    [issue] = _issues(data)
    assert issue.message.startswith("The file contains binary data")
    assert issue.params["code"] == 0
    assert issue.location.line == 10


def test_old_binary_office_file() -> None:
    [issue] = _issues(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100, "list.doc")
    assert ".docx" in issue.message


def test_docx_without_table() -> None:
    document = docx.Document()
    document.add_paragraph("嘉定区城市数字化转型行动方案")
    buffer = io.BytesIO()
    document.save(buffer)
    [issue] = _issues(buffer.getvalue(), "list.docx")
    assert issue.message == "The Word document contains no table; expected the task list as a table."


def test_docx_table_without_header() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "电话"
    buffer = io.BytesIO()
    document.save(buffer)
    [issue] = _issues(buffer.getvalue(), "list.docx")
    assert issue.message.startswith("No header row found")


def test_xlsx_header_missing_task_column() -> None:
    header, rows = seed_rows()
    del header[3]
    rows = [row[:3] + row[4:] for row in rows]
    [issue] = _issues(build_xlsx(header, rows), "list.xlsx")
    assert issue.message.startswith("The header row has no {column} column")
    assert issue.params["column"] == "具体任务"
    assert issue.location.kind == SHEET_ROW
    assert issue.location.line == 2
    assert issue.render().startswith("Row 2: The header row has no 具体任务 column")


def test_xlsx_bad_sequence_names_cell() -> None:
    header, rows = seed_rows()
    rows[4][0] = ["5a"]
    [issue] = _issues(build_xlsx(header, rows), "list.xlsx")
    assert issue.render() == "Row 7, column A (序号): The sequence number is “5a”; expected a whole number."


def test_zip_that_is_not_office() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    [issue] = _issues(buffer.getvalue(), "list.zip")
    assert "ZIP" in issue.message


def test_error_message_lists_issues() -> None:
    rows = [("x", *GOOD_ROWS[0][1:]), ("y", *GOOD_ROWS[1][1:])]
    with pytest.raises(PlanFileError) as caught:
        parse_plan_bytes(_text(rows), "list.txt")
    assert str(caught.value).startswith("list.txt: Line 10, column 1 (序号): The sequence number is “x”")
    assert "Line 16, column 1" in str(caught.value)


def test_translated_render() -> None:
    rows = [("x", *GOOD_ROWS[0][1:])]
    [issue] = _issues(_text(rows))
    catalogue = {
        "Line {line}, column {column} ({column_name}): ": "第{line}行第{column}列（{column_name}）：",
        "The sequence number is “{value}”; expected a whole number.": "序号为“{value}”，应为整数。",
    }
    assert issue.render(lambda msgid: catalogue.get(msgid, msgid)) == "第10行第1列（序号）：序号为“x”，应为整数。"
