"""Target ``model``: iamspec's own model, the reference every other target is held to (and a self-check).

Evaluator level: ``spec.decide.answer_case``. API level: ``spec.scenario.run_scenario`` (the identity model); until
that module exists, :meth:`ModelTarget.run_scenario` raises ``TargetUnavailable("spec.scenario not built")``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from harness.targets.base import TargetUnavailable, case_id, crash
from harness.targets.guard import CallTimeout, call_with_timeout

HOW_TO_INSTALL = "pip install -e . (the model is part of iamspec itself)"


def _load(module: str, attr: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name in (module, module.rsplit(".", 1)[0]):
            return None
        raise
    return getattr(mod, attr, None)


class ModelTarget:
    name = "model"
    mode = "reference"
    levels = frozenset({"evaluator", "api"})
    unsupported: frozenset[str] = frozenset()

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._answer_case: Callable[[dict], dict] | None = None
        self._run_scenario: Callable[[dict], list[dict]] | None = None

    def version(self) -> str | None:
        try:
            from importlib.metadata import version

            return version("iamspec")
        except Exception:
            return None

    def start(self) -> None:
        self._answer_case = _load("spec.decide", "answer_case")
        self._run_scenario = _load("spec.scenario", "run_scenario")
        if self._answer_case is None and self._run_scenario is None:
            raise TargetUnavailable("spec.decide and spec.scenario are not built yet", HOW_TO_INSTALL)

    def stop(self) -> None:
        return None

    def decide(self, case: dict) -> dict:
        cid = case_id(case)
        if self._answer_case is None:
            return crash(cid, "spec.decide not built")
        answer_case = self._answer_case
        try:
            answer = call_with_timeout(lambda: answer_case(case), self.timeout)
        except CallTimeout:
            return crash(cid, f"the model did not answer within {self.timeout:g} s")
        except Exception as exc:  # the model must not raise; if it does, that is a crash row, not a stopped run
            return crash(cid, f"the model raised {type(exc).__name__}: {exc}")
        if not isinstance(answer, dict):
            return crash(cid, f"the model answered a {type(answer).__name__}, not an object")
        return answer

    def run_scenario(self, scenario: dict) -> list[dict]:
        if self._run_scenario is None:
            raise TargetUnavailable("spec.scenario not built", HOW_TO_INSTALL)
        run = self._run_scenario
        steps = scenario.get("steps") if isinstance(scenario, dict) else None
        count = len(steps) if isinstance(steps, list) else 0
        try:
            outcomes = call_with_timeout(lambda: run(scenario), self.timeout * max(1, count))
        except CallTimeout:
            return [{"crash": "the model did not finish the scenario in time"} for _ in range(count)]
        except Exception as exc:
            return [{"crash": f"the model raised {type(exc).__name__}: {exc}"} for _ in range(max(1, count))]
        return list(outcomes)
