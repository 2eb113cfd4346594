"""The evaluator section: the model and every evaluator-level peer on the same workloads, one CPU, one run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.bench.measure import agreement, figures, run_child, seconds, spread, tally
from harness.bench.workloads import Workload

PEERS = ("moto", "ministack", "principalmapper", "iam-simulate-node", "iam-simulate-pipe")
PEER_NOTES = {
    "moto": "moto's access-control evaluator, moto.iam.access_control.IAMPolicy.is_action_permitted, combined as "
            "moto's IAMRequestBase.check_action_permitted does (in-process)",
    "ministack": "MiniStack's evaluator, ministack.core.iam_evaluator.parse_policy_document + evaluate (in-process)",
    "principalmapper": "principalmapper's local simulation, query_interface.local_check_authorization_full on a "
                       "hand-built Node (in-process; answers a boolean)",
    "iam-simulate-node": "iam-simulate's runSimulation in a Node loop of its own (harness/bench/node/bench.mjs): "
                         "JSON.parse of the case line, translation, simulation; loaded = policies pre-validated",
    "iam-simulate-pipe": "iam-simulate through the harness's target (harness.targets iam-simulate): Python "
                         "translation, one JSON line to Node and back per decision; 'loaded' only skips decoding "
                         "the case line in Python (the policies still cross the pipe with every decision)",
}


def run(workloads: list[Workload], tmp: Path, runs: int, warmup: int, cpu: int | None,
        log: Callable[[str], None], peers: tuple[str, ...] = PEERS, clock: str = "cpu",
        ) -> tuple[list[dict], list[dict]]:
    """(``evaluator`` entries exactly as issue 6 shapes them, per-workload details: raw timings by both clocks,
    spreads, decisions, agreement with the model, versions). A peer left out of ``peers`` is reported
    unavailable."""
    entries, details = [], []
    for w in workloads:
        path = tmp / f"{w.name}.jsonl"
        path.write_text("\n".join(w.lines) + "\n", encoding="utf-8")
        raws = {}
        for target in ("iamspec", *PEERS):
            if target != "iamspec" and target not in peers:
                raws[target] = {"unavailable": "not measured in this run (--peers)"}
                continue
            log(f"evaluator: {w.name}: {target} ...")
            raws[target] = run_child(target, path, runs, warmup, cpu)
            log(f"evaluator: {w.name}: {target}: {figures(raws[target], clock)}")
        entries.append({
            "workload": w.name,
            "cases": len(w.cases),
            "iamspec": figures(raws["iamspec"], clock),
            "peers": {p: figures(raws[p], clock) for p in PEERS},
        })
        details.append(_details(w, raws, clock))
    return entries, details


def _runs(raw: dict, key: str) -> list[float] | None:
    return [round(s, 4) for s in raw[key]] if raw.get(key) else None


def _details(w: Workload, raws: dict[str, dict], clock: str) -> dict:
    model_raw = raws["iamspec"]
    model = figures(model_raw, clock)
    out: dict = {"workload": w.name, "description": w.description, "cases": len(w.cases),
                 "statements_per_case": round(w.statements_per_case(), 2), "clock": clock, "targets": {}}
    for target, raw in raws.items():
        if "unavailable" in raw:
            out["targets"][target] = {"unavailable": raw["unavailable"]}
            continue
        fig = figures(raw, clock)
        first = raw.get("first_pass_cpu_s" if clock == "cpu" else "first_pass_s") or raw.get("first_pass_s")
        entry = {
            **fig,
            "wall_clock": {k: v for k, v in figures(raw, "wall").items() if k != "peak_mb"},
            "version": raw.get("version"),
            "first_pass_per_s": round(len(raw["decisions"]) / first, 1) if first else None,
            "runs": {k: _runs(raw, k) for k in ("e2e_cpu_s", "eval_cpu_s", "e2e_s", "eval_s")},
            "spread_e2e": spread(seconds(raw, "e2e", clock)),
            "spread_eval": spread(seconds(raw, "eval", clock)),
            "load_s": round(raw.get("load_s", 0.0), 4),
            "baseline_mb": None if raw.get("baseline_mb") is None else round(raw["baseline_mb"], 1),
            "decisions": tally(raw["decisions"]),
            "loaded_agree": raw.get("loaded_agree"),
            "note": PEER_NOTES.get(target, "iamspec: spec.decide.answer_line end to end; spec.authorize.authorize "
                                           "on parsed cases"),
        }
        if target != "iamspec" and "unavailable" not in model_raw:
            entry["agreement_with_model"] = agreement(model_raw["decisions"], raw["decisions"])
            entry["model_ratio"] = {k: round(model[k] / fig[k], 2) for k in ("decisions_per_s", "eval_per_s")}
        out["targets"][target] = entry
    return out
