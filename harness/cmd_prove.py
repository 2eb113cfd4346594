"""``iamspec prove [--json]``: prove every named invariant of the Z3 encoding (spec/smt) and print a table of
status and seconds; exit 0 only when every invariant is PROVED.

``--mutants`` runs the catalogue of deliberately wrong semantics instead and reports the kill rate (a mutant is
killed when a proof is REFUTED and a model test fails under it); ``--report FILE`` writes the table as Markdown.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from spec.smt import prove


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prove", help="prove the named invariants of the Z3 encoding")
    p.add_argument("--json", action="store_true", help='a JSON list of {"name","statement","status","seconds"}')
    p.add_argument("--timeout", type=int, default=prove.TIMEOUT_MS, help="per-proof timeout in ms (default 10000)")
    p.add_argument("--only", action="append", default=[], metavar="NAME", help="prove only this invariant")
    p.add_argument("--mutants", action="store_true", help="run the mutation catalogue and report the kill rate")
    p.add_argument("--no-tests", action="store_true", help="with --mutants: proofs only, skip the model tests")
    p.add_argument("--report", metavar="FILE", help="also write the results as Markdown")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.mutants:
        return _mutants(args)
    names = args.only or None
    unknown = [n for n in names or [] if n not in prove.registry()]
    if unknown:
        print(f"error: no invariant named {', '.join(unknown)}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results = prove.prove_all(args.timeout, names)
    total = time.perf_counter() - start
    if args.json:
        print(json.dumps([r.as_json() for r in results], indent=2))
    else:
        width = max(len(r.name) for r in results)
        for r in results:
            print(f"{r.name:<{width}}  {r.status:<8}  {r.seconds:7.3f}s")
            if r.status == prove.REFUTED:
                print(f"  counterexample: {json.dumps(r.counterexample)[:2000]}")
        print(f"{sum(r.status == prove.PROVED for r in results)}/{len(results)} proved in {total:.2f}s")
    if args.report:
        Path(args.report).write_text(_markdown(results, total))
    return 0 if all(r.status == prove.PROVED for r in results) else 1


def _markdown(results: list[prove.Result], total: float) -> str:
    lines = ["# iamspec prove", "", f"{sum(r.status == prove.PROVED for r in results)} of {len(results)} named "
             f"invariants PROVED in {total:.2f} s (one fresh Z3 solver each, timeout per proof).", "",
             "| invariant | status | seconds | statement |", "| --- | --- | --- | --- |"]
    lines += [f"| `{r.name}` | {r.status} | {r.seconds:.3f} | {r.statement} |" for r in results]
    return "\n".join(lines) + "\n"


def _mutants(args: argparse.Namespace) -> int:
    from spec.smt import mutation

    report = mutation.run(timeout_ms=args.timeout, with_tests=not args.no_tests)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for row in report["mutants"]:
            tests = "-" if row["tests_failed"] is None else ("fail" if row["tests_failed"] else "pass")
            print(f"{row['name']:<36} killed={str(row['killed']):<5} tests={tests:<4} "
                  f"refuted={','.join(row['refuted']) or '-'}")
        print(f"kill rate {report['killed']}/{report['total']} = {report['kill_rate']:.0%} "
              f"(baseline proved: {report['baseline_proved']}, baseline tests pass: {report['baseline_tests_pass']})")
    if args.report:
        lines = ["# Mutation sensitivity", "", f"Kill rate: {report['killed']}/{report['total']}.", "",
                 "| mutant | what it gets wrong | refuted | first failing test | killed |",
                 "| --- | --- | --- | --- | --- |"]
        lines += [f"| `{r['name']}` | {r['wrong']} | {', '.join(r['refuted']) or '-'} | "
                  f"{r.get('first_failing_test') or '-'} | {r['killed']} |" for r in report["mutants"]]
        Path(args.report).write_text("\n".join(lines) + "\n")
    return 0 if report["killed"] == report["total"] else 1
