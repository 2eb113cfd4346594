"""Minimising a divergent input: Hypothesis's own shrinker first, then delta debugging.

- :func:`hypothesis_shrink` replays the choices Hypothesis made for a divergent example (kept in an example
  database under a key of our own) and lets Hypothesis shrink them (``hypothesis.find`` with the ``reuse`` and
  ``shrink`` phases), so the minimal example is one the strategy can make, and it stays in the database for the
  next run.
- :func:`ddmin_steps` is delta debugging (Zeller and Hildebrandt's ddmin) over a scenario's steps.
- :func:`reduce_case` greedily drops parts of a decision case (policies, statements, context keys, list items)
  while the divergence stays.

Every predicate answers "does this input still show the same divergence?"; minimisation stops at its deadline.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable


def current_choices() -> tuple | None:
    """The choices Hypothesis made for the example being run now (None outside Hypothesis or if unavailable).

    Uses Hypothesis internals (``current_build_context().data.choices``); when they change, shrinking falls back
    to delta debugging alone."""
    try:
        from hypothesis.control import current_build_context

        return tuple(current_build_context().data.choices)
    except Exception:
        return None


def _seed(db: Any, key: bytes, choices: tuple) -> bool:
    try:
        from hypothesis.database import choices_to_bytes

        db.save(key, choices_to_bytes(choices))
        return True
    except Exception:
        return False


def hypothesis_shrink(strategy: st.SearchStrategy, choices: tuple | None, predicate: Callable[[Any], bool],
                      db: Any, key: bytes, deadline: float) -> Any | None:
    """The minimal example of ``strategy`` satisfying ``predicate``, shrunk by Hypothesis from the example drawn
    with ``choices``; None if that example cannot be replayed. Past ``deadline`` (``time.monotonic()``) new
    candidates count as not interesting, so the shrinker winds down at once."""
    if choices is None or db is None or not _seed(db, key, choices):
        return None

    def condition(value: Any) -> bool:
        if time.monotonic() > deadline:
            return bool(predicate(value, cached_only=True))  # type: ignore[call-arg]
        return bool(predicate(value))

    config = settings(database=db, phases=[Phase.reuse, Phase.shrink], deadline=None, max_examples=1000,
                      suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    try:
        return find(strategy, condition, settings=config, database_key=key)
    except (NoSuchExample, Unsatisfiable):
        return None


def ddmin_steps(scenario: dict, predicate: Callable[[dict], bool], deadline: float) -> dict:
    """The scenario with a 1-minimal subset of its steps that still satisfies ``predicate`` (ddmin)."""
    steps = list(scenario.get("steps", []))

    def test(subset: list) -> bool:
        return time.monotonic() < deadline and predicate({**scenario, "steps": subset})

    n = 2
    while len(steps) >= 2 and time.monotonic() < deadline:
        size = max(1, len(steps) // n)
        chunks = [steps[i:i + size] for i in range(0, len(steps), size)]
        reduced = False
        for i in range(len(chunks)):
            complement = [s for j, c in enumerate(chunks) if j != i for s in c]
            if test(complement):
                steps, n, reduced = complement, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(steps):
                break
            n = min(len(steps), n * 2)
    return {**scenario, "steps": steps}


def _candidates(case: dict) -> list[dict]:
    """Smaller versions of a case: one layer emptied, one policy, statement, context key or list item dropped."""
    out = []
    for key in ("permission_boundary", "session_policy", "resource_policy", "scps", "rcps", "vpc_endpoint_policies"):
        if case.get(key) is not None:
            out.append({**case, key: None})
    for key in ("identity_policies", "group_policies"):
        for i in range(len(case.get(key) or [])):
            out.append({**case, key: [p for j, p in enumerate(case[key]) if j != i]})
    request = case.get("request") or {}
    for k in list(request.get("context") or {}):
        ctx = {a: b for a, b in request["context"].items() if a != k}
        types = {a: b for a, b in (request.get("context_types") or {}).items() if a != k}
        out.append({**case, "request": {**request, "context": ctx, "context_types": types}})
    out += _drop_in_documents(case)
    return out


_CASE_ROOTS = ("identity_policies", "group_policies", "permission_boundary", "session_policy", "resource_policy",
               "scps", "rcps", "vpc_endpoint_policies")


def _drop_in_documents(case: dict, roots: tuple[str, ...] = _CASE_ROOTS) -> list[dict]:
    """Inputs with one list item or one optional statement element removed somewhere under ``roots``."""
    out = []

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                if len(node) > 1:
                    out.append(_without(case, path, i))
                walk(item, (*path, i))
        elif isinstance(node, dict):
            for k, v in node.items():
                if k in ("Condition", "Sid") or (isinstance(v, dict) and path and len(node) > 1 and
                                                 path[-1] == "Condition"):
                    out.append(_without(case, path, k))
                walk(v, (*path, k))

    for key in roots:
        walk(case.get(key), (key,))
    return out


def valid_scenario(scenario: dict) -> bool:
    """Every handle a step uses (``as``, ``{"$saved": ...}``) is saved by an earlier step: a reduced scenario
    that breaks this shows a different problem (a call without credentials), not the one being minimised."""
    saved: set[str] = set()
    for step in scenario.get("steps", []):
        if not isinstance(step, dict):
            return False
        who = step.get("as")
        handle = who.get("handle") if isinstance(who, dict) else who
        if isinstance(handle, str) and handle != "root" and handle not in saved:
            return False
        text = str(step.get("params"))
        for ref in re.findall(r"'\$saved': '([^'.]+)", text):
            if ref not in saved:
                return False
        if isinstance(step.get("save"), str):
            saved.add(step["save"])
    return True


def reduce_scenario(scenario: dict, predicate: Callable[[dict], bool], deadline: float) -> dict:
    """Delta debugging of the steps, then greedy reduction inside the steps' parameters (policy statements,
    values), every candidate kept valid (:func:`valid_scenario`)."""

    def ok(candidate: dict) -> bool:
        return valid_scenario(candidate) and predicate(candidate)

    scenario = ddmin_steps(scenario, ok, deadline)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for candidate in _drop_in_documents(scenario, ("steps",)):
            if time.monotonic() > deadline:
                break
            if ok(candidate):
                scenario, improved = candidate, True
                break
    return scenario


def _without(case: dict, path: tuple, item: Any) -> dict:
    new = copy.deepcopy(case)
    node = new
    for p in path:
        node = node[p]
    del node[item]
    return new


def reduce_case(case: dict, predicate: Callable[[dict], bool], deadline: float) -> dict:
    """Greedy reduction: keep taking the first smaller case that still satisfies ``predicate``."""
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for candidate in _candidates(case):
            if time.monotonic() > deadline:
                break
            if predicate(candidate):
                case, improved = candidate, True
                break
    return case
