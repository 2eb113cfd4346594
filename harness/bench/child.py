"""One measurement in a process of its own: one evaluator on one workload file, pinned to one CPU.

    python -m harness.bench.child TARGET CASES.jsonl --runs R --warmup W [--cpu C]

prints one JSON object: the seconds of the first end-to-end pass (the warm-up, every policy new to the process),
of each following end-to-end run (``decide_line`` over every line) and of each run with
the policies loaded (``evaluate`` over every pre-loaded case), the decisions of the first run, the time to load, and
memory: ``peak_mb`` is the peak resident set size of the process (``VmHWM``; plus its Node helper's
``resource.getrusage(RUSAGE_CHILDREN)`` for the iam-simulate pipe), ``baseline_mb`` the resident size after the evaluator started and before the
workload was read.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import traceback
from pathlib import Path

try:
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    from json import loads as _loads

NODE_BENCH = Path(__file__).with_name("node") / "bench.mjs"


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Current resident set size of this process, in MiB (Linux ``/proc``; 0 where unavailable)."""
    return _status_mb("VmRSS") or 0.0


def peak_self_mb() -> float:
    """This process's peak resident set size, in MiB: ``VmHWM`` (the high-water mark of this process image), else
    ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which on Linux also counts the parent's size at fork time."""
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_children_mb() -> float:
    """The largest peak resident set size among this process's finished children (its Node helper), in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def pin(cpu: int | None) -> int | None:
    """Run on one CPU only (children inherit it); ``None`` when the platform cannot pin."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return None
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


def measure_loop(target: str, lines: list[str], runs: int, warmup: int) -> dict:
    """Time an in-process evaluator loop (``harness.bench.peers``)."""
    from harness.bench.peers import LOOPS, Unavailable

    loop = LOOPS[target]()
    t0 = time.perf_counter()
    try:
        loop.start()
    except Unavailable as exc:
        return {"unavailable": str(exc)}
    out: dict = {"version": loop.version(), "start_s": time.perf_counter() - t0}
    try:
        baseline = rss_mb()
        t0 = time.perf_counter()
        for line in lines:  # the warm-up: a whole first pass, every policy new to the process
            loop.decide_line(line)
        first_pass = time.perf_counter() - t0
        e2e, decisions = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            got = [loop.decide_line(line) for line in lines]
            e2e.append(time.perf_counter() - t0)
            decisions = decisions or got
        t0 = time.perf_counter()
        loaded = [loop.load(_loads(line)) for line in lines]
        load_s = time.perf_counter() - t0
        for item in loaded[:warmup]:
            loop.evaluate(item)
        evals, loaded_decisions = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            got = [loop.evaluate(item) for item in loaded]
            evals.append(time.perf_counter() - t0)
            loaded_decisions = loaded_decisions or got
    finally:
        stop = getattr(loop, "stop", None)
        if stop:
            stop()
    out.update(first_pass_s=first_pass, e2e_s=e2e, eval_s=evals, load_s=load_s, decisions=decisions, baseline_mb=baseline,
               loaded_agree=decisions == loaded_decisions,
               peak_mb=peak_self_mb() + peak_children_mb())
    return out


def measure_node(path: str, runs: int, warmup: int, timeout: float) -> dict:
    """Time iam-simulate in its own Node loop (``node/bench.mjs``)."""
    try:
        from harness.targets.base import TargetUnavailable
        from harness.targets.node_setup import ensure_installed
    except ImportError as exc:
        return {"unavailable": f"harness.targets is not built ({exc})"}
    try:
        node, folder = ensure_installed()
    except TargetUnavailable as exc:
        return {"unavailable": str(exc)}
    proc = subprocess.run([node, str(NODE_BENCH), str(folder), path, str(runs), str(warmup)],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        return {"unavailable": f"the Node bench loop failed: {proc.stderr.strip()[-500:]}"}
    out = json.loads(proc.stdout)
    out["baseline_mb"] = None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.bench.child")
    parser.add_argument("target")
    parser.add_argument("cases")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    cpu = pin(args.cpu)
    try:
        if args.target == "iam-simulate-node":
            out = measure_node(args.cases, args.runs, args.warmup, args.timeout)
        else:
            with open(args.cases, encoding="utf-8") as fh:
                lines = [line for line in fh.read().splitlines() if line.strip()]
            out = measure_loop(args.target, lines, args.runs, args.warmup)
    except Exception as exc:  # a peer that breaks is reported, never a crash of the bench
        out = {"unavailable": f"the measurement failed: {type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc()[-2000:]}
    out["cpu"] = cpu
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
