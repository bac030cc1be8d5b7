"""Full-coverage (全覆盖) targets kept as text."""

from __future__ import annotations

import pytest

from citybase.plan.parsing.qualitative import extract_qualitative_targets


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ("推动万兆到楼、千兆到户的光网全覆盖。", ["光网全覆盖"]),
        ("实施防汛下立交工程，实现下立交监控全覆盖，线上处置流程闭环。", ["下立交监控全覆盖"]),
        ("等应用场景，实施医疗收费电子票据全覆盖。", ["实施医疗收费电子票据全覆盖"]),
        ("逐步推动特色农业基地物联网全覆盖。", ["特色农业基地物联网全覆盖"]),
        ("推进“区域全覆盖”行动。", []),
        ("实现社区全覆盖，推动园区全面覆盖。", ["社区全覆盖", "园区全面覆盖"]),
        ("推进智慧课堂建设。", []),
    ],
)
def test_full_coverage(text: str, targets: list[str]) -> None:
    assert extract_qualitative_targets(text) == targets
