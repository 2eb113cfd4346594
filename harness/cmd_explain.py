"""``iamspec explain CASE.json``: the decision on one case, with the reason for a person."""

from __future__ import annotations

import argparse
import sys

import orjson

from spec.case import parse_case
from spec.errors import IamError
from spec.explain import explain, render


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="explain the decision on one decision case")
    p.add_argument("case", help="a JSON file holding one decision case (or a JSON Lines file: its first line)")
    p.add_argument("--id", help="in a JSON Lines file, the case with this id")
    p.set_defaults(func=run)


def _load(path: str, case_id: str | None) -> object:
    with open(path, "rb") as f:
        data = f.read()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    for line in data.splitlines():
        if line.strip():
            case = orjson.loads(line)
            if case_id is None or (isinstance(case, dict) and case.get("id") == case_id):
                return case
    raise IamError("ValidationError", f"no case {case_id!r} in {path}")


def run(args: argparse.Namespace) -> int:
    try:
        case = parse_case(_load(args.case, args.id))
    except (IamError, orjson.JSONDecodeError, OSError) as err:
        msg = err.as_json() if isinstance(err, IamError) else {"code": "ValidationError", "message": str(err)}
        print(f"error {msg['code']}: {msg['message']}" + (f" (at {msg['where']})" if msg.get("where") else ""),
              file=sys.stderr)
        return 2
    print(render(explain(case.request, case.policies), case.request))
    return 0
