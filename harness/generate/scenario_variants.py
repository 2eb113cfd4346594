"""Scenario variants: more scenarios from one drawn world, cheaply.

The scenario-level counterpart of :mod:`harness.generate.variants`. A drawn scenario builds a world as root (users,
keys, policies, a bucket, a role) and ends with calls that probe it. A variant keeps the world and ends with other
probes: another choice of S3 and IAM calls made as the user (and as root where the scenario also probes as root), or,
after an AssumeRole, other calls made with the session and, where the drawn scenario passes an external ID, another
external ID. Scenarios of the IAM/STS invariants (names, quotas, durations, expiry) have no variants: their steps are
the point. The sequence depends only on the drawn scenario and the seed, so a batch replays by index.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import cache
from typing import Any

from hypothesis import strategies as st

from harness.generate.batch import Batch
from harness.generate.scenarios import BUCKET, KEY, PROBES, scenario_for

SESSION_PROBES: tuple[tuple[str, dict], ...] = (
    ("sts:GetCallerIdentity", {}),
    ("s3:GetObject", {"Bucket": BUCKET, "Key": KEY}),
    ("s3:PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": "data"}),
    ("s3:ListBuckets", {}),
)
EXTERNAL_IDS = (None, "Unique-1234", "unique-1234", "Other-9999")
_PROBE_CALLS = {c for c, _, _, _ in PROBES}


def _world_end(steps: list[dict]) -> int:
    """Index of the first step not made as root: where the probes begin."""
    return next((i for i, s in enumerate(steps) if s.get("as") != "root"), len(steps))


def _policy_tail(rng: random.Random, tail: list[dict]) -> list[dict] | None:
    callers = [s.get("as") for s in tail]
    if not all(s.get("call") in _PROBE_CALLS and s.get("as") in ("alice", "root") for s in tail):
        return None
    probes = rng.sample(PROBES, rng.randint(1, 3))
    out = [{"as": "alice", "call": c, "params": p} for c, p, _, _ in probes]
    if "root" in callers:
        out += [{"as": "root", "call": c, "params": p} for c, p, _, _ in probes]
    return out


def _trust_tail(rng: random.Random, tail: list[dict]) -> list[dict] | None:
    assume = tail[0]
    if assume.get("call") != "sts:AssumeRole":
        return None
    params: dict[str, Any] = dict(assume.get("params") or {})
    if "ExternalId" in params or rng.random() < 0.25:
        external = rng.choice(EXTERNAL_IDS)
        params.pop("ExternalId", None)
        if external is not None:
            params["ExternalId"] = external
    session = assume.get("save", "s1")
    calls = rng.sample(SESSION_PROBES, rng.randint(1, 3))
    return [{**assume, "params": params}] + [{"as": session, "call": c, "params": p} for c, p in calls]


def scenario_variants(scenario: dict, rng: random.Random) -> Iterator[dict]:
    """Scenarios with ``scenario``'s world and other probes, each new; ends when 8 tries in a row give nothing new
    (at once for a scenario that is not a world followed by probes)."""
    steps = list(scenario.get("steps") or [])
    end = _world_end(steps)
    world, tail = steps[:end], steps[end:]
    if not tail:
        return
    make = _trust_tail if tail[0].get("call") == "sts:AssumeRole" else _policy_tail
    seen = {repr(tail)}
    misses = 0
    while misses < 8:
        new_tail = make(rng, tail)
        if new_tail is None:
            return
        key = repr(new_tail)
        if key in seen:
            misses += 1
            continue
        misses = 0
        seen.add(key)
        yield {**scenario, "id": f"{scenario.get('id', '')}.v{len(seen) - 1}", "steps": world + new_tail}


@cache
def scenario_batch_for(feature: str) -> st.SearchStrategy[Batch]:
    """A :class:`~harness.generate.batch.Batch` whose drawn scenario is generated for ``feature`` (with no variants for the IAM/STS
    invariants: their steps are the point)."""
    from harness.generate.invariants import INVARIANTS

    vary = None if feature in INVARIANTS else scenario_variants
    return st.builds(Batch, scenario_for(feature), st.integers(0, 2**32 - 1), st.just(vary))
