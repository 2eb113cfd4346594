"""``iamspec replay``: outcomes beside expectations, the exit status, ``--json``, and unusable input or targets."""

from __future__ import annotations

import json

import test_targets_support as S

from harness.cli import main


def _write(tmp_path, name: str, content: object, lines: bool = False):
    path = tmp_path / name
    if lines:
        path.write_text("\n".join(json.dumps(item) for item in content) + "\n")  # type: ignore[union-attr]
    else:
        path.write_text(json.dumps(content))
    return path


def _met_part() -> dict:
    """The first eight steps of the smoke scenario: expectations moto meets (AWS documentation, see support)."""
    return {**S.SMALL_SCENARIO, "id": "smoke-met", "steps": S.SMALL_SCENARIO["steps"][:8]}


def test_replay_on_moto_meets_the_expectations_and_writes_json(tmp_path, capsys) -> None:
    scenario = _write(tmp_path, "s.json", _met_part())
    out = tmp_path / "out.json"
    assert main(["replay", str(scenario), "--target", "moto", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "scenario smoke-met on moto" in printed and "expect error AccessDenied" in printed
    results = json.loads(out.read_text())
    assert [r["id"] for r in results] == ["smoke-met"] and results[0]["met"] is True
    steps = results[0]["steps"]
    assert len(steps) == 8 and steps[3] == {"expect": {"error": "AccessDenied"}, "outcome": {"ok": False, "error": "AccessDenied"}}


def test_an_unmet_expectation_or_an_unsupported_step_exits_1(tmp_path, capsys) -> None:
    wrong = {**_met_part(), "id": "wrong"}
    wrong["steps"] = [dict(step) for step in wrong["steps"]]
    wrong["steps"][3]["expect"] = "ok"  # alice has no policy: AccessDenied, so "ok" is not met
    clock = {**S.SMALL_SCENARIO, "id": "clock"}  # advance on a target without a clock: never met
    path = _write(tmp_path, "s.jsonl", [_met_part(), wrong, clock], lines=True)
    out = tmp_path / "out.json"
    assert main(["replay", str(path), "--target", "moto", "--json", str(out)]) == 1
    assert [r["met"] for r in json.loads(out.read_text())] == [True, False, False]
    printed = capsys.readouterr().out
    assert "NOT MET" in printed and "unsupported" in printed and "3 scenario(s): 1 met, 2 not met" in printed


def test_replay_runs_on_the_model(tmp_path) -> None:
    scenario = {"id": "model-smoke", "account": S.ACCOUNT, "steps": S.SMALL_SCENARIO["steps"][:3] + S.SMALL_SCENARIO["steps"][6:8]}
    out = tmp_path / "out.json"
    assert main(["replay", str(_write(tmp_path, "m.json", scenario)), "--target", "model", "--json", str(out)]) == 0
    assert json.loads(out.read_text())[0]["met"] is True


def test_bad_input_and_unavailable_targets_exit_2(tmp_path, capsys) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["replay", str(broken), "--target", "model"]) == 2
    assert main(["replay", str(tmp_path / "missing.json"), "--target", "model"]) == 2
    scenario = _write(tmp_path, "s.json", _met_part())
    assert main(["replay", str(scenario), "--target", "endpoint"]) == 2
    assert main(["replay", str(scenario), "--target", "endpoint", "--endpoint-url", "https://iam.amazonaws.com"]) == 2
    assert main(["replay", str(scenario), "--target", "iam-simulate"]) == 2  # evaluator only
    err = capsys.readouterr().err
    assert "not JSON" in err and "unavailable" in err and "--allow-remote" in err and "no API level" in err
