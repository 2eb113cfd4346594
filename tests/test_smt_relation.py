"""The transition relation of ``spec.smt.transitions`` is what the identity model does.

``alpha`` maps a model world (``spec.identity``) to a state of the relation: each user, group and role (of any
account) to an entity slot, each issued session to a session slot, with the kind, key count, memberships and
``MaxSessionDuration`` of each entity and the kind, issue, expiry and chaining of each session. Every call the model
makes -- the scenarios of tests/scenarios/*.json and random call sequences, failed calls and expired credentials
included -- must be a step of the relation from ``alpha(before)`` to ``alpha(after)``, and a new world must be an
initial state. Worlds beyond the proofs' bounds (more than ``ENTITIES`` entities or ``SESSIONS`` sessions) end the
replay. The relation's operation parameters (which slot, which duration, ...) are left to the solver: a call is
accepted when some operation of the relation explains it.

Two parts of the relation's state are history the model does not keep, so ``alpha`` remembers them along a run:
the ``MaxSessionDuration`` of a deleted role (still in its slot until another role takes it) and a role session's
``cap`` (its role's ``MaxSessionDuration`` when it was issued).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from spec.errors import IamError
from spec.identity.dispatch import invoke
from spec.identity.state import World, new_world
from spec.scenario import load_scenarios, resolve_as, run_step, start_world
from spec.smt import transitions as tr

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
SKIND = {"role": tr.S_ROLE, "user": tr.S_USER, "root": tr.S_ROOT}


class OutOfBounds(Exception):
    """The world has more entities or sessions than the relation's slots."""


@dataclass
class Abstraction:
    """``alpha`` with the history it keeps along one run."""

    slots: dict[str, int] = field(default_factory=dict)  # unique ID of a user, group or role -> entity slot
    role_max: dict[int, int] = field(default_factory=dict)  # slot -> MaxSessionDuration of its last role
    sessions: dict[str, int] = field(default_factory=dict)  # access key ID -> session slot
    caps: dict[int, int] = field(default_factory=dict)  # session slot -> its role's MaxSessionDuration at issue

    def _entities(self, world: World) -> dict[str, tuple[int, Any, str]]:
        """Unique ID -> (kind, entity, account) for every user, group and role of the world."""
        out: dict[str, tuple[int, Any, str]] = {}
        for account in world.accounts.values():
            for kind, table, key in ((tr.USER, account.users, "user_id"), (tr.GROUP, account.groups, "group_id"),
                                     (tr.ROLE, account.roles, "role_id")):
                for entity in table.values():
                    out[getattr(entity, key)] = (kind, entity, account.account_id)
        return out

    def __call__(self, world: World) -> dict[str, Any]:
        """The relation's state for ``world``, as Python values (``OutOfBounds`` beyond the slots)."""
        entities = self._entities(world)
        self.slots = {uid: slot for uid, slot in self.slots.items() if uid in entities}
        for uid in entities:
            if uid not in self.slots:
                free = [e for e in tr.ENT if e not in self.slots.values()]
                if not free:
                    raise OutOfBounds(f"more than {tr.ENTITIES} entities")
                self.slots[uid] = free[0]
        kind = {e: tr.ABSENT for e in tr.ENT}
        keys = {e: 0 for e in tr.ENT}
        groups: dict[tuple[str, str], int] = {}
        for uid, slot in self.slots.items():
            k, entity, account = entities[uid]
            kind[slot] = k
            if k == tr.USER:
                keys[slot] = len(entity.keys)
            elif k == tr.ROLE:
                self.role_max[slot] = entity.max_session
            elif k == tr.GROUP:
                groups[(account, entity.name.lower())] = slot
        member = {(u, g): False for u in tr.ENT for g in tr.ENT}
        for uid, slot in self.slots.items():
            k, entity, account = entities[uid]
            if k == tr.USER:
                for name in entity.groups:
                    member[(slot, groups[(account, name)])] = True
        for key_id, session in sorted(world.sessions.items(), key=lambda kv: kv[1].issued):
            if key_id not in self.sessions:
                if len(self.sessions) == tr.SESSIONS:
                    raise OutOfBounds(f"more than {tr.SESSIONS} sessions")
                slot = self.sessions[key_id] = len(self.sessions)
                if session.kind == "role":
                    self.caps[slot] = entities[session.entity_id][1].max_session
        live = {i: None for i in tr.SES}
        for key_id, slot in self.sessions.items():
            live[slot] = world.sessions[key_id]
        return {"kind": kind, "keys": keys, "member": member, "max_session": dict(self.role_max), "now": world.now,
                "live": {i: s is not None for i, s in live.items()},
                "skind": {i: SKIND[s.kind] for i, s in live.items() if s is not None},
                "issued": {i: s.issued for i, s in live.items() if s is not None},
                "expires": {i: s.expires for i, s in live.items() if s is not None},
                "chained": {i: s.chained for i, s in live.items() if s is not None},
                "cap": dict(self.caps)}

    def slot_of(self, credentials: Any) -> int | None:
        """The session slot of session credentials, or ``None`` (root, a long-term key, no credentials)."""
        if isinstance(credentials, dict):
            return self.sessions.get(credentials.get("AccessKeyId", ""))
        return None


def _array(values: dict, default: Any, sort: z3.SortRef = tr.INT) -> z3.ArrayRef:
    out = z3.K(sort, default)
    for k, v in sorted(values.items()):
        out = z3.Store(out, k, v)
    return out


def as_z3(v: dict[str, Any]) -> tr.State:
    """A state of the relation with these values, and the fixed defaults elsewhere (0, false)."""
    rows = {u: {g: v["member"][(u, g)] for g in tr.ENT} for u in tr.ENT}
    member = z3.K(tr.INT, z3.K(tr.INT, z3.BoolVal(False)))
    for u, row in rows.items():
        member = z3.Store(member, u, _array({g: z3.BoolVal(b) for g, b in row.items()}, z3.BoolVal(False)))
    return tr.State(_array(v["kind"], tr.ABSENT), _array(v["keys"], 0), member, _array(v["max_session"], 0),
                    z3.IntVal(v["now"]), _array({i: z3.BoolVal(b) for i, b in v["live"].items()}, z3.BoolVal(False)),
                    _array(v["skind"], 0), _array(v["issued"], 0), _array(v["expires"], 0),
                    _array({i: z3.BoolVal(b) for i, b in v["chained"].items()}, z3.BoolVal(False)), _array(v["cap"], 0))


def _equal(a: tr.State, b: tr.State) -> list[z3.BoolRef]:
    return [getattr(a, f) == getattr(b, f) for f in tr.State.__dataclass_fields__]


class Checker:
    """One solver holding the step relation; each call is checked under push/pop."""

    def __init__(self) -> None:
        self.step = tr.step("r")
        self.solver = z3.Solver()
        self.solver.add(self.step.relation)
        self.checked = 0

    def initial(self, state: dict[str, Any]) -> bool:
        solver = z3.Solver()
        solver.add(z3.Not(tr.initial(as_z3(state))))
        return solver.check() == z3.unsat

    def accepts(self, before: dict[str, Any], after: dict[str, Any], actor: int | None) -> bool:
        """Whether some step of the relation goes from ``before`` to ``after`` for a call signed as ``actor``."""
        self.solver.push()
        self.solver.add(*_equal(self.step.s, as_z3(before)), *_equal(self.step.t, as_z3(after)),
                        self.step.actor_session == (actor is not None), self.step.actor == (actor or 0))
        result = self.solver.check()
        self.solver.pop()
        assert result != z3.unknown
        self.checked += 1
        return result == z3.sat


def replay(world: World, steps: Iterator[tuple[Any, Any]], checker: Checker, where: str) -> int:
    """Run ``steps`` (each ``(credentials or None for the clock, a function world -> world)``) from ``world``,
    checking every one against the relation; the number of steps checked before the bounds were left."""
    alpha = Abstraction()
    try:
        state = alpha(world)
    except OutOfBounds:
        return 0
    assert checker.initial(state), f"{where}: a new world is not an initial state of the relation"
    done = 0
    for label, credentials, run in steps:
        actor = alpha.slot_of(credentials)
        with contextlib.suppress(IamError):  # a failed call leaves the world as it was
            world = run(world)
        try:
            after = alpha(world)
        except OutOfBounds:
            return done
        assert checker.accepts(state, after, actor), f"{where}: step {done} ({label}) is no step of the relation"
        state, done = after, done + 1
    return done


def _scenario_steps(scenario: dict) -> Iterator[tuple[str, Any, Any]]:
    saved: dict[str, dict] = {}
    for step in scenario["steps"]:
        try:
            credentials = None if "advance" in step else resolve_as(step.get("as"), saved)[0]
        except IamError:
            credentials = None
        label = step.get("call", f"advance {step.get('advance')}")
        yield label, credentials, lambda w, step=step: run_step(w, step, saved)[0]


def test_scenarios_are_steps_of_the_relation() -> None:
    """Every scenario, as far as it stays within the bounds; enough of them does to matter."""
    checker = Checker()
    for path in SCENARIOS:
        for scenario in load_scenarios(path):
            replay(start_world(scenario), _scenario_steps(scenario), checker, f"{path.stem}/{scenario.get('id')}")
    assert checker.checked >= 800, checker.checked  # of 895 steps in all; the rest leave the bounds


# ---- random call sequences ------------------------------------------------------------------------------------

ACCT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/app"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                                                 "Action": "sts:AssumeRole"}]}
DURATIONS = (None, 900, 3600, 3601, 7200, 43200, 899, 129600)


def _params(call: str, draw: Any, keys: list[str]) -> dict:
    """Parameters for ``call`` over three names (user alice, group ops, role app), in either case."""
    def pick(xs: tuple) -> Any:
        return draw(st.sampled_from(xs))
    user, group, role = pick(("alice", "Alice", "alice", "bob")), pick(("ops", "OPS")), pick(("app", "App"))
    duration = pick(DURATIONS)
    timed = {} if duration is None else {"DurationSeconds": duration}
    table: dict[str, dict] = {
        "iam:CreateUser": {"UserName": user}, "iam:DeleteUser": {"UserName": user},
        "iam:CreateGroup": {"GroupName": group}, "iam:DeleteGroup": {"GroupName": group},
        "iam:AddUserToGroup": {"GroupName": group, "UserName": pick((user, role))},
        "iam:RemoveUserFromGroup": {"GroupName": group, "UserName": user},
        "iam:CreateRole": {"RoleName": role, "AssumeRolePolicyDocument": TRUST,
                           "MaxSessionDuration": pick((3600, 7200, 43200))},
        "iam:UpdateRole": {"RoleName": role, **({"MaxSessionDuration": pick((3600, 43200))} if draw(st.booleans())
                                                else {})},
        "iam:DeleteRole": {"RoleName": role}, "iam:PutRolePolicy": {"RoleName": role, "PolicyName": "all",
                                                                    "PolicyDocument": ALLOW_ALL},
        "iam:DeleteRolePolicy": {"RoleName": role, "PolicyName": "all"},
        "iam:PutUserPolicy": {"UserName": user, "PolicyName": "all", "PolicyDocument": ALLOW_ALL},
        "iam:DeleteUserPolicy": {"UserName": user, "PolicyName": "all"},
        "iam:CreateAccessKey": pick(({"UserName": "alice"}, {"UserName": user}, {"UserName": role}, {})),
        "iam:DeleteAccessKey": {"UserName": user, "AccessKeyId": pick(tuple(keys) or ("AKIA0000000000000000",))},
        "iam:UpdateAccessKey": {"UserName": user, "Status": pick(("Active", "Inactive")),
                                "AccessKeyId": pick(tuple(keys) or ("AKIA0000000000000000",))},
        "sts:AssumeRole": {"RoleArn": pick((ROLE_ARN, ROLE_ARN, ROLE_ARN.replace("app", "App"))), "RoleSessionName": "s1",
                           **timed},
        "sts:GetSessionToken": timed, "sts:GetCallerIdentity": {},
    }
    return table[call]


CALLS = ("iam:CreateUser", "iam:DeleteUser", "iam:CreateGroup", "iam:DeleteGroup", "iam:AddUserToGroup",
         "iam:RemoveUserFromGroup", "iam:CreateRole", "iam:UpdateRole", "iam:DeleteRole", "iam:PutRolePolicy",
         "iam:DeleteRolePolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:CreateAccessKey",
         "iam:DeleteAccessKey", "iam:UpdateAccessKey", "sts:AssumeRole", "sts:GetSessionToken",
         "sts:GetCallerIdentity", "advance", "sts:AssumeRole", "sts:AssumeRole", "advance")  # sessions, expiry: often


class Run:
    """A random call sequence: the credentials handed out so far, and the steps taken."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.handles: list[dict] = []

    def steps(self, n: int) -> Iterator[tuple[str, Any, Any]]:
        """A user alice with a key and a role app, both allowed everything, then ``n`` random steps."""
        draw = self.data.draw
        seed = [("iam:CreateUser", {"UserName": "alice"}),
                ("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "all", "PolicyDocument": ALLOW_ALL}),
                ("iam:CreateAccessKey", {"UserName": "alice"}),
                ("iam:CreateRole", {"RoleName": "app", "AssumeRolePolicyDocument": TRUST,
                                    "MaxSessionDuration": draw(st.sampled_from((3600, 7200, 43200)))}),
                ("iam:PutRolePolicy", {"RoleName": "app", "PolicyName": "all", "PolicyDocument": ALLOW_ALL})]
        for call, params in seed:
            yield call, "root", lambda w, call=call, p=params: self._invoke(w, "root", call, p)
        for _ in range(n):
            call = draw(st.sampled_from(CALLS))
            if call == "advance":
                seconds = draw(st.sampled_from((0, 1, 899, 900, 3599, 3600, 43200)))
                yield call, None, lambda w, s=seconds: replace(w, now=w.now + s)
                continue
            credentials = draw(st.sampled_from([*self.handles, "root"]))
            if credentials != "root" and draw(st.integers(0, 9)) == 0:
                credentials = {**credentials, "SecretAccessKey": "wrong"}
            keys = [h["AccessKeyId"] for h in self.handles if h["AccessKeyId"].startswith("AKIA")]
            params = _params(call, draw, keys)
            yield call, credentials, lambda w, c=credentials, call=call, p=params: self._invoke(w, c, call, p)

    def _invoke(self, world: World, credentials: Any, call: str, params: dict) -> World:
        world, result = invoke(world, credentials, call, params)
        inner = result.get("AccessKey") or result.get("Credentials")
        if inner is not None:
            self.handles.append({k: inner[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken") if k in inner})
        return world


_RANDOM = Checker()


@given(data=st.data())
def test_random_calls_are_steps_of_the_relation(data: Any) -> None:
    replay(new_world(ACCT), Run(data).steps(25), _RANDOM, "random calls")


def test_a_narrower_relation_is_caught() -> None:
    """The replay can fail: with the relation's key quota at one key, a user's second key is no step of it."""
    from spec.smt import mutation
    from spec.smt.mutants import Mutant, Patch

    one_key = Mutant("one_key", "one key per user", (Patch("spec.smt.transitions", "key_quota",
                                                           lambda o: lambda count: count < 1),), ())
    steps = [("iam:CreateUser", "root", lambda w: invoke(w, "root", "iam:CreateUser", {"UserName": "alice"})[0])]
    steps += [("iam:CreateAccessKey", "root",
               lambda w: invoke(w, "root", "iam:CreateAccessKey", {"UserName": "alice"})[0])] * 2
    with mutation.applied(one_key), pytest.raises(AssertionError, match="step 2"):
        replay(new_world(ACCT), iter(steps), Checker(), "two keys")
    assert replay(new_world(ACCT), iter(steps), Checker(), "two keys") == 3


def test_only_the_issuers_need_a_free_session_slot() -> None:
    """With every session slot taken, each operation that issues no credentials can still change the state, and the
    two that do (AssumeRole, GetSessionToken) cannot: a free slot guards only them."""
    s, t = tr.state("full.pre"), tr.state("full.post")
    ops = tr._ops(s, t, z3.Bool("full.actor_session"), z3.Bool("full.trust"))
    full = [s.live[i] for i in tr.SES]
    enabled = []
    for op in ops:
        solver = z3.Solver()
        solver.add(*full, op, z3.Not(tr._same(s, t)))
        enabled.append(solver.check() == z3.sat)
    assert enabled == [True] * (len(ops) - 2) + [False, False]
