"""The Z3 encoding agrees with the model on real AWS managed policies (``../shared/corpora/managed-policies.jsonl``)
and requests built from their own patterns and condition values: big Action lists, resource ARNs with wildcards and
policy variables, and the condition keys AWS actually uses. Skipped when the corpus is not there.

``IAMSPEC_SMT_REAL=N`` checks N policies (default 25), 12 requests each.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from spec.authorize import authorize
from spec.case import parse_case
from spec.errors import IamError
from spec.smt.concrete import decide

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "managed-policies.jsonl"
POLICIES = int(os.environ.get("IAMSPEC_SMT_REAL", "25"))
PRINCIPALS = [None, "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/app/s1",
              "arn:aws:sts::111122223333:federated-user/carol"]


def _items(v: object) -> list:
    return v if isinstance(v, list) else [v]


def _instance(rnd: random.Random, pattern: str, context: dict) -> str:
    out = pattern
    while "${" in out:
        start = out.index("${")
        end = out.find("}", start)
        if end < 0:
            break
        name = out[start + 2:end].split(",")[0].strip()
        out = out[:start] + str(context.get(name, "x")) + out[end + 1:]
    return "".join(rnd.choice(["", "x", "a/b", ":"]) if c == "*" else rnd.choice("qz9") if c == "?" else c
                   for c in out)


def _requests(rnd: random.Random, doc: dict, n: int) -> list[dict]:
    stmts = _items(doc["Statement"])
    keys: dict[str, list[str]] = {}
    for s in stmts:
        for block in (s.get("Condition") or {}).values():
            for k, v in block.items():
                keys.setdefault(k, []).extend(str(x) for x in _items(v))
    out = []
    for _ in range(n):
        s = rnd.choice(stmts)
        context: dict = {}
        for k, values in keys.items():
            choice = rnd.randrange(4)
            if choice == 1:
                context[k] = _instance(rnd, rnd.choice(values), {})
            elif choice == 2:
                context[k] = [_instance(rnd, rnd.choice(values), {}) for _ in range(rnd.randrange(3))]
            elif choice == 3:
                context[k] = rnd.choice(["other", "", "true", "10.0.0.1", "2024-01-01T00:00:00Z", "123"])
        context.setdefault("aws:username", rnd.choice(["alice", "bob"]))
        actions = _items(s.get("Action") or s.get("NotAction") or "s3:GetObject")
        action = _instance(rnd, rnd.choice(actions), {}).replace(":x", ":X") if rnd.random() < 0.9 else "s3:GetObject"
        if action.count(":") != 1 or action.startswith(":") or action.endswith(":"):
            action = "s3:GetObject"
        action = "".join(c.upper() if rnd.random() < 0.2 else c for c in action)
        resources = _items(s.get("Resource") or s.get("NotResource") or "*")
        resource = _instance(rnd, rnd.choice(resources), context) or "*"
        out.append({"principal": rnd.choice(PRINCIPALS), "action": action, "resource": resource, "context": context})
    return out


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpora/managed-policies.jsonl is not there")
def test_real_policies_agree() -> None:
    rnd = random.Random(4)
    lines = CORPUS.read_text().splitlines()
    compared = 0
    for line in rnd.sample(lines, min(POLICIES, len(lines))):
        doc = json.loads(line)["document"]
        for req in _requests(rnd, doc, 12):
            case = {"identity_policies": [doc], "request": req}
            try:
                parsed = parse_case(case)
            except IamError:
                continue
            expected = authorize(parsed.request, parsed.policies).decision
            assert decide(parsed.request, parsed.policies) == expected, case
            compared += 1
    assert compared >= POLICIES * 6
