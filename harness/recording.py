"""Recording a new class of divergence: minimise the input that showed it, replay it, give it a stable id.

A generated input is shrunk first by Hypothesis (through the choices that drew it; a case of a drawn batch through
its index in the batch), then by delta debugging (``harness.generate.shrink``), keeping only inputs that show the
same difference (same kind, same gist on both sides) blamed on the same feature; the time for it is a tenth of
what is left of the run, between 1 and 20 seconds. The minimised input is replayed on both sides, its expected
answers are the model's, and its id is ``D-`` + a hash of it (``harness.compare.divergence_id``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.compare import Difference, divergence_id, expectations
from harness.features import EVAL
from harness.generate.shrink import hypothesis_shrink, reduce_case, reduce_scenario, valid_scenario
from harness.report.reproducer import reproducer
from harness.report.results import Divergence

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

    from harness.report.results import RunResult
    from harness.targets.base import Target


class RecordsDivergences:
    """The part of ``harness.conform.Conformance`` that minimises and records divergences."""

    target: Target
    model: Target
    db: ExampleDatabase | None
    deadline: float
    result: RunResult
    known: dict[tuple[str, str], str]
    run_case: Callable[..., tuple]
    run_scenario: Callable[..., tuple]
    _blame: Callable[..., str]
    _timed: Callable[..., Any]

    def _same(self, level: str, feature: str, signature: str) -> Callable[..., bool]:
        cache: dict[str, bool] = {}

        def predicate(item: dict, cached_only: bool = False) -> bool:
            text = json.dumps(item, sort_keys=True)
            if text not in cache:
                if cached_only or (level != EVAL and not valid_scenario(item)):
                    return False
                if level == EVAL:
                    _, _, diff, present = self.run_case(item)
                else:
                    _, _, diff, present, _ = self.run_scenario(item)
                cache[text] = diff is not None and diff.signature() == signature and \
                    self._blame(item, present, diff) == feature
            return cache[text]

        return predicate

    def _minimise(self, item: dict, level: str, feature: str, diff: Difference, choices: tuple | None,
                  strategy: Any, index: int | None = None) -> dict:
        spare = max(0.0, self.deadline - time.monotonic())
        until = time.monotonic() + min(20.0, max(1.0, 0.1 * spare))
        same = self._same(level, feature, diff.signature())
        key = f"iamspec-shrink:{self.target.name}:{feature}:{diff.signature()}".encode()
        if strategy is not None and choices is not None:
            if index is not None:  # the item is one case of a drawn batch: shrink the batch, keeping that case
                strategy = strategy.map(lambda batch: batch.item(index))
                same = _skip_none(same)
            shrunk = hypothesis_shrink(strategy, choices, same, self.db or _memory_db(), key, until)
            if shrunk is not None:
                item = shrunk
        if level == EVAL:
            return reduce_case(item, same, until + 2)
        return reduce_scenario(item, same, until + 2)

    def _record(self, item: dict, level: str, origin: str, feature: str, diff: Difference, choices: tuple | None,
                strategy: Any, index: int | None = None) -> None:
        if origin == "generated":
            item = self._minimise(item, level, feature, diff, choices, strategy, index)
            if level == EVAL:
                _, _, diff2, _ = self.run_case(item)
            else:
                _, _, diff2, _, _ = self.run_scenario(item)
            diff = diff2 or diff
        did = divergence_id(item, feature, diff)
        item = dict(item, id=f"{feature}/{did}" if origin == "generated" else item.get("id"))
        if level == EVAL:
            model = self._timed(EVAL, "model", "decide", item)
            if "decision" in model:
                item["expected"] = model["decision"]
            elif "error" in model:  # the model refuses the case: replay expects the same error code
                item["expected_error"] = model["error"].get("code")
        else:
            outcomes = self._timed(level, "model", "run_scenario", item)
            steps = []
            for step, expect in zip(item.get("steps", []), expectations(outcomes), strict=False):
                steps.append({**step, "expect": expect} if expect is not None and "call" in step else step)
            item["steps"] = steps
        d = Divergence(did, feature, diff.kind, diff.model, diff.target, scenario=item if level != EVAL else None,
                       case=item if level == EVAL else None, step=diff.step, origin=origin)
        d.reproducer = reproducer(d)
        self.known[(feature, diff.signature())] = did
        self.result.add_divergence(d)


def _skip_none(predicate: Callable[..., bool]) -> Callable[..., bool]:
    def wrapped(item: Any, cached_only: bool = False) -> bool:
        return item is not None and predicate(item, cached_only)

    return wrapped


def _memory_db() -> Any:
    from hypothesis.database import InMemoryExampleDatabase

    return InMemoryExampleDatabase()
