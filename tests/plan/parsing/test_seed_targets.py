"""Every quantified and full-coverage target of the district's 95 tasks, spelled out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from citybase.plan.parsing import Comparator, ParsedIndicator, ParsedPlan, parse_plan_bytes

from .seed_files import seed_bytes

EQ, GE, GT, ABOUT, RANGE = Comparator.REACH, Comparator.AT_LEAST, Comparator.MORE_THAN, Comparator.ABOUT, Comparator.RANGE


def ind(
    text: str, metric: str, comparator: Comparator, value: str, unit: str,
    value_max: str | None = None, aspirational: bool = False, cumulative: bool = False,
) -> ParsedIndicator:
    return ParsedIndicator(
        text, metric, comparator, Decimal(value), Decimal(value_max) if value_max else None,
        unit, aspirational, cumulative,
    )


# Task 3: 力争 comes after the number ("…达22万个，力争全量接入…"), so it does not qualify it.
# Task 13: opening roads "覆盖全区463平方公里" is a measurable target (the district is
# about 463 km²), so it is kept as an area, counted on 道路.
# Task 71: "“嘉定标准”1.0版" names the edition of a standard, not a count: no indicator.
EXPECTED_INDICATORS: dict[int, list[ParsedIndicator]] = {
    1: [
        ind("建成3500个5G基站", "5G基站", EQ, "3500", "个"),
        ind("固定宽带平均可用下载速率达120Mbps", "固定宽带平均可用下载速率", EQ, "120", "Mbps"),
        ind("5G网络移动宽带平均下载速率达500Mbps", "5G网络移动宽带平均下载速率", EQ, "500", "Mbps"),
    ],
    2: [ind("政务网络带宽达40G-100G", "政务网络带宽", RANGE, "40", "G", value_max="100")],
    3: [ind("全区物联感知终端数量达22万个", "全区物联感知终端数量", EQ, "220000", "个")],
    5: [
        ind(
            "力争存算一体数据中心机架数累计达2-3万架", "存算一体数据中心机架数", RANGE, "20000", "架",
            value_max="30000", aspirational=True, cumulative=True,
        )
    ],
    11: [ind("打造1个行业高质量数据集", "行业高质量数据集", EQ, "1", "个")],
    12: [
        ind("超过150台自动驾驶出租车", "自动驾驶出租车", GT, "150", "台"),
        ind("运行各类车辆总数不少于100台", "运行各类车辆总数", GE, "100", "台"),
        ind("不少于200辆的融合示范规模", "融合示范规模", GE, "200", "辆"),
    ],
    13: [ind("覆盖全区463平方公里道路的开放", "道路", EQ, "463", "平方公里")],
    17: [
        ind("发展10个工业互联网专业服务商", "工业互联网专业服务商", EQ, "10", "个"),
        ind("集聚100家工业互联网相关企业", "工业互联网相关企业", EQ, "100", "家"),
    ],
    19: [ind("10家直播和短视频基地", "直播和短视频基地", EQ, "10", "家")],
    23: [ind("在线新经济总产出达到3000亿元左右", "在线新经济总产出", ABOUT, "300000000000", "元")],
    28: [ind("5家以上区管国资国企", "区管国资国企", GE, "5", "家")],
    32: [ind("嘉定新城核心区公交实时到站信息发布率达100%", "嘉定新城核心区公交实时到站信息发布率", EQ, "100", "%")],
    38: [
        ind("打造1个数字化示范旅游景区", "数字化示范旅游景区", EQ, "1", "个"),
        ind("建设1家“30秒入住、0秒退房”的数字化示范宾馆", "数字化示范宾馆", EQ, "1", "家"),
    ],
    44: [ind("培育6个左右信息化标杆校", "信息化标杆校", ABOUT, "6", "个")],
    46: [ind("不少于50家“我嘉·邻里中心”", "我嘉·邻里中心", GE, "50", "家")],
    47: [ind("成功创建示范点1家", "示范点", EQ, "1", "家")],
    51: [ind("“一网通办”平台实际办件网办比例不低于80%", "“一网通办”平台实际办件网办比例", GE, "80", "%")],
}

EXPECTED_QUALITATIVE: dict[int, list[str]] = {
    1: ["光网全覆盖"],
    9: ["新建规模化楼宇BIM全覆盖"],
    24: ["特色农业基地物联网全覆盖"],
    33: ["区域内互联网医院全覆盖"],
    34: ["实施医疗收费电子票据全覆盖"],
    47: ["社区全覆盖"],
    57: ["下立交监控全覆盖"],
    60: ["民防工程神经元系统逐步全覆盖"],
    62: ["全区工地监管全覆盖"],
}


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_plan_bytes(seed_bytes(), "task_list.txt")


@pytest.mark.parametrize("seq", range(1, 96))
def test_task_indicators(plan: ParsedPlan, seq: int) -> None:
    assert plan.tasks[seq - 1].indicators == EXPECTED_INDICATORS.get(seq, [])


@pytest.mark.parametrize("seq", range(1, 96))
def test_task_qualitative_targets(plan: ParsedPlan, seq: int) -> None:
    assert plan.tasks[seq - 1].qualitative_targets == EXPECTED_QUALITATIVE.get(seq, [])


def test_indicator_totals(plan: ParsedPlan) -> None:
    assert sum(len(task.indicators) for task in plan.tasks) == 23
    assert sum(1 for task in plan.tasks if task.indicators) == 17
    assert sum(len(task.qualitative_targets) for task in plan.tasks) == 9


def test_values_are_exact_decimals(plan: ParsedPlan) -> None:
    online_economy = plan.tasks[22].indicators[0]
    assert str(online_economy.value) == "300000000000"
    racks = plan.tasks[4].indicators[0]
    assert (str(racks.value), str(racks.value_max)) == ("20000", "30000")
