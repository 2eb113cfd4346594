"""Every case of ``tests/data/aws-simulator.jsonl`` agrees with the answer of AWS's own policy simulator.

The expected decisions are the ``EvalDecision`` that AWS's IAM policy simulator (``SimulateCustomPolicy``) returned
for politest's scenarios (reaandrew/politest, commit 121ffa4e, MIT; see ``tests/data/README.md``): an outside
oracle, not the model's output. API: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "aws-simulator.jsonl"
CASES = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_file_is_whole() -> None:
    """The copy holds the 90 cases of the shared file, each with a unique id and an expected decision."""
    assert len(CASES) == 90
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert all(c["expected"] in ("Allow", "ImplicitDeny", "ExplicitDeny") for c in CASES)


@pytest.mark.parametrize("c", CASES, ids=[c["id"] for c in CASES])
def test_agrees_with_aws_simulator(c: dict) -> None:
    from spec.decide import answer_case

    out = answer_case(c)
    assert "error" not in out, out
    assert out["id"] == c["id"]
    assert out["decision"] == c["expected"], f"{c['source']['name']}: model {out['decision']}, AWS {c['expected']}"
