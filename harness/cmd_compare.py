"""``iamspec compare``: questions about policies answered by the Z3 encoding, every witness replayed through the
model before it is printed.

- ``iamspec compare OLD.json NEW.json [--json]``: equivalent / more / less / incomparable (each document the only
  identity policy of one principal), with a witness request for each direction that differs;
- ``iamspec compare --pairs PAIRS.jsonl [--json] [--out FILE] [--report FILE]``: lines ``{"id","old","new"}`` in,
  lines ``{"id","relation","seconds","witnesses"}`` out;
- ``iamspec check-no-new-access OLD.json NEW.json``; ``iamspec always-allows CASE.json`` /
  ``iamspec always-denies CASE.json`` (a decision case whose request fields given by flags are fixed or globs,
  the rest free); ``iamspec who-can-assume ROLE --world DETAILS.json``; ``iamspec is-public POLICY.json``.

Exit status: 0 answered (for check-no-new-access: no new access; for always-*: yes; for is-public: not public),
1 the other answer, 3 unknown, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from spec.errors import IamError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare two identity policies (or --pairs) with the Z3 encoding")
    p.add_argument("files", nargs="*", metavar="OLD.json NEW.json")
    p.add_argument("--pairs", metavar="PAIRS.jsonl", help='compare each line {"id","old","new"}')
    p.add_argument("--versions", metavar="VERSIONS.jsonl[.gz]",
                   help="compare consecutive versions of each policy of a managed-policy version history "
                        "(lines {name, version, document}, e.g. ../shared/corpora/managed-policy-versions.jsonl.gz)")
    p.add_argument("--kind", choices=("identity", "resource"), default="identity",
                   help="read the documents as identity policies (default) or resource-based policies")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--out", help="with --pairs: write the answer lines here")
    p.add_argument("--report", help="with --pairs: write latency figures as Markdown here")
    p.add_argument("--timeout", type=int, default=4000, help="per-direction solver budget in ms")
    p.set_defaults(func=run_compare)
    q = sub.add_parser("check-no-new-access", help="does NEW grant nothing OLD does not? (Z3)")
    q.add_argument("files", nargs=2, metavar="FILE")
    q.set_defaults(func=run_no_new_access)
    for name, want in (("always-allows", True), ("always-denies", False)):
        a = sub.add_parser(name, help=f"is every request of the template {'allowed' if want else 'denied'}? (Z3)")
        a.add_argument("case", help="a decision case (JSON) holding the policies")
        a.add_argument("--action", help="action or glob (default: any)")
        a.add_argument("--resource", help="resource or glob (default: any)")
        a.add_argument("--principal", help='the caller; "*" for any (default: none stated)')
        a.add_argument("--resource-account", help='the resource\'s account; "*" for any')
        a.add_argument("--context", action="append", default=[], metavar="KEY=VALUE", help="fix a context key")
        a.set_defaults(func=run_always, want_allow=want)
    w = sub.add_parser("who-can-assume", help="every principal (class) that can assume a role (Z3)")
    w.add_argument("role", help="the role's name or ARN")
    w.add_argument("--world", required=True, help="the JSON of `aws iam get-account-authorization-details`")
    w.set_defaults(func=run_who)
    i = sub.add_parser("is-public", help="can anyone outside the named accounts get an Allow? (Z3)")
    i.add_argument("policy", help="a resource-based policy (JSON)")
    i.add_argument("--owner", default="111122223333", help="the resource owner's account")
    i.set_defaults(func=run_public)


def _load(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise IamError("ValidationError", f"cannot read {path}: {exc}") from None


def _fail(err: IamError) -> int:
    print(json.dumps({"error": err.as_json()}), file=sys.stderr)
    return 2


def run_compare(args: argparse.Namespace) -> int:
    from spec.smt.compare import compare_line, compare_policies

    if args.pairs or args.versions:
        return _pairs(args, compare_line)
    if len(args.files) != 2:
        print("error: compare takes OLD.json NEW.json, or --pairs PAIRS.jsonl", file=sys.stderr)
        return 2
    try:
        result = compare_policies(_load(args.files[0]), _load(args.files[1]), args.timeout, args.kind)
    except IamError as err:
        return _fail(err)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        print(f"{result.relation} ({result.seconds:.3f}s)")
        for w in result.witnesses:
            print(f"  old {w['old']}, new {w['new']}: {json.dumps(w['request'])}")
    return 3 if result.relation == "unknown" else 0


def _pairs(args: argparse.Namespace, compare_line: Any) -> int:
    out = open(args.out, "w") if args.out else sys.stdout  # noqa: SIM115
    seconds, relations = [], {}
    try:
        with (open(args.pairs) if args.pairs else _version_pairs(args.versions)) as lines:
            for raw in lines:
                if not raw.strip():
                    continue
                try:
                    line = json.loads(raw)
                except ValueError as exc:
                    answer: dict[str, Any] = {"id": None, "error": {"code": "ValidationError",
                                                                    "message": f"the line is not JSON: {exc}"}}
                else:
                    answer = compare_line(line, args.timeout, args.kind)
                rel = answer.get("relation", "error")
                relations[rel] = relations.get(rel, 0) + 1
                seconds.append(answer.get("seconds", 0.0))
                if args.json or args.out:
                    out.write(json.dumps(answer) + "\n")
                else:
                    out.write(f"{answer.get('id')}\t{rel}\t{answer.get('seconds')}\n")
    finally:
        if args.out:
            out.close()
    figures = latency(seconds, relations)
    print(json.dumps(figures), file=sys.stderr)
    if args.report:
        Path(args.report).write_text(markdown(figures, args.pairs or args.versions))
    return 0


def _version_pairs(path: str) -> Any:
    """Consecutive versions (by version number) of each policy in a version history, as pair lines."""
    import contextlib
    import gzip
    import io
    import re

    opener = gzip.open if path.endswith(".gz") else open
    by_name: dict[str, list[dict]] = {}
    with opener(path, "rt") as f:
        for raw in f:
            if raw.strip():
                record = json.loads(raw)
                by_name.setdefault(record["name"], []).append(record)
    lines = []
    for name, versions in sorted(by_name.items()):
        versions.sort(key=lambda r: int(re.sub(r"\D", "", str(r["version"])) or 0))
        for a, b in zip(versions, versions[1:], strict=False):
            lines.append(json.dumps({"id": f"{name}:{a['version']}->{b['version']}", "old": a["document"],
                                     "new": b["document"]}))
    return contextlib.closing(io.StringIO("\n".join(lines) + "\n"))


def latency(seconds: list[float], relations: dict[str, int]) -> dict[str, Any]:
    s = sorted(seconds)

    def pct(p: float) -> float:
        return round(s[min(len(s) - 1, int(p * len(s)))], 4) if s else 0.0

    return {"pairs": len(s), "relations": relations, "median": round(statistics.median(s), 4) if s else 0.0,
            "p95": pct(0.95), "p99": pct(0.99), "max": round(s[-1], 4) if s else 0.0,
            "unknown_share": round(relations.get("unknown", 0) / len(s), 5) if s else 0.0}


def markdown(f: dict[str, Any], source: str) -> str:
    rel = ", ".join(f"{k} {v}" for k, v in sorted(f["relations"].items()))
    return (f"# iamspec compare\n\nPairs from `{source}`: {f['pairs']}.\n\n| median | p95 | p99 | max | unknown |\n"
            f"| --- | --- | --- | --- | --- |\n| {f['median']} s | {f['p95']} s | {f['p99']} s | {f['max']} s | "
            f"{f['unknown_share']:.3%} |\n\nRelations: {rel}.\n")


def run_no_new_access(args: argparse.Namespace) -> int:
    from spec.smt.questions import check_no_new_access

    try:
        result = check_no_new_access(_load(args.files[0]), _load(args.files[1]))
    except IamError as err:
        return _fail(err)
    print(json.dumps(result, indent=2))
    return 3 if result["ok"] is None else 0 if result["ok"] else 1


def run_always(args: argparse.Namespace) -> int:
    from spec.smt.questions import ask

    template: dict[str, Any] = {k: v for k, v in (("action", args.action), ("resource", args.resource),
                                                   ("principal", args.principal),
                                                   ("resource_account", args.resource_account)) if v is not None}
    context = {}
    for item in args.context:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"error: --context takes KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        context[key] = value
    if context:
        template["context"] = context
    try:
        answer = ask(_load(args.case), template, args.want_allow)
    except IamError as err:
        return _fail(err)
    print(json.dumps(answer.as_json(), indent=2))
    return {"yes": 0, "no": 1}.get(answer.answer, 3)


def run_who(args: argparse.Namespace) -> int:
    from spec.smt.assume import who_can_assume

    try:
        result = who_can_assume(_load(args.world), args.role)
    except IamError as err:
        return _fail(err)
    print(json.dumps(result, indent=2))
    return 3 if result["unknown"] else 0


def run_public(args: argparse.Namespace) -> int:
    from spec.smt.questions import is_public

    try:
        result = is_public(_load(args.policy), args.owner)
    except IamError as err:
        return _fail(err)
    print(json.dumps(result, indent=2))
    return 3 if result.get("public") is None else 1 if result["public"] else 0
