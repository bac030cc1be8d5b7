"""Width folding, stray spaces, mixed punctuation and line joins."""

from __future__ import annotations

import pytest

from citybase.plan.parsing.text import canonical_key, clean_text, join_lines


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("推动企业积极进行适老化和无障碍改  造。", "推动企业积极进行适老化和无障碍改造。"),
        ("打造 5G+4K 云上市民艺术课堂。", "打造5G+4K云上市民艺术课堂。"),
        ("资源匹配 “一键可寻”的数据", "资源匹配“一键可寻”的数据"),
        ("建成３５００个５Ｇ基站", "建成3500个5G基站"),
        ("达１００％", "达100%"),
        ("实施双千兆,全面推进;建成", "实施双千兆，全面推进；建成"),
        ("(1)实施计划", "（1）实施计划"),
        ("首台(套)装备", "首台（套）装备"),
        ('实施"双千兆"计划', "实施“双千兆”计划"),
        ("建成2,000个", "建成2,000个"),
        ("Smart  City 平台", "Smart City平台"),
        ("\u3000区科委\u200b ", "区科委"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_join_lines_without_space_in_chinese() -> None:
    assert join_lines(["4、建设区大数据", "", "资源平台"]) == "4、建设区大数据资源平台"


def test_join_lines_keeps_space_between_latin_words() -> None:
    assert join_lines(["Smart", "City"]) == "Smart City"


def test_canonical_key_ignores_width_space_and_quotes() -> None:
    assert canonical_key("（一）“全域感知” 要素") == canonical_key("(一)\"全域感知\"要素")
