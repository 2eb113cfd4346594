"""Running measurements in child processes (``harness.bench.child``) and turning their raw seconds into figures."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_child(target: str, cases: Path, runs: int, warmup: int, cpu: int | None, timeout: float = 900.0) -> dict:
    """Measure one evaluator on one workload file in a fresh process; never raises."""
    argv = [sys.executable, "-m", "harness.bench.child", target, str(cases), "--runs", str(runs),
            "--warmup", str(warmup), "--timeout", str(timeout)]
    if cpu is not None:
        argv += ["--cpu", str(cpu)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=child_env(), cwd=str(ROOT),
                              check=False)
    except subprocess.TimeoutExpired:
        return {"unavailable": f"the measurement did not finish in {timeout:.0f} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"unavailable": f"the measurement process failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}"}
    return json.loads(lines[-1])


CLOCKS = ("cpu", "wall")


def _key(raw: dict, base: str, clock: str) -> str:
    return f"{base}_cpu_s" if clock == "cpu" and raw.get(f"{base}_cpu_s") else f"{base}_s"


def seconds(raw: dict, base: str, clock: str) -> list[float]:
    """The seconds of each run of ``base`` (``e2e``, ``eval``) by ``clock``: ``cpu`` = CPU time of the measuring
    process (and its Node helper), ``wall`` = elapsed time."""
    return raw[_key(raw, base, clock)]


def figures(raw: dict, clock: str = "cpu") -> dict:
    """The issue's figures for one evaluator on one workload: ``decisions_per_s`` (end to end), ``eval_per_s``
    (policies loaded), both from the median run, and ``peak_mb``; or ``{"unavailable": why}``."""
    if "unavailable" in raw:
        return {"unavailable": raw["unavailable"]}
    n = len(raw["decisions"])
    return {
        "decisions_per_s": round(n / statistics.median(seconds(raw, "e2e", clock)), 1),
        "eval_per_s": round(n / statistics.median(seconds(raw, "eval", clock)), 1),
        "peak_mb": round(raw["peak_mb"], 1),
    }


def spread(samples: list[float]) -> float:
    """(max - min) / median of a run's timings: how noisy the measurement was."""
    med = statistics.median(samples)
    return round((max(samples) - min(samples)) / med, 3) if med else 0.0


def same_decision(model: str, peer: str) -> bool:
    """Whether a peer's decision is the model's; ``Deny`` (a peer that cannot tell explicit from implicit) matches
    either denial."""
    if peer == "Deny":
        return model in ("ImplicitDeny", "ExplicitDeny")
    return model == peer


def agreement(model: list[str], peer: list[str]) -> dict:
    pairs = list(zip(model, peer, strict=False))
    errors = sum(1 for p in peer if p.startswith("error:"))
    agree = sum(1 for m, p in pairs if same_decision(m, p))
    return {"agree": agree, "errors": errors, "of": len(pairs)}


def tally(decisions: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in decisions:
        out[d] = out.get(d, 0) + 1
    return dict(sorted(out.items()))
