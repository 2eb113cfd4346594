"""What a conformance run spends its time on, per level, and how many inputs a drawn example should give.

Generation must stay a small share of a run: a fast target answers a decision case in tens of microseconds while
Hypothesis takes milliseconds to draw one. So each drawn example is followed by variants of it
(``harness.generate.variants``, ``harness.generate.scenario_variants``), as many as keep drawing within
``GENERATION_SHARE`` of the target's own time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

GENERATION_SHARE = 0.03  # drawing may cost at most this share of the target's own time
MAX_BATCH = 4096


@dataclass
class LevelCosts:
    """Seconds and counts of one level (evaluator or API) of a run."""

    draw_s: float = 0.0  # Hypothesis drawing examples, its engine included
    draws: int = 0
    target_s: float = 0.0  # inside the target's decide / run_scenario
    inputs: int = 0
    steps: int = 0  # the steps of the scenarios sent (api level)
    model_s: float = 0.0  # inside the model's
    wall_s: float = 0.0  # the level's generation units, from start to end (minimisation included)
    minimise_s: float = 0.0  # minimising new divergences, the target's and the model's time in it included

    def batch_size(self) -> int:
        """Inputs for the next drawn example: a power of two at most ``MAX_BATCH`` such that drawing stays within
        ``GENERATION_SHARE`` of the target's time so far; one until both have been measured."""
        if not self.draws or not self.inputs:
            return 1
        want = (self.draw_s / self.draws) / (GENERATION_SHARE * max(self.target_s / self.inputs, 1e-6))
        size = 1
        while size < want and size < MAX_BATCH:
            size *= 2
        return size

    def copy(self) -> LevelCosts:
        return replace(self)

    def since(self, before: LevelCosts) -> dict[str, float]:
        """The costs accrued after ``before``, with the harness's own time (wall minus target minus model)."""
        d = {f.name: getattr(self, f.name) - getattr(before, f.name) for f in fields(self)}
        return {"wall_s": round(d["wall_s"], 3), "target_s": round(d["target_s"], 3), "model_s": round(d["model_s"], 3),
                "harness_s": round(max(0.0, d["wall_s"] - d["target_s"] - d["model_s"]), 3),
                "draw_s": round(d["draw_s"], 3), "minimise_s": round(d["minimise_s"], 3),
                "inputs": int(d["inputs"]), "steps": int(d["steps"]), "draws": int(d["draws"])}


@contextmanager
def fewer_collections(gen0: int = 50_000) -> Iterator[None]:
    """Python's cyclic garbage collector, set for a conformance run: what is alive at the start (the targets, the
    model, the generators' tables) is frozen out of later collections, and the youngest generation is collected
    every ``gen0`` allocations rather than every 700. A run makes millions of short-lived dicts, few of them in
    cycles; with the default settings collecting took about a third of the harness's own time at evaluator level
    (measured with a fast in-process target). Restored on exit."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(max(before[0], gen0), before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
