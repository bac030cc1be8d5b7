"""Splitting a 责任单位 cell into unit names."""

from __future__ import annotations

from citybase.plan.parsing.units import split_units


def test_lines_ending_with_separator() -> None:
    units = split_units(["区城运中心、公安嘉定分局、", "", "区水务局、区绿化市容局、", "", "区生态环境局、区文化旅游局等"])
    assert units.names == ["区城运中心", "公安嘉定分局", "区水务局", "区绿化市容局", "区生态环境局", "区文化旅游局"]
    assert units.deng_written == ["区文化旅游局等"]


def test_name_broken_across_lines() -> None:
    units = split_units(["区数字办、区城市数字化转型", "", "工作领导小组成员单位"])
    assert units.names == ["区数字办", "区城市数字化转型工作领导小组成员单位"]


def test_deng_before_placeholder() -> None:
    assert split_units(["徐行镇、外冈镇、", "嘉定工业区等相关街镇"]).names == ["徐行镇", "外冈镇", "嘉定工业区", "相关街镇"]
    assert split_units(["区农业农村委、嘉定工业区等", "", "相关街镇"]).names == ["区农业农村委", "嘉定工业区", "相关街镇"]


def test_trailing_separator_and_mixed_punctuation() -> None:
    assert split_units(["区科委,区经委；区商务委、"]).names == ["区科委", "区经委", "区商务委"]


def test_placeholders_kept_as_written() -> None:
    assert split_units(["区城运中心、各街道"]).names == ["区城运中心", "各街道"]
    assert split_units(["公安嘉定分局、", "各相关街镇"]).names == ["公安嘉定分局", "各相关街镇"]


def test_parenthesised_alias_kept() -> None:
    assert split_units(["区经委(金融办)"]).names == ["区经委（金融办）"]


def test_duplicates_dropped() -> None:
    assert split_units(["区科委、区科委、区经委"]).names == ["区科委", "区经委"]


def test_line_break_between_known_names_separates() -> None:
    known = {"区科委", "区经委"}
    assert split_units(["区科委", "区经委"], known).names == ["区科委", "区经委"]
    assert split_units(["区科委", "区经委"]).names == ["区科委区经委"]


def test_space_between_known_names_separates() -> None:
    assert split_units(["区科委 区经委"], {"区科委", "区经委"}).names == ["区科委", "区经委"]


def test_stray_space_inside_name_joined() -> None:
    assert split_units(["区文化 旅游局"], {"区文化旅游局"}).names == ["区文化旅游局"]
