"""Z3 figures: compare latency over the AWS managed-policy version history, and the time of each proof.

Compare: every pair of adjacent versions of one managed policy in the recorded history (v1→v2, v2→v3, ...; the
history skips some version numbers) is a real "does the new version grant more?" question. A seeded sample of them is compared in a helper process of its own, pinned to one
CPU, one JSON line per pair, so a pair that hangs or crashes loses only itself.

    python -m harness.bench.smt compare [--cpu C]      (pairs on standard input, one JSON line each)
    python -m harness.bench.smt prove [--cpu C]        (every named invariant, timed; while `iamspec prove` is absent)
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.bench.measure import ROOT, child_env

VERSIONS = Path(__file__).resolve().parent.parent / "data" / "managed-policy-versions.jsonl.gz"
FULL_PAIRS, QUICK_PAIRS = 500, 10  # 500: a p99 that is not just the maximum
FULL_BUDGET_S, QUICK_BUDGET_S = 300.0, 20.0
PAIR_LIMIT_S = 30.0  # ten times issue 6's p99 goal; a pair still running then is stopped


def _version_number(v: str) -> int:
    digits = "".join(ch for ch in v if ch.isdigit())
    return int(digits) if digits else 0


def version_pairs() -> list[dict]:
    """Every (older, newer) pair of adjacent recorded versions of one policy, in the corpus's order."""
    by_arn: dict[str, list[dict]] = {}
    with gzip.open(VERSIONS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                by_arn.setdefault(rec["arn"], []).append(rec)
    pairs = []
    for arn, versions in by_arn.items():
        versions.sort(key=lambda r: _version_number(r["version"]))
        for old, new in zip(versions, versions[1:], strict=False):
            pairs.append({"id": f"{arn}:{old['version']}->{new['version']}", "old": old["document"],
                          "new": new["document"]})
    return pairs


def _compare_fn() -> tuple[str, Callable[[Any, Any], Any]]:
    """The project's compare: ``spec.smt.questions.compare`` if it exists, else ``spec.smt.compare.compare_policies``."""
    try:
        from spec.smt.questions import compare  # type: ignore[import-not-found]

        return "spec.smt.questions.compare", compare
    except ImportError:
        from spec.smt.compare import compare_policies

        return "spec.smt.compare.compare_policies", compare_policies


def _relation(result: Any) -> str:
    if isinstance(result, dict):
        return str(result.get("relation"))
    return str(getattr(result, "relation", result))


def compare_worker() -> None:
    """Answer JSON lines on standard input: ``{"op": "hello"}`` -> the compare function's name; a pair
    ``{"id", "old", "new"}`` -> ``{"id", "relation" | "error", "seconds", "cpu_s"}``."""
    name, compare = _compare_fn()
    for line in sys.stdin:
        if not line.strip():
            continue
        pair = json.loads(line)
        if pair.get("op") == "hello":
            out: dict[str, Any] = {"function": name}
        else:
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                out = {"relation": _relation(compare(pair["old"], pair["new"]))}
            except Exception as exc:  # an error on one pair is counted, the run goes on
                out = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
            out.update(id=pair["id"], seconds=time.perf_counter() - w0, cpu_s=time.process_time() - c0)
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


def _pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def run_compare(quick: bool, seed: int, log: Callable[[str], None], cpu: int | None = 0,
                pairs: int | None = None) -> dict:
    """Compare a seeded sample of version pairs in a helper process; a pair that takes longer than
    ``PAIR_LIMIT_S`` is stopped (the helper is killed and restarted) and counted as a timeout at that latency;
    no new pair is started once the section's budget is spent."""
    from harness.targets.lineproc import LineProcess, LineProcessError

    every = version_pairs()
    n = min(len(every), pairs or (QUICK_PAIRS if quick else FULL_PAIRS))
    budget = QUICK_BUDGET_S if quick else FULL_BUDGET_S
    sample = random.Random(f"{seed}:compare").sample(every, n)
    log(f"compare: {n} of {len(every)} adjacent-version pairs (budget {budget:g} s, {PAIR_LIMIT_S:g} s a pair) ...")
    argv = [sys.executable, "-m", "harness.bench.smt", "compare"] + ([] if cpu is None else ["--cpu", str(cpu)])
    proc = LineProcess(argv, cwd=str(ROOT), env=child_env(), timeout=PAIR_LIMIT_S, start_timeout=120.0)
    rows: list[dict] = []
    note = None
    try:
        try:
            function = proc.request({"op": "hello"}).get("function")
        except LineProcessError as exc:
            return {"unavailable": f"the compare helper did not start: {exc}"}
        deadline = time.perf_counter() + budget
        for pair in sample:
            if time.perf_counter() > deadline:
                note = f"budget of {budget:g} s spent after {len(rows)} pairs"
                break
            try:
                rows.append(proc.request(pair))
            except LineProcessError as exc:
                rows.append({"id": pair["id"], "timeout": str(exc), "seconds": PAIR_LIMIT_S})
    finally:
        proc.stop()
    if not rows:
        return {"unavailable": note or "the compare helper answered nothing"}
    return summarize(rows, len(every), n, function, note)


def summarize(rows: list[dict], population: int, asked: int, function: str | None, note: str | None) -> dict:
    done = sorted(r["seconds"] for r in rows)
    relations: dict[str, int] = {}
    for r in rows:
        key = r.get("relation") or ("timeout" if "timeout" in r else "error")
        relations[key] = relations.get(key, 0) + 1
    out = {
        "function": function,
        "pairs_in_history": population,
        "pairs_asked": asked,
        "pairs_run": len(rows),
        "pairs_answered": sum(1 for r in rows if "timeout" not in r),
        "p50_ms": round(1000 * _pct(done, 50), 1),
        "p95_ms": round(1000 * _pct(done, 95), 1),
        "p99_ms": round(1000 * _pct(done, 99), 1),
        "max_ms": round(1000 * done[-1], 1),
        "mean_ms": round(1000 * statistics.fmean(done), 1),
        "unknown": relations.get("unknown", 0),
        "timeouts": relations.get("timeout", 0),
        "errors": sum(1 for r in rows if "error" in r),
        "relations": dict(sorted(relations.items())),
        "error_samples": sorted({r["error"] for r in rows if "error" in r})[:5],
        "goal": {"median_ms_at_most": 100, "p99_s_at_most": 3},
        "goal_met": _pct(done, 50) <= 0.1 and _pct(done, 99) <= 3.0,
    }
    if note:
        out["note"] = note
    out["markdown"] = [
        f"`{function}` on {len(rows)} of {population:,} pairs of adjacent versions of AWS managed policies "
        "(seeded sample of the recorded history), wall-clock latency per pair, one CPU:" + (f" ({note})" if note else ""), "",
        "| p50 | p95 | p99 | max | unknown | stopped at the limit | errors | relations | goal (median ≤ 100 ms, "
        "p99 ≤ 3 s) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {out['p50_ms']:,.1f} ms | {out['p95_ms']:,.1f} ms | {out['p99_ms']:,.1f} ms | {out['max_ms']:,.1f} ms | "
        f"{out['unknown']} | {out['timeouts']} | {out['errors']} | "
        f"{', '.join(f'{k} {v}' for k, v in out['relations'].items())} | "
        f"{'met' if out['goal_met'] else '**not met**'} |",
    ]
    if out["timeouts"]:
        out["markdown"] += ["", f"A pair still running after {PAIR_LIMIT_S:g} s was stopped (its helper killed and "
                            f"restarted) and counts at {PAIR_LIMIT_S:g} s in the percentiles: a lower bound of its "
                            "latency. Z3's own per-query timeout did not bound these pairs."]
    if out["error_samples"]:
        out["markdown"] += ["", "Errors raised by compare (first distinct messages): "
                            + "; ".join(f"`{e}`" for e in out["error_samples"])]
    return out


def _proof_rows(data: Any) -> list[dict] | None:
    """The list of proofs in ``iamspec prove --json``'s output: a list, or the first list of objects with a
    ``status`` among an object's values."""
    if isinstance(data, list):
        return [p for p in data if isinstance(p, dict)]
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and value and all(isinstance(p, dict) and "status" in p for p in value):
                return value
    return None


def _parse_json_or_lines(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        rows = [json.loads(x) for x in text.splitlines() if x.strip().startswith("{")]
        return rows or None


def prove_worker() -> None:
    """Time every named invariant with ``spec.smt.prove.prove`` (used while ``iamspec prove`` is not built)."""
    from spec.smt.prove import prove, registry

    out = []
    for name in registry():
        t0 = time.perf_counter()
        try:
            out.append(prove(name).as_json())
        except Exception as exc:  # reported, the other proofs still run
            out.append({"name": name, "status": f"error: {type(exc).__name__}: {str(exc)[:200]}",
                        "seconds": round(time.perf_counter() - t0, 3)})
    sys.stdout.write(json.dumps(out) + "\n")


def run_proofs(quick: bool, log: Callable[[str], None], cpu: int | None = 0, command: bool = True) -> dict:
    """The time of each proof: from ``iamspec prove --json`` when the command exists (``command``), else from
    ``spec.smt.prove`` directly, in a process of its own."""
    limit = 60.0 if quick else 240.0
    if command:
        label = "iamspec prove --json"
        argv = [sys.executable, "-m", "harness", "prove", "--json"]
    else:
        label = "spec.smt.prove.prove for every invariant (`iamspec prove` is not built yet)"
        argv = [sys.executable, "-m", "harness.bench.smt", "prove"] + ([] if cpu is None else ["--cpu", str(cpu)])
    log(f"proofs: {label} (at most {limit:g} s) ...")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=limit, env=child_env(), cwd=str(ROOT),
                              check=False)
    except subprocess.TimeoutExpired:
        return {"unavailable": f"{label} did not finish in {limit:g} s"}
    total = time.perf_counter() - t0
    proofs = _proof_rows(_parse_json_or_lines(proc.stdout))
    if proofs is None:
        return {"unavailable": f"{label} printed no list of proofs (exit {proc.returncode}): "
                               f"{(proc.stderr or proc.stdout).strip()[-300:]}"}
    rows = [{"name": p.get("name") or p.get("id"), "status": p.get("status") or p.get("result"),
             "seconds": p.get("seconds", p.get("time_s"))} for p in proofs]
    timed = [r["seconds"] for r in rows if isinstance(r["seconds"], int | float)]
    md = [f"{label}: {len(rows)} proofs, {sum(timed):.2f} s of solving, {total:.1f} s for the whole process "
          "(start and imports included).", "", "| proof | status | seconds |", "| --- | --- | --- |"]
    md += [f"| `{r['name']}` | {r['status']} | {r['seconds'] if r['seconds'] is not None else '–'} |" for r in rows]
    return {"command": label, "total_s": round(total, 2), "exit": proc.returncode, "proofs": rows, "markdown": md}


def main(argv: list[str] | None = None) -> int:
    from harness.bench.child import pin

    parser = argparse.ArgumentParser(prog="python -m harness.bench.smt")
    parser.add_argument("what", choices=("compare", "prove"))
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args(argv)
    pin(args.cpu)
    if args.what == "prove":
        prove_worker()
    else:
        compare_worker()
    return 0


if __name__ == "__main__":
    sys.exit(main())
