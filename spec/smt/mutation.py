"""Mutation sensitivity: apply each mutant of ``mutants.CATALOGUE`` to the encoding and the model, and check that
at least one named invariant is REFUTED and at least one model test fails; the kill rate is the share of mutants
for which both happen.

``python -m spec.smt.mutation --tests NAME`` is the child process that runs the test files under one mutant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from spec.smt import prove
from spec.smt.mutants import BY_NAME, CATALOGUE, Mutant, Patch

ROOT = Path(__file__).resolve().parents[2]
TEST_FILES = ("test_authorize.py", "test_conditions.py", "test_simulator_cases.py", "test_laws.py",
              "test_matching.py", "test_identity_iam.py", "test_identity_sts.py", "test_identity_state.py",
              "test_replay_model.py", "test_smt_encoding.py", "test_smt_transitions.py", "test_review_findings.py")


def _owner(patch: Patch) -> tuple[Any, str]:
    obj: Any = importlib.import_module(patch.module)
    *path, name = patch.attr.split(".")
    for part in path:
        obj = getattr(obj, part)
    return obj, name


@contextmanager
def applied(mutant: Mutant, encoding: bool = True, model: bool = True) -> Iterator[None]:
    """The mutant in force for the duration of the block (every reference to a replaced function is replaced)."""
    saved: list[tuple[Any, str, Any]] = []
    patches = (mutant.encoding if encoding else ()) + (mutant.model if model else ())
    try:
        for patch in patches:
            owner, name = _owner(patch)
            original = getattr(owner, name)
            new = patch.make(original)
            saved.append((owner, name, original))
            setattr(owner, name, new)
            if patch.everywhere and "." not in patch.attr:
                for modname, mod in list(sys.modules.items()):
                    if not modname.startswith("spec") or mod is owner:
                        continue
                    for key, value in list(vars(mod).items()):
                        if value is original:
                            saved.append((mod, key, original))
                            setattr(mod, key, new)
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def refuted(mutant: Mutant, timeout_ms: int = prove.TIMEOUT_MS) -> tuple[list[str], list[str]]:
    """The invariants refuted (and those unknown) with the mutant in force."""
    with applied(mutant):
        results = prove.prove_all(timeout_ms)
    return [r.name for r in results if r.status == prove.REFUTED], [r.name for r in results if r.status == prove.UNKNOWN]


def tests_fail(name: str | None, timeout_s: int = 900) -> tuple[int, str | None]:
    """Run the test files in a child process under mutant ``name`` (None: no mutant): pytest's exit status and
    the first failing test."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), IAMSPEC_PROFILE=os.environ.get("IAMSPEC_PROFILE", "ci"))
    files = [str(ROOT / "tests" / f) for f in TEST_FILES if (ROOT / "tests" / f).exists()]
    cmd = [sys.executable, "-m", "spec.smt.mutation", "--tests", name or "", *files]
    with tempfile.TemporaryDirectory() as tmp:  # Hypothesis keeps its example database in the working directory
        done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout_s)
    failed = next((line.split(" ")[1] for line in done.stdout.splitlines() if line.startswith("FAILED ")), None)
    return done.returncode, failed.rpartition("/tests/")[2] if failed else None


def run(names: list[str] | None = None, timeout_ms: int = prove.TIMEOUT_MS, with_tests: bool = True,
        ) -> dict[str, Any]:
    """Every mutant's outcome and the kill rate; the baseline (no mutant) must prove everything and pass."""
    baseline_proofs = [r.status for r in prove.prove_all(timeout_ms)]
    baseline_tests = tests_fail(None)[0] if with_tests else 0
    rows = []
    for mutant in CATALOGUE if not names else [BY_NAME[n] for n in names]:
        start = time.perf_counter()
        ref, unknown = refuted(mutant, timeout_ms)
        status, failed = tests_fail(mutant.name) if with_tests else (None, None)
        killed = bool(ref) and (status == 1 if with_tests else True)
        rows.append({"name": mutant.name, "wrong": mutant.wrong, "refuted": ref, "unknown": unknown,
                     "tests_failed": None if status is None else status == 1, "test_status": status,
                     "first_failing_test": failed, "killed": killed,
                     "seconds": round(time.perf_counter() - start, 2)})
    kills = sum(r["killed"] for r in rows)
    return {"baseline_proved": all(s == prove.PROVED for s in baseline_proofs), "baseline_tests_pass": baseline_tests == 0,
            "mutants": rows, "killed": kills, "total": len(rows),
            "kill_rate": round(kills / len(rows), 4) if rows else None}


def _child(argv: list[str]) -> int:
    import pytest

    name, files = argv[0], argv[1:]
    args = [*files, "-x", "-q", "-p", "no:cacheprovider", "--no-header", "-W", "ignore"]
    if not name:
        return int(pytest.main(args))
    with applied(BY_NAME[name]):
        return int(pytest.main(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spec.smt.mutation")
    parser.add_argument("--tests", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tests is not None:
        return _child(args.tests)
    report = run()
    for row in report["mutants"]:
        print(f"{row['name']:36s} killed={row['killed']} refuted={','.join(row['refuted']) or '-'}")
    print(f"kill rate {report['killed']}/{report['total']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
