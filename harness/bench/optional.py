"""The sections that measure parts of the project built by others (the Z3 prover, the conformance harness): each
one runs when its part exists and says ``{"unavailable": why}`` when it does not, never faking a figure."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def compare_section(quick: bool, seed: int, cpu: int | None, log: Callable[[str], None]) -> dict:
    """Z3 compare latency (p50/p95/p99) and unknown count over the managed-policy version history."""
    if _missing("spec.smt") or (_missing("spec.smt.questions") and _missing("spec.smt.compare")):
        return {"unavailable": "spec.smt not built (neither spec/smt/questions.py nor spec/smt/compare.py exists)"}
    from harness.bench.smt import run_compare

    return run_compare(quick, seed, log, cpu)


def proofs_section(quick: bool, cpu: int | None, log: Callable[[str], None]) -> dict:
    """The time of each proof: ``iamspec prove --json``, or ``spec.smt.prove`` itself while the command is not
    built."""
    if not _missing("harness.cmd_prove"):
        from harness.bench.smt import run_proofs

        return run_proofs(quick, log, cpu, command=True)
    if not _missing("spec.smt") and not _missing("spec.smt.prove"):
        from harness.bench.smt import run_proofs

        return run_proofs(quick, log, cpu, command=False)
    return {"unavailable": "`iamspec prove` not built (harness/cmd_prove.py and spec/smt/prove.py are absent)"}


def conformance_section(quick: bool, seed: int, cpu: int | None, log: Callable[[str], None],
                        campaign: float | None = None) -> dict:
    """Conformance throughput per target and the harness's own share of the time."""
    if _missing("harness.conform"):
        return {"unavailable": "the conformance harness is not built (harness/conform.py is absent)"}
    from harness.bench.conformance import run_conformance

    return run_conformance(quick, seed, cpu, log, budget=campaign)
