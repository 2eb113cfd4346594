"""Conformance throughput per target, and the harness's own share of the time.

Each target runs a ``harness.conform.Conformance`` campaign (regression corpus, then generated examples per
feature, minimisation of new divergences) in a process of its own, pinned to one CPU. Time is split three ways, by
the engine's own clocks: inside the target's ``decide``/``run_scenario`` calls (the target's own time), inside the
model's, and everything else (Hypothesis generation, classification, comparison, minimisation, bookkeeping: the
harness's own share).

    python -m harness.bench.conformance TARGET --budget SECONDS --seed S [--cpu C]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable

from harness.bench.measure import ROOT, child_env

TARGETS = ("moto", "moto-server", "ministack", "iam-simulate", "principalmapper")


QUICK_FEATURES = 8  # --quick: the first features of harness.features, without the regression corpus


def measure(name: str, budget: float, seed: int, quick: bool = False) -> dict:
    """One timed campaign against ``name``; ``{"unavailable": why}`` when the target cannot start.

    The split of the time comes from the engine's own clocks (``Conformance.costs``), the ones every conformance
    run keeps: each call to the target and to the model is timed on its own, so what lies between the calls
    (generation, the loops, classification, comparison, minimisation, bookkeeping) is the harness's. No stopwatch
    is added around the targets: a wrapper's own work would land in the harness's share."""
    from harness.conform import REGRESSION, Conformance
    from harness.features import EVAL, FEATURE_IDS
    from harness.targets.base import TargetUnavailable, get_target

    target, model = get_target(name), get_target("model")
    try:
        t0 = time.perf_counter()
        target.start()
        start_s = time.perf_counter() - t0
        model.start()
    except TargetUnavailable as exc:
        return {"unavailable": f"{exc.message} (to install: {exc.how_to_install})"}
    try:
        t0 = time.perf_counter()
        features = tuple(FEATURE_IDS[:QUICK_FEATURES]) if quick else None
        engine = Conformance(target, model, budget=budget, seed=seed, features=features,
                             regression=None if quick else REGRESSION)
        result = engine.run()
        total = time.perf_counter() - t0
    finally:
        for t in (target, model):
            with contextlib.suppress(Exception):  # a target that fails to stop must not lose the figures
                t.stop()
    cases, scenarios = engine.costs[EVAL], engine.costs["api"]
    target_s = cases.target_s + scenarios.target_s
    model_s = cases.model_s + scenarios.model_s
    harness_s = max(0.0, total - target_s - model_s)
    return {
        "version": target.version(),
        "budget_s": budget,
        "scope": f"first {QUICK_FEATURES} features, no regression corpus" if quick else "every feature, regression corpus",
        "start_s": round(start_s, 3),
        "total_s": round(total, 3),
        "cases": cases.inputs,
        "scenarios": scenarios.inputs,
        "steps": scenarios.steps,
        "divergences": len(result.divergences),
        "target_case_s": round(cases.target_s, 3),
        "target_scenario_s": round(scenarios.target_s, 3),
        "model_s": round(model_s, 3),
        "harness_s": round(harness_s, 3),
        "cases_per_s": round(cases.inputs / total, 1) if total else None,
        "steps_per_s": round(scenarios.steps / total, 1) if total else None,
        "target_cases_per_s": round(cases.inputs / cases.target_s, 1) if cases.target_s else None,
        "target_steps_per_s": round(scenarios.steps / scenarios.target_s, 1) if scenarios.target_s else None,
        "harness_share_of_run": round(harness_s / total, 3) if total else None,
        "harness_over_target": round(harness_s / target_s, 3) if target_s else None,
        "levels": {level: {**c, "harness_over_target": round(c["harness_s"] / c["target_s"], 3) if c["target_s"] else None}
                   for level, c in engine.level_costs().items()},
    }


CAMPAIGN_S = 240.0  # the budget of `iamspec conform`: the harness's share is measured on runs like the real one


def run_conformance(quick: bool, seed: int, cpu: int | None, log: Callable[[str], None],
                    targets: tuple[str, ...] | None = None, budget: float | None = None) -> dict:
    """A campaign per target (``--quick``: moto alone, 2 s, a few features; else every target, ``budget`` seconds
    (default ``CAMPAIGN_S``), every feature). A campaign overruns its budget by the regression corpus, a minimum of
    examples per feature and minimisation. The budget matters to the harness's share: each feature's generation has
    fixed costs (starting Hypothesis, the first draws), which a short campaign does not amortise."""
    budget = budget or (2.0 if quick else CAMPAIGN_S)
    targets = targets or (("moto",) if quick else TARGETS)
    rows: dict[str, dict] = {}
    for name in targets:
        log(f"conformance: {name} ({budget:g} s campaign) ...")
        argv = [sys.executable, "-m", "harness.bench.conformance", name, "--budget", str(budget), "--seed", str(seed)]
        argv += ["--quick"] if quick else []
        if cpu is not None:
            argv += ["--cpu", str(cpu)]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=budget * 6 + 120, env=child_env(),
                                  cwd=str(ROOT), check=False)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
            rows[name] = json.loads(lines[-1]) if lines else {
                "unavailable": f"the campaign process failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"}
        except subprocess.TimeoutExpired:
            rows[name] = {"unavailable": "the campaign did not finish in time"}
        log(f"conformance: {name}: {rows[name]}")
    return {"budget_s": budget, "targets": rows, "markdown": _markdown(rows, budget, quick)}


def _markdown(rows: dict[str, dict], budget: float, quick: bool) -> list[str]:
    scope = (f"the first {QUICK_FEATURES} features, no regression corpus" if quick
             else "regression corpus, every feature")
    out = [f"Each target ran a `harness.conform` campaign with a {budget:g}-second budget ({scope}; generated "
           "examples, minimisation; a campaign overruns its budget by a minimum of examples per feature) in its own "
           "process pinned to one CPU. Wall-clock time is split between the target's calls, the model's calls, and "
           "the rest (the harness: generation, the loops around the calls, classification, comparison, "
           "minimisation), by the clocks every conformance run keeps: each call is timed on its own, and no "
           "stopwatch is added around the targets for the bench. A target's time is what its "
           "`decide`/`run_scenario` takes: the target's own code and iamspec's adapter that turns a case into the "
           "target's calls (reading the case, translating it, the adapter's own time limit on each call it makes), "
           "the same boundary as the "
           "evaluator table's end-to-end figures. The model's time is a column of its own: the reference's answers "
           "are what the target is compared with, not the harness's overhead. 'cases/s (run)' and "
           "'steps/s (run)' divide by the whole run, which mixes both kinds of input.", "",
           "| target | cases | scenario steps | cases/s (run) | steps/s (run) | target alone: cases/s, steps/s | "
           "time: target / model / harness (s) | harness ÷ target time |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in rows.items():
        if "unavailable" in r:
            out.append(f"| `{name}` | unavailable: {r['unavailable'][:150]} | | | | | | |")
            continue
        ratio = r["harness_over_target"]
        verdict = "–" if ratio is None else f"{100 * ratio:.1f}%" + ("" if ratio <= 0.10 else " (**goal ≤ 10% not met**)")
        out.append(
            f"| `{name}` {r.get('version') or ''} | {r['cases']:,} | {r['steps']:,} | {r['cases_per_s'] or 0:,.1f} | "
            f"{r['steps_per_s'] or 0:,.1f} | {r['target_cases_per_s'] or '–'}, {r['target_steps_per_s'] or '–'} | "
            f"{r['target_case_s'] + r['target_scenario_s']:.1f} / {r['model_s']:.1f} / {r['harness_s']:.1f} | {verdict} |")
    out += ["", "The generated part of each run, by level (regression corpus excluded; minimisation included). Each "
            "drawn example is followed by variants of it (same policies and caller with other requests; same world "
            "with other probes) as long as drawing stays within 3% of the target's time, so a fast target gets up to "
            "4,096 inputs per draw; at evaluator level a drawn case and its variants run as one batch "
            "(`harness/casebatch.py`). The harness's time splits into drawing (Hypothesis, its engine included) "
            "and the rest: variants, the loops around the calls, classification by feature, comparison, "
            "counting, and minimising new divergences (its own part).", "",
            "| target | level | inputs | drawn examples | target time per input | harness time per input "
            "(drawing / rest) | harness ÷ target time |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in rows.items():
        for level, c in (r.get("levels") or {}).items():
            if not c.get("inputs"):
                continue
            ratio = c.get("harness_over_target")
            per = 1e6 / c["inputs"]
            draw = c.get("draw_s", 0.0)
            verdict = "–" if ratio is None else f"{100 * ratio:.1f}%" + ("" if ratio <= 0.10 else " (over 10%)")
            out.append(f"| `{name}` | {level} | {c['inputs']:,} | {c['draws']:,} | {per * c['target_s']:,.1f} µs | "
                       f"{per * c['harness_s']:,.1f} µs ({per * draw:,.1f} / {per * (c['harness_s'] - draw):,.1f}) | "
                       f"{verdict} |")
    return out


def main(argv: list[str] | None = None) -> int:
    from harness.bench.child import pin

    parser = argparse.ArgumentParser(prog="python -m harness.bench.conformance")
    parser.add_argument("target")
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    pin(args.cpu)
    try:
        out = measure(args.target, args.budget, args.seed, args.quick)
    except Exception as exc:  # reported, never a crash of the bench
        out = {"unavailable": f"the campaign failed: {type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
