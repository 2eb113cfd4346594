"""``iamspec conform [--target NAME] [--endpoint-url URL] [--allow-remote] [--budget SECONDS | --examples N]
[--seed S] [--out DIR]``: hold a target to the model and write its conformance reports (formats/report.md).

With no arguments it runs the embedded default target, moto in-process, for at most four minutes and writes
``reports/``. A progress bar goes to standard error. Ctrl-C stops the run and still writes what is known.
Exit status: 0 the reports were written; 2 the target was unavailable (reports say so) or the arguments were wrong;
130 interrupted (reports written).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from harness.targets.base import TARGET_NAMES, TargetUnavailable, get_target

DEFAULT_TARGET = "moto"
DEFAULT_BUDGET = 240.0
DB_ENV = "IAMSPEC_HYPOTHESIS_DB"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("conform", help="hold a target to the model and write its conformance reports")
    p.add_argument("--target", default=DEFAULT_TARGET, choices=TARGET_NAMES,
                   help=f"the implementation to check (default: {DEFAULT_TARGET}, in-process)")
    p.add_argument("--endpoint-url", help="an AWS-compatible endpoint (target 'endpoint'); loopback only by default")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback endpoint (never real credentials)")
    bound = p.add_mutually_exclusive_group()
    bound.add_argument("--budget", type=float, metavar="SECONDS",
                       help=f"time for the whole run, regression corpus included (default {DEFAULT_BUDGET:g})")
    bound.add_argument("--examples", type=int, metavar="N", help="generated examples per feature and level, no time bound")
    p.add_argument("--seed", type=int, help="seed of the generated examples (default: random, printed in the report)")
    p.add_argument("--out", default="reports", help="folder for the reports (default: reports)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds allowed for each call (default 10)")
    p.add_argument("--features", help="only these features (comma-separated ids, e.g. action.not-action,sts.expiry)")
    p.add_argument("--hypothesis-db", metavar="DIR", default=os.environ.get(DB_ENV),
                   help=f"Hypothesis example database folder, may be shared (default: ${DB_ENV} or none)")
    p.add_argument("--no-regression", action="store_true", help="skip the curated regression corpus")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


class ProgressBar:
    """One line on standard error, redrawn at most ten times a second."""

    def __init__(self, stream=sys.stderr, width: int = 28) -> None:
        self.stream, self.width, self.last = stream, width, 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, info: dict) -> None:
        now = time.monotonic()
        if self.tty and now - self.last < 0.1:
            return
        if not self.tty and (info.get("phase") != "generate" or now - self.last < 10):
            return
        self.last = now
        fraction = (info["unit"] - 1) / info["units"] if info.get("units") else 0.0
        if info.get("budget") and info["budget"] != float("inf"):
            fraction = max(fraction, min(1.0, info["elapsed"] / info["budget"]))
        filled = int(fraction * self.width)
        what = info.get("feature") or info.get("item") or ""
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {info['elapsed']:5.0f}s "
                f"{info.get('phase', '')} {what} {info.get('level', '')} | cases {info['cases']} scenarios "
                f"{info['scenarios']} divergences {info['divergences']}")
        if self.tty:
            self.stream.write("\r" + line[:150].ljust(150))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def conform(target_name: str, *, out: str | Path, budget: float | None = None, examples: int | None = None,
            seed: int | None = None, timeout: float = 10.0, endpoint_url: str | None = None,
            allow_remote: bool = False, features: tuple[str, ...] | None = None, database: str | None = None,
            regression: bool = True, progress=None):
    """Run a conformance check and write the reports; return the :class:`~harness.report.results.RunResult`."""
    from harness.conform import REGRESSION, Conformance
    from harness.report import write_reports
    from harness.report.results import RunResult

    if examples is not None:
        budget, cap = float("inf"), examples
    else:
        budget, cap = (budget if budget is not None else DEFAULT_BUDGET), 1000
    target = get_target(target_name, endpoint_url=endpoint_url, timeout=timeout, allow_remote=allow_remote)
    model = get_target("model", timeout=timeout) if target_name != "model" else target
    try:
        target.start()
        if model is not target:
            model.start()
    except TargetUnavailable as exc:
        result = RunResult(target=target_name, mode=getattr(target, "mode", ""),
                           unavailable=f"{exc.message}. To install: {exc.how_to_install}")
        for fid in features or ():
            result.tally(fid)
        if not features:
            from harness.features import FEATURE_IDS

            for fid in FEATURE_IDS:
                result.tally(fid)
        write_reports(result, out)
        return result
    engine = Conformance(target, model, budget=budget, examples=cap, seed=seed, timeout=timeout, database=database,
                         regression=REGRESSION if regression else None, features=features, progress=progress)
    try:
        result = engine.run()
    finally:
        for t in {id(target): target, id(model): model}.values():
            with contextlib.suppress(Exception):
                t.stop()
    write_reports(result, out)
    return result


def run(args: argparse.Namespace) -> int:
    from harness.features import BY_ID

    features = tuple(f.strip() for f in args.features.split(",") if f.strip()) if args.features else None
    unknown = [f for f in features or () if f not in BY_ID]
    if unknown:
        print(f"iamspec conform: unknown feature(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.target == "endpoint" and not args.endpoint_url:
        print("iamspec conform: --target endpoint needs --endpoint-url URL", file=sys.stderr)
        return 2
    bar = None if args.quiet else ProgressBar()
    result = conform(args.target, out=args.out, budget=args.budget, examples=args.examples, seed=args.seed,
                     timeout=args.timeout, endpoint_url=args.endpoint_url, allow_remote=args.allow_remote,
                     features=features, database=args.hypothesis_db, regression=not args.no_regression,
                     progress=bar)
    if bar:
        bar.done()
    s = result.summary()
    print(f"{result.target}: {s['conformant']} conformant, {s['divergent']} divergent, {s['unsupported']} unsupported,"
          f" {s['error']} error; {len(result.divergences)} divergences; {result.cases} cases, {result.scenarios} "
          f"scenarios in {result.seconds:.0f} s; reports in {args.out}/")
    if result.unavailable:
        print(f"iamspec conform: target {result.target} unavailable: {result.unavailable}", file=sys.stderr)
        return 2
    return 130 if result.interrupted else 0
