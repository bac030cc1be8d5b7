"""Section, key-project and task labels."""

from __future__ import annotations

import pytest

from citybase.plan.parsing.numbering import split_label, split_sub_number


@pytest.mark.parametrize(
    ("heading", "label", "number", "title"),
    [
        ("（一）“全域感知”要素数字化构建新框架", "（一）", 1, "“全域感知”要素数字化构建新框架"),
        ("(五)“标杆示范”试点", "(五)", 5, "“标杆示范”试点"),
        ("保障措施", None, None, "保障措施"),
        ("1、搭建快速高效的全域连接网络", "1、", 1, "搭建快速高效的全域连接网络"),
        ("27、建设嘉宝智慧湾", "27、", 27, "建设嘉宝智慧湾"),
        ("12. 提供未来交通出行服务", "12.", 12, "提供未来交通出行服务"),
        ("（七）营造社会数字氛围", "（七）", 7, "营造社会数字氛围"),
        ("探索构建数字孪生城市", None, None, "探索构建数字孪生城市"),
        ("一网通办平台", None, None, "一网通办平台"),
        ("5G网络建设", None, None, "5G网络建设"),
    ],
)
def test_split_label(heading: str, label: str | None, number: int | None, title: str) -> None:
    parsed = split_label(heading)
    assert (parsed.text, parsed.number, parsed.title) == (label, number, title)


@pytest.mark.parametrize(
    ("text", "number", "rest"),
    [
        ("（1）实施计划", 1, "实施计划"),
        ("(12)实施计划", 12, "实施计划"),
        ("3）实施计划", 3, "实施计划"),
        ("实施计划", None, "实施计划"),
        ("1.0版标准", None, "1.0版标准"),
    ],
)
def test_split_sub_number(text: str, number: int | None, rest: str) -> None:
    assert split_sub_number(text) == (number, rest)
