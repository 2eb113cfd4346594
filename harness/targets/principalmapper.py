"""Target ``principalmapper``: NCC Group's PMapper 1.1.5 (AGPL-3.0), evaluator level, in a worker subprocess.

PMapper does not import on Python >= 3.10 without a ``collections`` shim, and is unmaintained since 2022: it runs
in its own process (``pmapper_worker``), so an import failure, an exception or a hang is a ``crash`` answer and the
run goes on. It answers booleans.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness.safety import scrubbed_environ
from harness.targets.base import EXPLICIT_VS_IMPLICIT, TargetUnavailable, case_id, crash
from harness.targets.lineproc import LineProcess, LineProcessError

HOW_TO_INSTALL = "pip install 'iamspec[principalmapper]'  (principalmapper==1.1.5)"

# What cannot be put to PMapper at all: it answers allowed/denied only; its principals are IAM users and roles
# (no root, anonymous, service or federated callers, no session ARN distinct from its role); it has no RCPs or VPC
# endpoint policies; it never validates a policy document.
UNSUPPORTED = frozenset(
    {
        EXPLICIT_VS_IMPLICIT,
        "root.full-access",
        "scp.root-user",
        "trust-policy.root-cannot-assume",
        "resource-policy.anonymous",
        "resource-policy.role-vs-session",
        "session.federated",
        "rcp.filter",
        "vpce.filter",
        "policy.malformed",
    }
)


class PrincipalMapperTarget:
    name = "principalmapper"
    mode = "subprocess"
    levels = frozenset({"evaluator"})
    unsupported = UNSUPPORTED

    def __init__(self, timeout: float = 10.0, argv: list[str] | None = None) -> None:
        self.timeout = timeout
        self._argv = argv
        self._proc: LineProcess | None = None
        self._version: str | None = None

    def version(self) -> str | None:
        return self._version

    def start(self) -> None:
        if self._proc is not None:
            return
        root = str(Path(__file__).resolve().parents[2])
        python_path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        argv = self._argv or [sys.executable, "-m", "harness.targets.pmapper_worker"]
        proc = LineProcess(argv, env=scrubbed_environ({"PYTHONPATH": python_path}), timeout=self.timeout, start_timeout=max(self.timeout, 60.0))
        try:
            answer = proc.request({"op": "version"})
        except LineProcessError as exc:
            proc.stop()
            raise TargetUnavailable(f"the principalmapper worker did not start: {exc}", HOW_TO_INSTALL) from None
        if "version" not in answer:
            proc.stop()
            raise TargetUnavailable(f"principalmapper cannot be imported: {answer.get('unavailable', answer)}", HOW_TO_INSTALL)
        self._version = str(answer["version"])
        self._proc = proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stop()

    def decide(self, case: dict) -> dict:
        cid = case_id(case)
        if self._proc is None:
            return crash(cid, "principalmapper target not started")
        try:
            answer = self._proc.request({"case": case})
        except LineProcessError as exc:
            return crash(cid, f"principalmapper: {exc}")
        except (TypeError, ValueError) as exc:  # a case that is not JSON-serialisable
            return crash(cid, f"principalmapper: the case cannot be sent as JSON: {exc}")
        if isinstance(answer.get("allowed"), bool):
            # PMapper answers a boolean: every denial is reported as ImplicitDeny (see `unsupported`).
            return {"id": cid, "decision": "Allow" if answer["allowed"] else "ImplicitDeny"}
        if isinstance(answer.get("shape"), dict):
            return {"id": cid, "error": answer["shape"]}
        if "unsupported" in answer:
            return crash(cid, f"unsupported by principalmapper: {answer['unsupported']}")
        if "exception" in answer:
            return crash(cid, f"principalmapper raised {answer['exception']}")
        return crash(cid, f"principalmapper worker answered something unexpected: {str(answer)[:300]}")

    def run_scenario(self, scenario: dict) -> list[dict]:
        steps = scenario.get("steps") if isinstance(scenario, dict) else None
        return [{"unsupported": "principalmapper is evaluator-level only"} for _ in steps or []]
