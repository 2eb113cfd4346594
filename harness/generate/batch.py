"""A drawn input and the seed of its variants: what one Hypothesis example of a conformance run stands for.

``items(n)`` is the drawn input followed by its first ``n - 1`` variants (``vary(base, rng)``: an iterator that
depends only on the input and the seed, so a batch replays, and Hypothesis shrinks it, by the index of an item).
Cases get request variants (``harness.generate.variants``), scenarios other probes of the same world
(``harness.generate.scenario_variants``); ``vary=None`` means no variants.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

Vary = Callable[[dict, random.Random], Iterator[dict]]


@dataclass(frozen=True)
class Batch:
    base: dict
    seed: int
    vary: Vary | None = None

    def items(self, n: int) -> list[dict]:
        if self.vary is None:
            return [self.base]
        return [self.base, *islice(self.vary(self.base, random.Random(self.seed)), max(0, n - 1))]

    def item(self, index: int) -> dict | None:
        """The ``index``-th item of the batch, or None if the variants run out before it."""
        batch = self.items(index + 1)
        return batch[index] if index < len(batch) else None
