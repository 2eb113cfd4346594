"""The curated regression corpus (``tests/regression``) as a source of inputs: decision cases and scenarios
written from the AWS documentation, and divergences found earlier, minimised. It runs first in every conformance
run. Each item's ``expected`` / ``expect`` is what the documentation (or, for found divergences, the model) says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.compare import expectations
from harness.features import EVAL, declared

REGRESSION = Path(__file__).resolve().parent.parent.parent / "tests" / "regression"


def regression_items(folder: Path, levels: frozenset[str], only: tuple[str, ...] | None) -> Iterator[tuple[str, dict]]:
    """(level, item) for every case (``cases/*.jsonl``) and scenario (``scenarios/*.jsonl``) at ``levels``,
    restricted to the items written for one of ``only`` when given."""
    if not folder.exists():
        return
    for level, sub in ((EVAL, "cases"), ("api", "scenarios")):
        if level not in levels:
            continue
        for path in sorted((folder / sub).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line) if line.strip() else None
                if not isinstance(item, dict):
                    continue
                if only is not None and not (declared(item.get("id")) | declared(item.get("tags"))) & set(only):
                    continue
                yield level, item


def documented_mismatches(item: dict, level: str, model: Any) -> list[str]:
    """Where the model does not give the documented answer of a regression item (a model bug, or a corpus bug)."""
    if level == EVAL:
        got = model.decide(item).get("decision")
        if item.get("expected") and got != item["expected"]:
            return [f"model bug? {item.get('id')}: documented {item['expected']}, model {got}"]
        return []
    for i, (step, outcome) in enumerate(zip(item.get("steps", []), model.run_scenario(item), strict=False)):
        expect, seen = step.get("expect"), expectations([outcome])[0]
        if expect is not None and expect != seen:
            return [f"model bug? {item.get('id')} step {i}: documented {expect}, model {seen}"]
    return []
