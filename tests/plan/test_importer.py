"""Importing the task list: counts, unit resolution, idempotence, revisions, atomicity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from citybase.core.audit import AuditEntry
from citybase.core.errors import Conflict
from citybase.core.i18n import gettext_, use_locale
from citybase.core.units import Unit
from citybase.plan import queries
from citybase.plan.import_errors import PlanImportError
from citybase.plan.models import (
    Indicator, KeyProject, PlanImport, QualitativeTarget, Section, Task, TaskRevision, TaskUnit,
)
from tests.plan.conftest import import_file, seed_data
from tests.plan.parsing.seed_files import build_docx, build_xlsx, seed_rows


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def task(session, seq: int) -> Task:
    return session.scalar(select(Task).where(Task.seq == seq))


def revised(old: str, new: str) -> bytes:
    text = seed_data().decode("utf-8")
    assert old in text
    return text.replace(old, new).encode("utf-8")


def test_seed_import_counts(db, imported) -> None:
    assert count(db, Section) == 6
    assert count(db, KeyProject) == 34
    assert count(db, Task) == 95
    assert count(db, Indicator) == 23
    assert count(db, QualitativeTarget) == 9
    assert count(db, PlanImport) == 1
    assert count(db, TaskRevision) == 0
    assert imported.counts == {
        "sections": 6, "key_projects": 34, "tasks": 95, "units": 52, "placeholders": 3, "indicators": 23,
        "qualitative_targets": 9,
    }
    assert len(imported.created) == 95
    assert imported.new_units == []
    assert len(imported.warnings) == 5


def test_summary_and_overview_count_the_same_units(db, imported) -> None:
    # 58 names are written; 区人社局, 区经委（金融办） and 各相关街镇 are aliases, and
    # 各街镇, 相关街镇 and 各街道 are placeholders, so 52 unit records plus 3 placeholders.
    with db.session() as session:
        data = queries.overview(session)
        assert (data.unit_count, data.placeholder_count) == (52, 3)
        assert len(data.units) == 55
    assert (imported.counts["units"], imported.counts["placeholders"]) == (52, 3)
    again = import_file(db, seed_data())
    assert (again.counts["units"], again.counts["placeholders"]) == (52, 3)


def test_sections_and_key_projects_stored(db, imported) -> None:
    with db.session() as session:
        sections = list(session.scalars(select(Section).order_by(Section.seq)))
        assert [s.label for s in sections] == ["（一）", "（二）", "（三）", "（四）", "（五）", None]
        assert sections[5].title == "保障措施"
        twin = session.scalar(select(KeyProject).where(KeyProject.title == "探索构建数字孪生城市"))
        assert (twin.number, twin.label, twin.number_inferred, twin.seq) == (5, None, True, 5)
        assert [kp.number for kp in sections[5].key_projects] == [1, 2, 3, 4, 5, 6, 7]


def test_units_resolved_to_records(db, imported) -> None:
    with db.session() as session:
        hr = task(session, 82)
        assert [link.name_as_written for link in hr.units] == ["区人社局"]
        assert hr.lead_unit.name == "区人力资源社会保障局"
        assert hr.units[0].unit.code == "310114-D030"

        first = task(session, 1)
        assert [(l.name_as_written, l.role, l.unit.code) for l in first.units] == [
            ("区科委", "lead", "310114-D002"), ("各街镇", "cooperator", "310114-P01"),
        ]
        finance = task(session, 67).units[2]
        assert (finance.name_as_written, finance.unit.name) == ("区经委（金融办）", "区经委")
        assert task(session, 4).units[2].unit.code == "310114-P02"  # 各相关街镇 is 相关街镇
        unresolved = session.scalar(select(func.count()).select_from(TaskUnit).where(TaskUnit.unit_id.is_(None)))
        assert unresolved == 0


def test_indicators_stored(db, imported) -> None:
    with db.session() as session:
        racks = task(session, 5).indicators[0]
        assert (racks.comparator, racks.value, racks.value_max, racks.unit) == ("range", 20000, 30000, "架")
        assert racks.aspirational is True
        assert racks.cumulative is True
        output = task(session, 23).indicators[0]
        assert (output.comparator, output.value, output.unit) == ("~", Decimal("300000000000"), "元")
        assert [t.text for t in task(session, 1).qualitative_targets] == ["光网全覆盖"]


def test_same_file_again_changes_nothing(db, imported) -> None:
    audit_before = count(db, AuditEntry)
    again = import_file(db, seed_data())
    assert again.changed is False
    assert again.import_id is None
    assert again.created == []
    assert again.updated == []
    assert again.unchanged == 95
    assert count(db, PlanImport) == 1
    assert count(db, AuditEntry) == audit_before


def test_revised_file_updates_in_place(db, imported) -> None:
    with db.session() as session:
        indicator_id = task(session, 3).indicators[0].id
        task_id = task(session, 3).id

    data = revised("全区物联感知终端数量达22万个", "全区物联感知终端数量达25万个")
    data = data.decode().replace("区生态环境局、区文化旅游局等", "区生态环境局").encode()
    summary = import_file(db, data, "task_list_v2.txt")

    assert summary.changed is True
    assert summary.updated == [3]
    assert summary.created == []
    with db.session() as session:
        changed = task(session, 3)
        assert changed.id == task_id
        assert changed.indicators[0].id == indicator_id
        assert changed.indicators[0].value == 250000
        assert [l.name_as_written for l in changed.units][-1] == "区生态环境局"
        [revision] = changed.revisions
        assert revision.import_id == summary.import_id
        assert revision.actor_name == "office"
        assert set(revision.changes) == {"text", "units", "indicators"}
        assert revision.changes["indicators"][0][0]["value"] == "220000"
        assert revision.changes["indicators"][1][0]["value"] == "250000"
        assert revision.changes["units"][1][-1] == "区生态环境局"
        record = session.get(PlanImport, summary.import_id)
        assert record.file_name == "task_list_v2.txt"
        assert record.summary["updated"] == [3]


def test_revised_section_title_records_task_changes(db, imported) -> None:
    data = revised("（五）“标杆示范”试点实践探索未来样板", "（五）“标杆示范”试点实践打造未来样板")
    summary = import_file(db, data)
    assert summary.updated == [71, 72, 73, 74, 75]
    with db.session() as session:
        section = session.scalar(select(Section).where(Section.seq == 5))
        assert section.title == "“标杆示范”试点实践打造未来样板"
        revision = task(session, 71).revisions[0]
        assert revision.changes == {
            "section": ["（五）“标杆示范”试点实践探索未来样板", "（五）“标杆示范”试点实践打造未来样板"],
        }


def test_malformed_file_imports_nothing(db) -> None:
    data = revised("\t3\n", "\t三\n")
    with pytest.raises(PlanImportError) as caught:
        import_file(db, data)
    error = caught.value
    assert error.status == 400
    assert error.params["count"] == 1
    [field] = error.errors
    assert field.field == "第23行第1列（序号）"
    assert field.value == "三"
    assert count(db, Task) == 0
    assert count(db, Section) == 0
    assert count(db, PlanImport) == 0


def test_row_without_units_cell_names_line_and_column_in_chinese(db, imported) -> None:
    text = seed_data().decode("utf-8")
    start = text.index("\t3\n")
    end = text.index("\t4\n")
    row = text[start:end]
    cut = row[: row.rindex("\t")] + "\n"  # the row loses its last cell, 责任单位
    with pytest.raises(PlanImportError) as caught:
        import_file(db, (text[:start] + cut + text[end:]).encode("utf-8"))
    [field] = caught.value.errors
    assert field.field == "第23行第5列（责任单位）"
    with use_locale("zh_CN"):
        message = gettext_(field.message, **field.params)
    assert message.startswith("此行只有4个单元格，缺少“责任单位”列；应与表头一致，共5个单元格")
    assert count(db, Task) == 95
    assert count(db, PlanImport) == 1
    with db.session() as session:
        assert task(session, 3).lead_unit is not None


@pytest.mark.parametrize(("name", "expected"), [
    ("清单.docx", "文件不是有效的 Word 文档（.docx）"), ("清单.xlsx", "文件不是有效的 Excel 工作簿（.xlsx）"),
])
def test_garbage_office_file_gets_chinese_error(db, name: str, expected: str) -> None:
    with pytest.raises(PlanImportError) as caught:
        import_file(db, bytes(range(256)) * 8, name)
    [field] = caught.value.errors
    with use_locale("zh_CN"):
        message = gettext_(field.message, **field.params)
    assert message.startswith(expected)
    assert "重新另存为" in message
    assert count(db, Task) == 0


def test_malformed_revision_keeps_old_plan(db, imported) -> None:
    data = revised("\t94\n", "\t93\n")
    with pytest.raises(PlanImportError):
        import_file(db, data)
    assert count(db, Task) == 95
    assert count(db, PlanImport) == 1


def test_missing_tasks_need_allow_removals(db, imported) -> None:
    text = seed_data().decode()
    cut = text[: text.index("\t95\n")]
    with pytest.raises(Conflict) as caught:
        import_file(db, cut.encode())
    assert caught.value.params["seqs"] == "95"
    assert count(db, Task) == 95

    summary = import_file(db, cut.encode(), allow_removals=True)
    assert summary.removed == [95]
    assert count(db, Task) == 94


def test_removed_section_and_key_projects_deleted(db, imported) -> None:
    text = seed_data().decode()
    cut = text[: text.index("\t76\n")]
    summary = import_file(db, cut.encode(), allow_removals=True)
    assert summary.removed == list(range(76, 96))
    assert count(db, Section) == 5
    assert count(db, KeyProject) == 27


def test_unknown_unit_created_with_warning(db, imported) -> None:
    summary = import_file(db, revised("→区气象局".replace("→", "\t"), "\t区数据局"))
    assert summary.new_units == [{"code": "310114-D048", "name": "区数据局"}]
    warning = summary.warnings[-1]
    assert warning.params == {"name": "区数据局", "code": "310114-D048"}
    with db.session() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "310114-D048"))
        assert unit.name == "区数据局"
        assert task(session, 58).lead_unit_id == unit.id


def test_progress_reported_per_task(db) -> None:
    seen: list[tuple[int, int]] = []
    import_file(db, seed_data(), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (1, 95)
    assert seen[-1] == (95, 95)
    assert len(seen) == 95


@pytest.mark.parametrize("builder", [build_docx, build_xlsx], ids=["docx", "xlsx"])
def test_word_and_excel_import_like_text(db, imported, builder) -> None:
    header, rows = seed_rows()
    name = "task_list.docx" if builder is build_docx else "task_list.xlsx"
    again = import_file(db, builder(header, rows, True), name)
    assert again.changed is False
    assert again.file_format == name.rsplit(".", 1)[1]


def test_import_is_audited(db, imported) -> None:
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.table == "plan_tasks")).all()
        assert len(entries) == 95
        assert {entry.actor_name for entry in entries} == {"office"}
        assert all(entry.action == "insert" for entry in entries)
