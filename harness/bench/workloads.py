"""Seeded benchmark workloads: AWS managed policies as identity policies, with realistic requests (real actions,
ARNs of the right shape for the action's resource type, request contexts that match the policies' conditions and
contexts that do not). Every workload is a list of decision cases (``formats/decision-case.md``)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

from harness.bench import corpus
from harness.bench.contexts import ACCOUNT, base_context, condition_context

OTHER_ACCOUNT = "210987654321"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
_VAR = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Workload:
    name: str
    description: str
    cases: list[dict]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = [json.dumps(c, separators=(",", ":")) for c in self.cases]

    def statements_per_case(self) -> float:
        total = sum(len(_statements(doc)) for c in self.cases for doc in c["identity_policies"])
        return total / max(1, len(self.cases))


def _statements(doc: dict) -> list[dict]:
    st = doc.get("Statement", [])
    return st if isinstance(st, list) else [st]


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@lru_cache(maxsize=20000)
def _expand(pattern: str) -> tuple[str, ...]:
    """The real actions an ``Action`` pattern names (IAM wildcards ``*`` and ``?``, case-insensitive)."""
    if ":" not in pattern:
        return ()
    service, _ = pattern.split(":", 1)
    if "*" in service or "?" in service:
        return ()
    regex = re.compile("^" + re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$")
    return tuple(a.name for a in corpus.actions_by_service().get(service.lower(), ()) if regex.match(a.name.lower()))


def pick_action(rng: random.Random, stmt: dict | None) -> str:
    """An action the statement names (a pattern expanded against the real actions), else any real action."""
    if stmt is not None:
        patterns = _as_list(stmt.get("Action"))
        rng.shuffle(patterns)
        for pattern in patterns[:4]:
            names = _expand(pattern)
            if names:
                return rng.choice(names)
    return rng.choice(corpus.actions()).name


def _fill(rng: random.Random, pattern: str, ctx: dict) -> str:
    """An ARN pattern from the Service Authorization Reference with its ``${...}`` parts filled in."""

    def part(m: re.Match) -> str:
        name = m.group(1)
        if name == "Partition":
            return "aws"
        if name == "Region":
            return rng.choice(REGIONS)
        if name == "Account":
            return ACCOUNT if rng.random() < 0.9 else OTHER_ACCOUNT
        if ":" in name:  # a policy variable such as ${aws:username}
            value = ctx.get(name)
            return value if isinstance(value, str) else "unknown"
        return f"{name.lower()[:12]}-{rng.randrange(16**6):06x}"

    return _VAR.sub(part, pattern)


def _concrete(rng: random.Random, pattern: str) -> str:
    """An ARN that a ``Resource`` pattern matches: a wildcard region or account becomes a real one, a wildcard in
    the resource part a made-up name."""
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return pattern.replace("*", f"x{rng.randrange(1000)}").replace("?", "a")
    if "*" in parts[3] or "?" in parts[3]:
        parts[3] = rng.choice(REGIONS)
    if "*" in parts[4] or "?" in parts[4]:
        parts[4] = ACCOUNT
    parts[5] = parts[5].replace("*", f"x{rng.randrange(1000)}").replace("?", "a")
    return ":".join(parts)


def pick_resource(rng: random.Random, action: str, stmt: dict | None, ctx: dict) -> str:
    """A resource for the request: sometimes one the statement's ``Resource`` names (its wildcards filled in),
    otherwise an ARN of the right shape for the action's first resource type; ``*`` for actions without one."""
    service = action.split(":", 1)[0].lower()
    if stmt is not None and rng.random() < 0.4:
        arns = [r for r in _as_list(stmt.get("Resource")) if r.lower().startswith(f"arn:aws:{service}:")]
        if arns:
            return _concrete(rng, _fill(rng, rng.choice(arns), ctx))
    info = corpus.action_index().get(action.lower())
    if info is None or not info.resource_types:
        return "*"
    pattern = corpus.arn_patterns().get((service, info.resource_types[0]))
    return _fill(rng, pattern, ctx) if pattern else "*"


def principal_for(rng: random.Random, i: int) -> tuple[str, str]:
    """The caller (an IAM user, or now and then a role) and its friendly name."""
    if rng.random() < 0.8:
        name = f"bench-user-{i % 97}"
        return f"arn:aws:iam::{ACCOUNT}:user/{name}", name
    name = f"bench-role-{i % 31}"
    return f"arn:aws:iam::{ACCOUNT}:role/{name}", name


def make_case(case_id: str, docs: list[dict], principal: str, action: str, resource: str, ctx: dict) -> dict:
    return {
        "id": case_id,
        "identity_policies": docs,
        "group_policies": [],
        "permission_boundary": None,
        "scps": None,
        "rcps": None,
        "resource_policy": None,
        "session_policy": None,
        "vpc_endpoint_policies": None,
        "request": {"principal": principal, "action": action, "resource": resource, "resource_account": None,
                    "context": ctx},
    }


def _request(rng: random.Random, i: int, docs: list[dict], conditioned: bool) -> tuple[str, str, str, dict]:
    principal, name = principal_for(rng, i)
    ctx = base_context(rng, principal, name)
    stmts = [s for d in docs for s in _statements(d) if isinstance(s, dict)]
    if conditioned:
        with_cond = [s for s in stmts if s.get("Condition")]
        stmt = rng.choice(with_cond or stmts)
        condition_context(rng, stmt, ctx)
    else:
        stmt = rng.choice(stmts) if stmts and rng.random() < 0.75 else None
    action = pick_action(rng, stmt)
    return principal, action, pick_resource(rng, action, stmt, ctx), ctx


def policies_per_case(name: str, n: int, per_case: int, seed: int, description: str,
                      conditioned: bool = False) -> Workload:
    """``n`` cases, each with ``per_case`` distinct managed policies as the principal's identity policies."""
    rng = random.Random(f"{seed}:{name}")
    pool = list(corpus.managed_policies())
    if conditioned:
        pool = [p for p in pool if any(isinstance(s, dict) and s.get("Condition") for s in p.statements())]
    per_case = min(per_case, len(pool))
    cases = []
    for i in range(n):
        docs = [p.document for p in rng.sample(pool, per_case)]
        principal, action, resource, ctx = _request(rng, i, docs, conditioned)
        cases.append(make_case(f"{name}-{i:06d}", docs, principal, action, resource, ctx))
    return Workload(name, description, cases)


WORKLOADS = ("one-managed", "ten-managed", "conditions")


def build(name: str, n: int, seed: int = 6) -> Workload:
    """One of the three standard workloads."""
    if name == "one-managed":
        return policies_per_case(name, n, 1, seed, "one AWS managed policy per case (identity policy)")
    if name == "ten-managed":
        return policies_per_case(name, n, 10, seed, "ten AWS managed policies per case (a heavy user)")
    if name == "conditions":
        return policies_per_case(
            name, n, 1, seed, "one managed policy with conditions per case; the request's action is one a "
            "conditioned statement names, its context matches that statement's conditions or misses them",
            conditioned=True)
    raise ValueError(f"unknown workload {name!r}; known: {', '.join(WORKLOADS)}")


def scaling(policies: int, n: int, seed: int = 6) -> Workload:
    """``n`` cases with ``policies`` managed policies each, for the model's cost curve."""
    return policies_per_case(f"scale-{policies}", n, policies, seed, f"{policies} managed policies per case")
