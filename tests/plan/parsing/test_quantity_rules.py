"""What the quantity parser counts as a target, and what it leaves alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from citybase.plan.parsing.quantities import extract_indicators
from citybase.plan.parsing.results import Comparator


def one(text: str):
    indicators = extract_indicators(text)
    assert len(indicators) == 1, indicators
    return indicators[0]


@pytest.mark.parametrize(
    "text",
    [
        "实施2021-2023年行动方案。",
        "到2023年底，完成建设。",
        "全面推进5G、WLAN等建设，推动5G全面部署。",
        "打造5G+4K云上市民艺术课堂。",
        "实现V2X通信及自动驾驶协同感知。",
        "推进MEMS中试研发线建设。",
        "实施“双千兆宽带城市加速度计划”。",
        "实施百万家庭网速托底行动。",
        "推动万兆到楼、千兆到户的光网全覆盖。",
        "基于“一网双平面”架构优化政务网络。",
        "为“一网通办”与“一网统管”协同应用提供保障。",
        "构建覆盖15分钟社区生活圈的智能末端配送体系。",
        "建设1家“30秒入住、0秒退房”的数字化示范宾馆。".replace("建设1家", "推广"),
        "打造7×24小时全天候综合响应队伍。",
        "从源头降低“12345”热线咨询投诉量。",
        "降低12345热线咨询量。",
        "实现“一户一证”。",
        "提供长三角“七日无理由退货”信用承诺。",
        "打造区域农业“一图、一网、一库”，一图观三农、一网管全程、一库汇所有。",
        "率先发布智慧交通“嘉定标准”1.0版。",
        "引进和培育一批具有影响力的头部企业。",
        "推进研训教一体、存算一体化。",
        "建立“一人一档、一车一档、一企一档”等数据主题库。",
        "统一系统底图、三维模型等标准规范。",
        "打造外冈万亩水稻生产无人农场。",
        "落实首个应用场景、首台（套）装备等政策。",
        "完成第3批试点。",
        "探索“一环三路”智慧交通深度应用。",
    ],
)
def test_not_a_target(text: str) -> None:
    assert extract_indicators(text) == []


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("建成3500个5G基站。", Comparator.REACH),
        ("覆盖率达到90%。", Comparator.REACH),
        ("建成不少于50家邻里中心。", Comparator.AT_LEAST),
        ("网办比例不低于80%。", Comparator.AT_LEAST),
        ("推动5家以上企业转型。", Comparator.AT_LEAST),
        ("推动5家及以上企业转型。", Comparator.AT_LEAST),
        ("至少建设3个平台。", Comparator.AT_LEAST),
        ("推动超过150台出租车参与示范。", Comparator.MORE_THAN),
        ("集聚100余家企业。", Comparator.MORE_THAN),
        ("产出达到3000亿元左右。", Comparator.ABOUT),
        ("培育6个左右标杆校。", Comparator.ABOUT),
        ("总产出约3000亿元。", Comparator.ABOUT),
        ("办理时限不超过3个工作日。", Comparator.AT_MOST),
        ("响应时间在10分钟以内。", Comparator.AT_MOST),
        ("故障率低于1%。", Comparator.LESS_THAN),
        ("带宽达40G-100G。", Comparator.RANGE),
    ],
)
def test_comparators(text: str, comparator: Comparator) -> None:
    assert one(text).comparator is comparator


def test_trailing_magnitude_applies_to_both_ends() -> None:
    indicator = one("机架数累计达2-3万架。")
    assert (indicator.value, indicator.value_max, indicator.unit) == (20000, 30000, "架")


@pytest.mark.parametrize("dash", ["-", "－", "~", "～", "—", "至", "到"])
def test_range_separators(dash: str) -> None:
    indicator = one(f"力争机架数达2{dash}3万架。")
    assert indicator.comparator is Comparator.RANGE
    assert (indicator.value, indicator.value_max) == (20000, 30000)


def test_range_with_magnitude_on_both_ends() -> None:
    indicator = one("产出达1.5亿-2亿元。")
    assert (indicator.value, indicator.value_max, indicator.unit) == (150_000_000, 200_000_000, "元")


def test_from_to_is_not_a_range() -> None:
    indicator = one("覆盖率从50%提高到80%。")
    assert indicator.comparator is Comparator.REACH
    assert indicator.value == 80


def test_aspirational_only_before_number_in_sentence() -> None:
    assert one("力争终端数量达22万个。").aspirational is True
    assert one("终端数量达22万个，力争全量接入。").aspirational is False
    assert one("力争全量接入。终端数量达22万个。").aspirational is False


def test_cumulative_in_clause() -> None:
    assert one("机架数累计达2万架。").cumulative is True
    assert one("累计建成3500个基站。").cumulative is True
    assert one("建成3500个基站，累计投资。").cumulative is False


def test_chinese_numerals() -> None:
    indicator = one("建成三千五百个5G基站。")
    assert (indicator.value, indicator.unit, indicator.metric) == (3500, "个", "5G基站")
    assert one("终端数量达二十二万个。").value == 220000
    assert one("培育两个标杆校。").value == 2
    assert one("产出达一点五万元。").value == 15000


def test_chinese_percent() -> None:
    indicator = one("网办比例不低于百分之八十。")
    assert (indicator.value, indicator.unit, indicator.comparator) == (80, "%", Comparator.AT_LEAST)


def test_full_width_digits_after_cleaning() -> None:
    from citybase.plan.parsing.text import clean_text

    indicator = one(clean_text("建成３５００个５Ｇ基站。"))
    assert indicator.value == 3500


def test_thousands_separator() -> None:
    assert one("建成2,000个基站。").value == 2000


def test_decimal_value_is_exact() -> None:
    indicator = one("产出达到1.25亿元。")
    assert indicator.value == Decimal("125000000")
    assert str(indicator.value) == "125000000"


def test_metric_is_noun_after_unit() -> None:
    indicator = one("推动超过150台自动驾驶出租车参与示范运行。")
    assert indicator.metric == "自动驾驶出租车"
    assert indicator.text == "超过150台自动驾驶出租车"


def test_metric_is_subject_before_verb() -> None:
    indicator = one("持续提升能级，固定宽带平均可用下载速率达120Mbps。")
    assert indicator.metric == "固定宽带平均可用下载速率"
    assert indicator.text == "固定宽带平均可用下载速率达120Mbps"


def test_measure_word_in_longer_word() -> None:
    assert extract_indicators("建设3个人才公寓。") == []
    assert extract_indicators("新增5项目。") == []


def test_several_targets_in_order() -> None:
    text = "发展10个服务商，集聚100家企业，网办比例不低于80%。"
    assert [i.value for i in extract_indicators(text)] == [10, 100, 80]
