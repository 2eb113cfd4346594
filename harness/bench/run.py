"""``iamspec bench``: every section in one run, written to ``bench.json``, ``bench.md`` and ``bench-scaling.png``."""

from __future__ import annotations

import json
import shlex
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness.bench import evaluator, machine, report, scaling, workloads
from harness.bench.optional import compare_section, conformance_section, proofs_section

SECTIONS = ("evaluator", "scaling", "compare", "proofs", "conformance")
FULL_CASES, QUICK_CASES = 1000, 100
RUNS = 3

METHOD = [
    "Each figure comes from a fresh Python process (`python -m harness.bench.child`) pinned to one CPU with "
    "`os.sched_setaffinity`; the Node loop and the harness's Node helper inherit the pin, so a pipe's two ends "
    "share that one core.",
    "End to end (`decisions_per_s`): the case's JSON line is decoded (orjson, the decoder the model's own "
    "`spec.decide.answer_line` uses, for every Python loop; `JSON.parse` in Node), its policies are read into "
    "the evaluator's own objects, and the request is answered. With policies loaded (`eval_per_s`): every case "
    "was read beforehand; only the decision is timed.",
    "The first end-to-end pass over the workload is the warm-up (reported as 'first pass/s': most policies are "
    f"then new to the process). Then {RUNS} end-to-end runs and {RUNS} loaded runs over the same cases; figures "
    "are cases ÷ the median run. Runs repeat the same cases, so every evaluator's caches are warm (the model's "
    "parsed-policy cache and compiled patterns, MiniStack's compiled wildcards, Python's `re` cache): these are "
    "steady-state figures for a long-lived evaluator that keeps seeing the same policies.",
    "Clock: with `--clock cpu` (the default) a run's time is the CPU time of the measuring process "
    "(`time.process_time()`) plus that of its live children from `/proc/PID/stat` (the iam-simulate pipe's Node "
    "helper), and `process.cpuUsage()` in the Node loop; with `--clock wall`, elapsed time. CPU time keeps the "
    "figures meaningful on a machine shared with other work; bench.json gives both (`wall_clock`, `runs`).",
    "`peak_mb` is the peak resident set size of the measuring process (`VmHWM` from `/proc/self/status`; "
    "`resource.getrusage` where that is missing), plus the Node helper's (`RUSAGE_CHILDREN`) for the pipe; the "
    "Node loop reports its own `VmHWM`. It is a whole-process figure — interpreter, the evaluator's library, the "
    "workload's lines and every case loaded at once — not the evaluator's marginal memory (bench.json gives "
    "`baseline_mb`, the resident size once the evaluator was imported and started).",
    "'agrees with iamspec' is a sanity check that each peer was asked the same question, not a conformance "
    "verdict: a peer's `error:*` answers (iam-simulate refuses actions it does not know and resources of the "
    "wrong type) and its known divergences count as disagreement. principalmapper answers a boolean, so its "
    "denial matches either of the model's denials.",
    "`ten-managed` uses half the cases of the other workloads (each case carries ten times the policies).",
    "No timing is asserted anywhere in the test suite; the goals are checked here, in the report.",
]


def workload_cases(name: str, n: int) -> int:
    return max(1, n // 2) if name == "ten-managed" else n


def _reproduce(cases: int, seed: int, cpu: int | None, quick: bool, clock: str) -> dict[str, str]:
    base = f"iamspec bench --out DIR --cases {cases} --seed {seed} --cpu {-1 if cpu is None else cpu} --clock {clock}"
    base += " --quick" if quick else ""
    return {"every figure": base, **{s: f"{base} --sections {s}" for s in SECTIONS}}


def run_bench(out: Path, cases: int | None = None, quick: bool = False, seed: int = 6, cpu: int | None = 0,
              sections: tuple[str, ...] = SECTIONS, log: Callable[[str], None] = print,
              peers: tuple[str, ...] = evaluator.PEERS, sizes: tuple[int, ...] = scaling.SIZES,
              clock: str = "cpu", campaign: float | None = None) -> dict:
    t0 = time.perf_counter()
    plain_log = log

    def log(msg: str) -> None:  # every progress line with the seconds since the start
        plain_log(f"[{time.perf_counter() - t0:6.1f} s] {msg}")

    n = cases or (QUICK_CASES if quick else FULL_CASES)
    out.mkdir(parents=True, exist_ok=True)
    facts = machine.facts()
    command = (f"iamspec bench --out {shlex.quote(str(out))} --cases {n} --seed {seed} "
               f"--cpu {-1 if cpu is None else cpu} --clock {clock}")
    command += (" --quick" if quick else "") + ("" if sections == SECTIONS else f" --sections {','.join(sections)}")
    command += "" if peers == evaluator.PEERS else f" --peers {','.join(peers) or 'none'}"
    command += "" if campaign is None else f" --campaign {campaign:g}"
    result: dict = {
        "schema": "iamspec-bench/1",
        "command": command,
        "reproduce": _reproduce(n, seed, cpu, quick, clock),
        "machine": facts,
        "settings": {"cases": n, "clock": clock, "runs": RUNS, "seed": seed, "cpu": cpu, "quick": quick, "sections": list(sections),
                     "peers": list(peers), "scaling_sizes": list(sizes)},
        "method": METHOD,
    }
    marks: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="iamspec-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if "evaluator" in sections:
            marks["evaluator"] = time.perf_counter()
            wls = [workloads.build(name, workload_cases(name, n), seed) for name in workloads.WORKLOADS]
            result["evaluator"], result["evaluator_details"] = evaluator.run(wls, tmp, RUNS, 50, cpu, log, peers,
                                                                             clock)
            result["goals"] = report.goals(result["evaluator"])
        if "scaling" in sections:
            marks["scaling"] = time.perf_counter()
            result["scaling"] = scaling.run(n, seed, tmp, RUNS, cpu, log, sizes, clock)
            why = scaling.plot(result["scaling"], out / "bench-scaling.png")
            if why is None:
                result["plot"] = "bench-scaling.png"
            else:
                result["plot_unavailable"] = why
        if "compare" in sections:
            marks["compare"] = time.perf_counter()
            result["compare"] = compare_section(quick, seed, cpu, log)
        if "proofs" in sections:
            marks["proofs"] = time.perf_counter()
            result["proofs"] = proofs_section(quick, cpu, log)
        if "conformance" in sections:
            marks["conformance"] = time.perf_counter()
            result["conformance"] = conformance_section(quick, seed, cpu, log, campaign)
    order = sorted(marks.items(), key=lambda kv: kv[1]) + [("end", time.perf_counter())]
    result["section_s"] = {name: round(order[i + 1][1] - at, 1) for i, (name, at) in enumerate(order[:-1])}
    result["summary"] = report.summary(result)
    facts["load_average_end"] = machine.load_average()
    result["elapsed_s"] = round(time.perf_counter() - t0, 1)
    (out / "bench.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "bench.md").write_text(report.markdown(result), encoding="utf-8")
    return result
