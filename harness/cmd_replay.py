"""``iamspec replay SCENARIO.json|.jsonl --target NAME [--endpoint-url URL] [--allow-remote] [--json OUT]``.

Runs scenarios (formats/scenario.md) on one target, prints each step's outcome beside its expectation, and exits
non-zero where any ``expect`` is not met (an ``unsupported`` or ``crash`` outcome never meets one). ``--json OUT``
writes, per scenario, ``{"id", "met", "steps": [{"expect", "outcome"}]}`` as a JSON list.
The file may also hold decision cases (formats/decision-case.md; a conformance report's ``NAME.cases.jsonl``):
each is answered by the target's evaluator and met when the decision equals the case's ``expected`` (or, for a
case the model refuses, when the error code equals ``expected_error``); its JSON record is
``{"id", "met", "expected", "outcome"}``.
Exit status: 0 every expectation met, 1 some not met, 2 the input or the target could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from harness.targets.base import TARGET_NAMES, TargetUnavailable, get_target


class InputError(Exception):
    """The scenario file cannot be read as scenarios."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="run scenarios on a target and show each step's outcome beside its expectation")
    p.add_argument("scenario", help="a scenario (.json: one scenario or a list) or a JSON Lines file of scenarios")
    p.add_argument("--target", default="model", choices=TARGET_NAMES, help="where to run them (default: model)")
    p.add_argument("--endpoint-url", help="the URL of an AWS-compatible endpoint (target 'endpoint')")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback endpoint URL (never real credentials)")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="also write per-scenario results as a JSON list")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds allowed for each call (default 10)")
    p.set_defaults(func=run)


def load(path: str) -> list[dict]:
    """The scenarios in ``path``: a ``.jsonl`` file holds one per line; a ``.json`` file one scenario or a list."""
    file = Path(path)
    try:
        text = sys.stdin.read() if path == "-" else file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if file.suffix == ".jsonl":
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
        items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not (isinstance(item.get("steps"), list) or "request" in item):
            raise InputError(f"{path}: item {i} is neither a scenario (a 'steps' list) nor a decision case ('request')")
    return items


def is_case(item: dict) -> bool:
    return "request" in item and "steps" not in item


def replay_case(target: Any, case: dict, out: TextIO) -> dict:
    """Answer one decision case on the target's evaluator; met when the decision is the case's ``expected``."""
    outcome = target.decide(case)
    expected = case.get("expected")
    got = outcome.get("decision") or ("error " + str((outcome.get("error") or {}).get("code")) if "error" in outcome
                                      else f"CRASH: {outcome.get('crash')}")
    met = expected is not None and outcome.get("decision") == expected
    if expected is None and case.get("expected_error"):  # a report's case the model refuses
        expected = "error " + str(case["expected_error"])
        met = (outcome.get("error") or {}).get("code") == case["expected_error"]
    print(f"case {case.get('id')!s} on {target.name}: expect {expected or '-'}  got {got}  "
          f"{'met' if met else 'NOT MET'}", file=out)
    return {"id": case.get("id"), "met": met, "expected": expected, "outcome": outcome}


def expectation_met(expect: Any, outcome: dict) -> bool:
    """Whether ``outcome`` meets ``expect`` (``"ok"`` or ``{"error": CODE}``, formats/scenario.md)."""
    if expect == "ok":
        return outcome.get("ok") is True
    if isinstance(expect, dict) and "error" in expect:
        return outcome.get("ok") is False and outcome.get("error") == expect["error"]
    return False


def _describe(outcome: dict) -> str:
    if outcome.get("ok") is True:
        return "ok"
    if outcome.get("ok") is False:
        return f"error {outcome.get('error')}"
    if "unsupported" in outcome:
        return f"unsupported: {outcome['unsupported']}"
    if "crash" in outcome:
        return f"CRASH: {outcome['crash']}"
    return f"?? {json.dumps(outcome)[:200]}"


def _expectation(expect: Any) -> str:
    if expect is None:
        return "-"
    if expect == "ok":
        return "ok"
    if isinstance(expect, dict) and "error" in expect:
        return f"error {expect['error']}"
    return json.dumps(expect)


def _step_name(step: Any) -> str:
    if not isinstance(step, dict):
        return "(not a step)"
    if "advance" in step and "call" not in step:
        return f"advance {step['advance']} s"
    who = step.get("as")
    who = who if isinstance(who, str) else ("(credentials)" if who is not None else "(none)")
    return f"{step.get('call')} as {who}"


def replay_one(target: Any, scenario: dict, out: TextIO) -> dict:
    """Run one scenario, print its steps, and return its JSON record."""
    steps = scenario["steps"]
    outcomes = target.run_scenario(scenario)
    outcomes = list(outcomes) + [{"crash": "the target returned no outcome for this step"}] * (len(steps) - len(outcomes))
    met = True
    records = []
    print(f"scenario {scenario.get('id')!s} on {target.name}", file=out)
    for index, (step, outcome) in enumerate(zip(steps, outcomes, strict=False)):
        expect = step.get("expect") if isinstance(step, dict) else None
        if expect is None:
            mark = " "
        elif expectation_met(expect, outcome):
            mark = "+"
        else:
            mark = "X"
            met = False
        print(f"  {mark} {index:>3}  {_step_name(step):<48} expect {_expectation(expect):<28} got {_describe(outcome)}", file=out)
        records.append({"expect": expect, "outcome": outcome})
    print(f"  {'met' if met else 'NOT MET'}", file=out)
    return {"id": scenario.get("id"), "met": met, "steps": records}


def _write_json(path: str | None, results: list[dict]) -> None:
    if path:
        Path(path).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    try:
        scenarios = load(args.scenario)
    except InputError as exc:
        print(f"iamspec replay: {exc}", file=sys.stderr)
        return 2
    try:
        target = get_target(args.target, endpoint_url=args.endpoint_url, timeout=args.timeout, allow_remote=args.allow_remote)
        target.start()
    except TargetUnavailable as exc:
        print(f"iamspec replay: target {args.target} unavailable: {exc.message}\n  how to install: {exc.how_to_install}", file=sys.stderr)
        return 2
    needed = {"evaluator" if is_case(item) else "api" for item in scenarios}
    if not needed <= set(target.levels):
        missing = " and ".join("API" if lv == "api" else lv for lv in sorted(needed - set(target.levels)))
        print(f"iamspec replay: target {args.target} has no {missing} level for these inputs", file=sys.stderr)
        target.stop()
        return 2
    results: list[dict] = []
    try:
        for item in scenarios:
            results.append(replay_case(target, item, sys.stdout) if is_case(item)
                           else replay_one(target, item, sys.stdout))
    except TargetUnavailable as exc:
        print(f"iamspec replay: target {args.target} unavailable: {exc.message}\n  how to install: {exc.how_to_install}", file=sys.stderr)
        _write_json(args.json_out, results)
        return 2
    except KeyboardInterrupt:
        _write_json(args.json_out, results)  # what is known so far
        raise
    finally:
        target.stop()
    _write_json(args.json_out, results)
    failed = sum(1 for r in results if not r["met"])
    kinds = {is_case(item) for item in scenarios}
    noun = "case(s)" if kinds == {True} else "scenario(s)" if kinds == {False} else "scenario(s) or case(s)"
    print(f"{len(results)} {noun}: {len(results) - failed} met, {failed} not met")
    return 1 if failed else 0
