"""Every scenario in tests/scenarios/ replays on the model with every ``expect`` met.

The scenarios were written from the AWS documentation (each names its source page in ``source``); the model's
outcomes are checked against them, never the other way round.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spec.scenario import expectation_met, load_scenarios, run_scenario

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
ALL = [(path.name, s) for path in sorted(SCENARIOS.glob("*.json")) for s in load_scenarios(path)]


def test_there_are_scenarios_for_every_topic() -> None:
    names = {name for name, _ in ALL}
    assert len(ALL) >= 60, len(ALL)
    assert {"iam-users.json", "iam-groups.json", "iam-roles.json", "sts-assume-role.json",
            "access-keys.json", "s3.json"} <= names


@pytest.mark.parametrize(("file", "scenario"), ALL, ids=[f"{n}::{s['id']}" for n, s in ALL])
def test_scenario_expectations_met(file: str, scenario: dict) -> None:
    outcomes = run_scenario(scenario, messages=True)
    assert len(outcomes) == len(scenario["steps"])
    failures = [(i, step.get("call", "advance"), step.get("expect"), out)
                for i, (step, out) in enumerate(zip(scenario["steps"], outcomes, strict=True))
                if not expectation_met(step.get("expect"), out)]
    assert not failures, failures


def test_scenario_ids_are_unique() -> None:
    ids = [s["id"] for _, s in ALL]
    assert len(ids) == len(set(ids))


def test_every_step_states_an_expectation() -> None:
    missing = [(n, s["id"], i) for n, s in ALL for i, st in enumerate(s["steps"])
               if "advance" not in st and "expect" not in st]
    assert not missing


def test_a_wrong_expectation_is_caught() -> None:
    """The replay check can fail: the same scenario with one expectation flipped is not met."""
    scenario = {"id": "flip", "account": "123456789012", "steps": [
        {"as": "root", "call": "iam:CreateUser", "params": {"UserName": "alice"}, "expect": "ok"},
        {"as": "root", "call": "iam:CreateUser", "params": {"UserName": "alice"}, "expect": "ok"},
    ]}
    outcomes = run_scenario(scenario)
    assert expectation_met("ok", outcomes[0])
    assert not expectation_met("ok", outcomes[1])
    assert expectation_met({"error": "EntityAlreadyExists"}, outcomes[1])
    assert not expectation_met({"error": "NoSuchEntity"}, outcomes[1])
