"""Summarise a Robot Framework output.xml of the ETSI NGSI-LD suite by test group.

Usage: python conformance_counts.py OUTPUT_XML

Runs in the suite's own environment (it needs the ``robot`` package). A group is a
suite folder two or three levels below TP/NGSI-LD, for example
ContextInformation/Provision/Entities/CreateEntity. Prints one line per group, the
failed test ids with their first message line, and a closing "N passed, N failed"
line; writes the failed ids to failed.txt beside OUTPUT_XML.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from robot.api import ExecutionResult, ResultVisitor

GROUP_DEPTH = 4


class _Collector(ResultVisitor):
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: {"PASS": 0, "FAIL": 0, "SKIP": 0})
        self.failed: list[tuple[str, str, str]] = []

    def visit_test(self, test) -> None:  # noqa: ANN001 - robot's result model
        group = _group_of(test.source)
        self.counts[group][test.status] += 1
        if test.status == "FAIL":
            message = (test.message or "").strip().splitlines()
            self.failed.append((group, test.name, message[0][:160] if message else ""))


def _group_of(source: Path | str | None) -> str:
    parts = Path(str(source or "?")).parts
    if "NGSI-LD" in parts:
        parts = parts[parts.index("NGSI-LD") + 1:]
    folders = [p for p in parts if not p.endswith(".robot")]
    return "/".join(folders[:GROUP_DEPTH]) or "?"


def main(output_xml: str) -> int:
    result = ExecutionResult(output_xml)
    collector = _Collector()
    result.visit(collector)

    width = max((len(group) for group in collector.counts), default=10)
    print(f"{'group':<{width}}  passed  failed  skipped")
    totals = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for group in sorted(collector.counts):
        counts = collector.counts[group]
        for status in totals:
            totals[status] += counts[status]
        print(f"{group:<{width}}  {counts['PASS']:>6}  {counts['FAIL']:>6}  {counts['SKIP']:>7}")

    failed_path = Path(output_xml).with_name("failed.txt")
    failed_path.write_text("".join(f"{g}\t{name}\t{msg}\n" for g, name, msg in collector.failed), encoding="utf-8")
    if collector.failed:
        print(f"\nfailed cases ({len(collector.failed)}; also in {failed_path}):")
        for group, name, message in collector.failed:
            print(f"  {name}  [{group}]  {message}")
    print(f"\nconformance: {totals['PASS']} passed, {totals['FAIL']} failed, {totals['SKIP']} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
