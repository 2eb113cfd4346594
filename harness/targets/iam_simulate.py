"""Target ``iam-simulate``: @cloud-copilot/iam-simulate (npm, AGPL-3.0-or-later) in one long-lived Node process.

Evaluator level only. The package is installed unmodified with npm on first use (``node_setup``) and driven by
``node/drive.mjs`` over JSON Lines; the case is translated by ``harness.translate.iam_simulate``.
"""

from __future__ import annotations

from harness.safety import scrubbed_environ
from harness.targets.base import TargetUnavailable, case_id, crash
from harness.targets.lineproc import LineProcess, LineProcessError
from harness.targets.node_setup import HOW_TO_INSTALL, ensure_installed
from harness.translate.common import CaseShapeError, read_case
from harness.translate.iam_simulate import from_answer, to_simulation


class IamSimulateTarget:
    name = "iam-simulate"
    mode = "subprocess"
    levels = frozenset({"evaluator"})
    # It models every policy type the decision-case format has; what it cannot be asked is said here.
    unsupported: frozenset[str] = frozenset()

    def __init__(self, timeout: float = 10.0, argv: list[str] | None = None, cwd: str | None = None) -> None:
        self.timeout = timeout
        self._argv = argv  # tests pass a fake driver here
        self._cwd = cwd
        self._proc: LineProcess | None = None
        self._version: str | None = None

    def version(self) -> str | None:
        return self._version

    def start(self) -> None:
        if self._proc is not None:
            return
        if self._argv is None:
            node, folder = ensure_installed()
            argv, cwd = [node, "drive.mjs"], str(folder)
        else:
            argv, cwd = self._argv, self._cwd
        proc = LineProcess(argv, cwd=cwd, env=scrubbed_environ(), timeout=self.timeout, start_timeout=max(self.timeout, 60.0))
        try:
            answer = proc.request({"op": "version"})
        except LineProcessError as exc:
            proc.stop()
            raise TargetUnavailable(f"the iam-simulate driver did not start: {exc}", HOW_TO_INSTALL) from None
        self._version = answer.get("version") if isinstance(answer.get("version"), str) else None
        self._proc = proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stop()

    def decide(self, case: dict) -> dict:
        cid = case_id(case)
        try:
            parts = read_case(case)
        except CaseShapeError as exc:
            return {"id": cid, "error": exc.as_error()}
        if self._proc is None:
            return crash(cid, "iam-simulate target not started")
        try:
            answer = self._proc.request({"id": 0, "simulation": to_simulation(parts)})
        except LineProcessError as exc:
            return crash(cid, f"iam-simulate: {exc}")
        except Exception as exc:  # a translation bug must not stop the run either
            return crash(cid, f"iam-simulate adapter failed: {type(exc).__name__}: {exc}")
        return from_answer(cid, answer)

    def run_scenario(self, scenario: dict) -> list[dict]:
        steps = scenario.get("steps") if isinstance(scenario, dict) else None
        return [{"unsupported": "iam-simulate is a policy evaluator: it has no API level"} for _ in steps or []]
