"""``iamspec decide CASES.jsonl [--explain] [--check]``: answer decision cases, one answer line per input line.

Streaming: one line is read, answered and written at a time, so a million cases run in constant memory; a line
that is malformed gets an error line and the run goes on (formats/decision-case.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import IO

import orjson

from spec.decide import answer_line


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("decide", help="answer decision cases (JSON Lines), one answer line per case")
    p.add_argument("cases", help="a JSON Lines file of decision cases, or - for standard input")
    p.add_argument("--explain", action="store_true", help="add the trace of every statement that applied")
    p.add_argument("--check", action="store_true",
                   help="compare with each case's expected decision; print a summary; exit 1 on any mismatch")
    p.add_argument("--out", help="write answers here instead of standard output")
    p.set_defaults(func=run)


def decide_stream(lines: IO[bytes], out: IO[bytes], explain: bool = False, check: bool = False) -> Counter:
    """Answer every line of ``lines`` into ``out`` (binary streams); return counts (answered, error, agree,
    mismatch). Answers are written in blocks of a few hundred lines; memory stays constant."""
    counts: Counter = Counter()
    block: list[bytes] = []
    for line in lines:
        if not line.strip():
            continue
        answer = answer_line(line, explain)
        counts["error" if "error" in answer else "answered"] += 1
        if check:
            expected = _expected(line)
            if expected is not None:
                got = answer.get("decision", "error:" + answer.get("error", {}).get("code", "?"))
                if got == expected:
                    counts["agree"] += 1
                else:
                    counts["mismatch"] += 1
                    print(f"MISMATCH {answer.get('id')}: expected {expected}, got {got}", file=sys.stderr)
        block.append(orjson.dumps(answer))
        if len(block) >= 512:
            out.write(b"\n".join(block) + b"\n")
            block.clear()
    if block:
        out.write(b"\n".join(block) + b"\n")
    out.flush()
    return counts


def _expected(line: bytes) -> str | None:
    try:
        case = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return case.get("expected") if isinstance(case, dict) else None


def run(args: argparse.Namespace) -> int:
    source = sys.stdin.buffer if args.cases == "-" else open(args.cases, "rb")  # noqa: SIM115
    out = open(args.out, "wb") if args.out else sys.stdout.buffer  # noqa: SIM115
    try:
        counts = decide_stream(source, out, args.explain, args.check)
    finally:
        if source is not sys.stdin.buffer:
            source.close()
        if out is not sys.stdout.buffer:
            out.close()
    if args.check:
        checked = counts["agree"] + counts["mismatch"]
        print(f"checked {checked}: {counts['agree']} agree, {counts['mismatch']} mismatch; "
              f"{counts['error']} error lines", file=sys.stderr)
        return 1 if counts["mismatch"] else 0
    return 0
