"""The district's task list, read from its plain-text export."""

from __future__ import annotations

import pytest

from citybase.plan.parsing import ParsedPlan, parse_plan_bytes

from .seed_files import TITLE, seed_bytes


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_plan_bytes(seed_bytes(), "task_list.txt")


def test_seed_counts(plan: ParsedPlan) -> None:
    assert plan.title == TITLE
    assert plan.source_format == "txt"
    assert len(plan.tasks) == 95
    assert [task.seq for task in plan.tasks] == list(range(1, 96))
    assert len(plan.sections) == 6
    assert len(plan.key_projects) == 34


def test_sections(plan: ParsedPlan) -> None:
    headings = [section.heading for section in plan.sections]
    assert headings == [
        "（一）“全域感知”要素数字化构建新框架",
        "（二）“全产增益”经济数字化形成新供给",
        "（三）“全景赋能”生活数字化满足新需求",
        "（四）“全时响应”治理数字化提升软实力",
        "（五）“标杆示范”试点实践探索未来样板",
        "保障措施",
    ]
    assert [section.number for section in plan.sections] == [1, 2, 3, 4, 5, None]
    assert plan.sections[5].label is None
    assert [len(section.key_projects) for section in plan.sections] == [5, 6, 8, 6, 2, 7]


def test_tasks_per_section(plan: ParsedPlan) -> None:
    counts = [sum(1 for t in plan.tasks if t.section is section) for section in plan.sections]
    assert counts == [10, 18, 22, 20, 5, 20]


def test_section_repeated_after_page_break(plan: ParsedPlan) -> None:
    # Rows 24, 37, 67 and 82 write their section again; they stay in that section.
    by_seq = {task.seq: task for task in plan.tasks}
    assert by_seq[24].section is by_seq[23].section
    assert by_seq[37].section is by_seq[36].section
    assert by_seq[67].section is by_seq[66].section
    assert by_seq[82].section is by_seq[81].section


def test_key_project_repeated_after_page_break(plan: ParsedPlan) -> None:
    by_seq = {task.seq: task for task in plan.tasks}
    assert by_seq[82].key_project is by_seq[80].key_project
    assert by_seq[82].key_project.title == "引导多元主体参与"
    assert by_seq[82].sub_number == 3


def test_key_project_numbers_arabic_then_chinese(plan: ParsedPlan) -> None:
    numbered = [kp.number for section in plan.sections[:5] for kp in section.key_projects]
    assert numbered == list(range(1, 28))
    assert [kp.number for kp in plan.sections[5].key_projects] == list(range(1, 8))
    assert [kp.label for kp in plan.sections[5].key_projects][:2] == ["（一）", "（二）"]


def test_key_project_without_number(plan: ParsedPlan) -> None:
    twin = plan.tasks[8].key_project
    assert twin.title == "探索构建数字孪生城市"
    assert twin.number == 5
    assert twin.label is None
    assert twin.number_inferred is True
    warnings = [w for w in plan.warnings if "has no number" in w.message]
    assert len(warnings) == 1
    assert warnings[0].params == {"value": "探索构建数字孪生城市", "number": 5}
    assert warnings[0].location is not None
    assert warnings[0].location.line == 71
    assert warnings[0].location.column == 3


def test_key_project_broken_across_lines(plan: ParsedPlan) -> None:
    assert plan.tasks[6].key_project.title == "建设区大数据资源平台"
    assert plan.tasks[70].key_project.title == "打造嘉定未来·智慧出行示范区"
    assert plan.tasks[70].key_project.number == 26


def test_task_fields(plan: ParsedPlan) -> None:
    first = plan.tasks[0]
    assert first.seq == 1
    assert first.line == 11
    assert first.sub_number == 1
    assert first.text.startswith("实施“双千兆宽带城市加速度计划”，全面推进5G、WLAN等建设")
    assert first.text.endswith("5G网络移动宽带平均下载速率达500Mbps。")
    assert first.section_no == 1
    assert first.section_title == "“全域感知”要素数字化构建新框架"
    assert first.key_project_no == 1
    assert first.key_project_title == "搭建快速高效的全域连接网络"


def test_sub_numbers_restart_per_key_project(plan: ParsedPlan) -> None:
    assert [t.sub_number for t in plan.tasks[:10]] == [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]
    assert [t.sub_number for t in plan.tasks[16:23]] == [1, 2, 1, 2, 3, 4, 5]


def test_stray_spaces_removed(plan: ParsedPlan) -> None:
    assert "无障碍改造" in plan.tasks[35].text
    assert "信息化、科技化、智能化" in plan.tasks[64].text
    assert "资源匹配“一键可寻”" in plan.tasks[69].text
    assert "打造5G+4K云上市民艺术课堂" in plan.tasks[36].text
    assert "  " not in "".join(task.text for task in plan.tasks)


@pytest.mark.parametrize(
    ("seq", "units"),
    [
        (1, ["区科委", "各街镇"]),
        (3, ["区城运中心", "公安嘉定分局", "区水务局", "区绿化市容局", "区生态环境局", "区文化旅游局"]),
        (4, ["区城运中心", "公安嘉定分局", "各相关街镇"]),
        (6, ["徐行镇", "外冈镇", "嘉定工业区", "相关街镇"]),
        (25, ["区农业农村委", "外冈镇", "华亭镇", "相关街镇"]),
        (26, ["区农业农村委", "嘉定工业区", "相关街镇"]),
        (54, ["区城运中心", "各街道"]),
        (67, ["区市场监管局", "区发展改革委", "区经委（金融办）"]),
        (78, ["区数字办", "区城市数字化转型工作领导小组成员单位"]),
        (82, ["区人社局"]),
        (90, ["区人才办", "区人力资源社会保障局"]),
        (91, ["区委组织部", "区人力资源社会保障局", "区房管局", "区卫生健康委", "区文化旅游局", "区体育局"]),
    ],
)
def test_seed_units(plan: ParsedPlan, seq: int, units: list[str]) -> None:
    task = plan.tasks[seq - 1]
    assert task.units == units
    assert task.lead_unit == units[0]


def test_deng_warnings(plan: ParsedPlan) -> None:
    written = [w.params["written"] for w in plan.warnings if "written" in w.params]
    assert written == ["区文化旅游局等", "嘉定工业区等相关街镇", "华亭镇等相关街镇", "嘉定工业区等相关街镇"]


def test_seed_has_no_other_warnings(plan: ParsedPlan) -> None:
    assert len(plan.warnings) == 5
