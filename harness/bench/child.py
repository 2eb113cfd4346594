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
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _children_cpu_s() -> float:
    """CPU seconds used so far by this process's live children (the Node helper of the iam-simulate pipe), read
    from ``/proc/PID/stat`` (utime + stime); 0 where ``/proc`` is unavailable."""
    me, total = os.getpid(), 0
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 12 and fields[1] == str(me):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _now() -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process and its live children)."""
    return time.perf_counter(), time.process_time() + _children_cpu_s()


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    w0, c0 = _now()
    out = fn()
    w1, c1 = _now()
    return w1 - w0, c1 - c0, out


def measure_loop(target: str, lines: list[str], runs: int, warmup: int) -> dict:
    """Time an in-process evaluator loop (``harness.bench.peers``): wall-clock and CPU seconds of every pass."""
    from harness.bench.peers import LOOPS, Unavailable

    loop = LOOPS[target]()
    t0 = time.perf_counter()
    try:
        loop.start()
    except Unavailable as exc:
        return {"unavailable": str(exc)}
    out: dict = {"version": loop.version(), "start_s": time.perf_counter() - t0}
    times: dict[str, list[float]] = {k: [] for k in ("e2e_s", "e2e_cpu_s", "eval_s", "eval_cpu_s")}
    try:
        baseline = rss_mb()
        # the warm-up: a whole first pass, every policy new to the process
        first_wall, first_cpu, decisions = _timed(lambda: [loop.decide_line(line) for line in lines])
        for _ in range(runs):
            wall, cpu, _got = _timed(lambda: [loop.decide_line(line) for line in lines])
            times["e2e_s"].append(wall)
            times["e2e_cpu_s"].append(cpu)
        load_s, _cpu, loaded = _timed(lambda: [loop.load(_loads(line)) for line in lines])
        for item in loaded[:warmup]:
            loop.evaluate(item)
        loaded_decisions = None
        for _ in range(runs):
            wall, cpu, got = _timed(lambda: [loop.evaluate(item) for item in loaded])
            times["eval_s"].append(wall)
            times["eval_cpu_s"].append(cpu)
            loaded_decisions = loaded_decisions or got
    finally:
        stop = getattr(loop, "stop", None)
        if stop:
            stop()
    out.update(first_pass_s=first_wall, first_pass_cpu_s=first_cpu, **times, load_s=load_s, decisions=decisions,
               baseline_mb=baseline, loaded_agree=decisions == loaded_decisions,
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
