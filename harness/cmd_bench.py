"""``iamspec bench [--out DIR] [--cases N] [--quick]``: speed and memory of the model, the prover and the harness,
beside the peers (issue 6). Writes ``bench.json``, ``bench.md`` and ``bench-scaling.png``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from harness.bench.run import SECTIONS

    p = sub.add_parser("bench", help="benchmark the model, the prover and the harness beside the peers")
    p.add_argument("--out", default="reports", help="folder for bench.json, bench.md, bench-scaling.png (default: reports)")
    p.add_argument("--cases", type=int, default=None,
                   help="cases per workload (default 1000; 100 with --quick; ten-managed takes half)")
    p.add_argument("--quick", action="store_true", help="a short run (about a minute): fewer cases and queries")
    p.add_argument("--seed", type=int, default=6, help="seed of the workloads (default 6)")
    p.add_argument("--cpu", type=int, default=0, help="the CPU every measurement is pinned to (default 0; -1: no pin)")
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})")
    p.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                   help="time runs by CPU time of the measuring processes (default) or by elapsed time")
    p.add_argument("--campaign", type=float, default=None,
                   help="seconds of each conformance campaign (default 240, the budget of `iamspec conform`; 2 with "
                   "--quick)")
    p.add_argument("--peers", default=None,
                   help="comma-separated peers to measure (default all: moto, ministack, principalmapper, "
                   "iam-simulate-node, iam-simulate-pipe; 'none' for the model alone)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from harness.bench.run import SECTIONS, run_bench

    sections = tuple(s.strip() for s in args.sections.split(",") if s.strip())
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        print(f"iamspec bench: unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    from harness.bench.evaluator import PEERS

    peers = PEERS if args.peers is None else tuple(p.strip() for p in args.peers.split(",") if p.strip() not in ("", "none"))
    if [p for p in peers if p not in PEERS]:
        print(f"iamspec bench: unknown peer(s); known: {', '.join(PEERS)}", file=sys.stderr)
        return 2
    if args.campaign is not None and args.campaign <= 0:
        print("iamspec bench: --campaign must be positive", file=sys.stderr)
        return 2
    if args.cases is not None and args.cases < 1:
        print("iamspec bench: --cases must be at least 1", file=sys.stderr)
        return 2

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    out = Path(args.out)
    run_bench(out, cases=args.cases, quick=args.quick, seed=args.seed, cpu=None if args.cpu < 0 else args.cpu,
              sections=sections, log=log, peers=peers, clock=args.clock, campaign=args.campaign)
    print(f"wrote {out / 'bench.md'} and {out / 'bench.json'}")
    return 0
