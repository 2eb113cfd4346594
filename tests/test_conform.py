"""The conformance engine against targets whose faults are planted, so the right answer is known.

Expectations come from the AWS documentation (cited per test) and from the fault each fake target carries, never
from running the model and pasting its output.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from harness.compare import compare_answers, compare_outcomes
from harness.conform import REGRESSION, Conformance
from harness.generate.shrink import ddmin_steps
from harness.targets.base import get_target

MODEL = get_target("model")
MODEL.start()


class FakeTarget:
    """The model with one planted fault (``fault``: a function from (input, honest answer) to the answer)."""

    name, mode, version = "fake", "in-process", lambda self: "1"

    def __init__(self, fault_case=None, fault_steps=None, levels=("evaluator", "api"), unsupported=()):
        self.levels, self.unsupported = frozenset(levels), frozenset(unsupported)
        self.fault_case, self.fault_steps = fault_case, fault_steps

    def start(self):
        pass

    def stop(self):
        pass

    def decide(self, case):
        answer = MODEL.decide(case)
        return self.fault_case(case, answer) if self.fault_case else answer

    def run_scenario(self, scenario):
        outcomes = MODEL.run_scenario(scenario)
        return self.fault_steps(scenario, outcomes) if self.fault_steps else outcomes


def _uses_not_resource(case: dict) -> bool:
    return "NotResource" in json.dumps(case.get("identity_policies"))


def _not_resource_allows(case, answer):
    """The fault moto 5.2.5 has (reference/targets.md §1.1): a statement with NotResource applies whatever its
    Effect, so every such case is allowed."""
    return {"id": case.get("id"), "decision": "Allow"} if _uses_not_resource(case) and "decision" in answer else answer


def _engine(target, **kw):
    kw.setdefault("budget", 20.0)
    kw.setdefault("examples", 40)
    kw.setdefault("seed", 7)
    kw.setdefault("regression", None)
    return Conformance(target, MODEL, **kw)


def test_model_against_itself_has_no_divergence_and_fills_every_row():
    feats = ("action.not-action", "condition.if-exists", "sts.expiry", "iam.name-unique")
    result = _engine(MODEL, features=feats, examples=10).run()
    rows = {r["feature"]: r for r in result.feature_rows()}
    assert set(rows) == set(feats)
    assert all(r["status"] == "conformant" and r["checked"] > 0 for r in rows.values())
    assert result.divergences == []


def test_planted_fault_is_found_classified_minimised_and_stable():
    target = FakeTarget(_not_resource_allows, levels=("evaluator",))
    first = _engine(target, features=("resource.not-resource",)).run()
    found = [d for d in first.divergences if d.feature == "resource.not-resource"]
    assert found, first.feature_rows()
    d = found[0]
    assert d.kind == "decision" and d.target["decision"] == "Allow" and d.model["decision"] != "Allow"
    # minimised: what is left still shows the fault, and little else is left
    assert _uses_not_resource(d.case)
    assert len(d.case["identity_policies"]) == 1
    assert d.case["id"] == f"resource.not-resource/{d.id}"
    assert d.case["expected"] == d.model["decision"]
    assert "simulate_custom_policy" in d.reproducer
    again = _engine(target, features=("resource.not-resource",)).run()
    assert {x.id for x in again.divergences} == {x.id for x in first.divergences}  # same seed, same ids


def test_regression_corpus_runs_first_and_finds_the_fault_again(tmp_path: Path):
    (tmp_path / "cases").mkdir()
    # Documented: NotResource "matches every resource except those listed" (reference_policies_elements_notresource.html)
    case = {"id": "resource.not-resource/listed", "tags": ["resource.not-resource"], "expected": "ImplicitDeny",
            "identity_policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]}],
            "request": {"principal": None, "action": "s3:GetObject", "resource": "arn:aws:s3:::secret/a"}}
    (tmp_path / "cases" / "x.jsonl").write_text(json.dumps(case) + "\n")
    target = FakeTarget(_not_resource_allows, levels=("evaluator",))
    result = _engine(target, features=("resource.not-resource",), regression=tmp_path, examples=3).run()
    reg = [d for d in result.divergences if d.origin == "regression"]
    assert reg and reg[0].case["id"] == "resource.not-resource/listed"
    assert reg[0].model == {"decision": "ImplicitDeny", "by": ["identity"]}


def test_scenario_fault_is_found_at_its_step_with_expectations_for_replay():
    def caller_identity_denied(scenario, outcomes):
        # Fault: GetCallerIdentity refused. AWS: "No permissions are required to perform this operation"
        # (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
        return [{"ok": False, "error": "AccessDenied"} if s.get("call") == "sts:GetCallerIdentity" else o
                for s, o in zip(scenario["steps"], outcomes, strict=False)]

    target = FakeTarget(fault_steps=caller_identity_denied, levels=("api",))
    result = _engine(target, features=("sts.caller-identity",)).run()
    d = next(d for d in result.divergences if d.feature == "sts.caller-identity")
    assert d.kind == "decision" and d.target == {"ok": False, "error": "AccessDenied"}
    step = d.scenario["steps"][d.step]
    assert step["call"] == "sts:GetCallerIdentity" and step["expect"] == "ok"
    assert len(d.scenario["steps"]) <= 4  # ddmin kept little more than the user, its key and the call
    assert "boto3.client" in d.reproducer


def test_crash_hang_and_garbage_give_error_rows_and_the_run_goes_on():
    calls = {"n": 0}

    def misbehave(case, answer):
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise RuntimeError("boom")
        if calls["n"] % 3 == 1:
            return "not an answer"
        time.sleep(5)
        return answer

    target = FakeTarget(misbehave, levels=("evaluator",))
    result = _engine(target, features=("condition.null",), timeout=0.2, examples=6, budget=15).run()
    row = next(r for r in result.feature_rows() if r["feature"] == "condition.null")
    assert row["status"] == "error"
    assert result.cases >= 3
    assert all(d.kind == "crash" for d in result.divergences)


def test_unsupported_features_are_reported_unsupported_never_passed():
    target = FakeTarget(levels=("evaluator",), unsupported=("scp.filter",))
    result = _engine(target, features=("scp.filter", "sts.expiry", "condition.null"), examples=5).run()
    rows = {r["feature"]: r["status"] for r in result.feature_rows()}
    assert rows == {"scp.filter": "unsupported", "sts.expiry": "unsupported", "condition.null": "conformant"}


def test_interrupt_keeps_what_is_known():
    def interrupt_later(case, answer):
        interrupt_later.n = getattr(interrupt_later, "n", 0) + 1
        if interrupt_later.n > 5:
            raise KeyboardInterrupt
        return answer

    target = FakeTarget(interrupt_later, levels=("evaluator",))
    target.decide = lambda case: interrupt_later(case, MODEL.decide(case))  # not guarded: reaches the engine
    engine = _engine(target, features=("condition.null",))
    engine._guarded = lambda fn, steps, what: fn()
    result = engine.run()
    assert result.interrupted and result.cases == 5


def test_compare_kinds():
    allow, implicit = {"decision": "Allow"}, {"decision": "ImplicitDeny"}
    explicit = {"decision": "ExplicitDeny"}
    assert compare_answers(allow, allow) is None
    assert compare_answers(implicit, allow).kind == "decision"
    assert compare_answers(implicit, explicit).kind == "decision"
    assert compare_answers(implicit, explicit, explicit_vs_implicit=False) is None
    malformed = {"error": {"code": "MalformedPolicyDocument"}}
    assert compare_answers(malformed, {"error": {"code": "ValidationError"}}).kind == "error-code"
    assert compare_answers(allow, {"crash": "x"}).kind == "crash"
    assert compare_answers(allow, 42).kind == "crash"
    ok = {"ok": True, "result": {"Arn": "arn:aws:iam::123456789012:user/a", "UserId": "AIDA1"}}
    other = {"ok": True, "result": {"Arn": "arn:aws:iam::123456789012:user/b", "UserId": "AIDA2"}}
    assert compare_outcomes([ok], [dict(ok, result=dict(ok["result"], UserId="X"))], [{}])[0] is None
    assert compare_outcomes([ok], [other], [{}])[0].kind == "result"
    diff, n = compare_outcomes([ok, ok], [ok, {"unsupported": "no clock"}], [{}, {}])
    assert diff is None and n == 1


def test_ddmin_finds_the_needed_steps():
    steps = [{"n": i} for i in range(16)]
    needed = {3, 11}
    out = ddmin_steps({"steps": steps}, lambda s: needed <= {x["n"] for x in s["steps"]}, time.monotonic() + 5)
    assert [x["n"] for x in out["steps"]] == [3, 11]


def test_documented_regression_corpus_agrees_with_the_model():
    """Every item of tests/regression/*/aws-docs.jsonl carries the answer the AWS documentation gives."""
    for line in (REGRESSION / "cases" / "aws-docs.jsonl").read_text().splitlines():
        case = json.loads(line)
        assert MODEL.decide(case)["decision"] == case["expected"], case["id"]
    for line in (REGRESSION / "scenarios" / "aws-docs.jsonl").read_text().splitlines():
        scenario = json.loads(line)
        for step, outcome in zip(scenario["steps"], MODEL.run_scenario(scenario), strict=True):
            if "expect" in step:
                seen = "ok" if outcome.get("ok") else {"error": outcome.get("error")}
                assert seen == step["expect"], (scenario["id"], step)
