"""The IAM and STS identity operations as a transition relation, and state invariants proved inductively: each
holds in the initial state, and every step (a successful call, a failed call, or the clock moving) preserves it.

Mirrors the rules of ``spec.identity`` (iam-semantics §1.2-1.3, §5.3, §6): entities are users, groups and roles,
with a user's access-key count and group memberships and a role's ``MaxSessionDuration``; sessions are the
temporary credentials STS issued, with their issue and expiry times. A failed call leaves the state unchanged
(``spec.identity.dispatch``), so "no change" is always a step; so is a call whose session credentials do not
authenticate. ``tests/test_smt_relation.py`` checks that every call the model makes (scenarios and random call
sequences, within the bounds below) is a step of this relation. Not modelled: the root user's own access keys
(``CreateAccessKey`` without ``UserName`` as root), policies and tags (no invariant here reads them).

The proofs use ``ENTITIES`` entities and ``SESSIONS`` session slots, which covers worlds of any size: every
invariant here speaks of one entity, one (user, group) pair or one session, every operation reads and writes at
most one entity and one group (plus one session, and a free session slot for the two that issue credentials),
and its guards are either about those or universal ("the user is in no group"). So a violating step in a large
world, restricted to the entities and session it touches and the one that breaks the invariant, is a violating
step in a world of three entities and two sessions; restriction keeps universal guards true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import z3

from spec.smt.invariants import Claim

ABSENT, USER, ROLE, GROUP = 0, 1, 2, 3
S_ROLE, S_USER, S_ROOT = 1, 2, 3
KEYS_PER_USER = 2  # "You can have a maximum of two access keys (active or inactive) at a time"
CHAINED_MAX = 3600  # "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour"
ROLE_MAX = (3600, 43200)  # MaxSessionDuration "can have a value from 1 hour to 12 hours"
ASSUME = (900, 43200)  # AssumeRole DurationSeconds
USER_TOKEN = (900, 129600)  # GetSessionToken for users; root sessions "default to one hour"
ENTITIES, SESSIONS = 3, 2
INT = z3.IntSort()
BOOL = z3.BoolSort()


@dataclass(frozen=True)
class State:
    kind: z3.ArrayRef  # entity -> ABSENT | USER | ROLE | GROUP
    keys: z3.ArrayRef  # entity -> number of long-term access keys
    member: z3.ArrayRef  # user -> group -> member?
    max_session: z3.ArrayRef  # role -> MaxSessionDuration
    now: z3.ArithRef
    live: z3.ArrayRef  # session -> issued?
    skind: z3.ArrayRef  # session -> S_ROLE | S_USER | S_ROOT
    issued: z3.ArrayRef
    expires: z3.ArrayRef
    chained: z3.ArrayRef  # session -> made with temporary credentials
    cap: z3.ArrayRef  # session -> its role's MaxSessionDuration when issued


def state(name: str) -> State:
    return State(z3.Array(f"{name}.kind", INT, INT), z3.Array(f"{name}.keys", INT, INT),
                 z3.Array(f"{name}.member", INT, z3.ArraySort(INT, BOOL)), z3.Array(f"{name}.max_session", INT, INT),
                 z3.Int(f"{name}.now"), z3.Array(f"{name}.live", INT, BOOL), z3.Array(f"{name}.skind", INT, INT),
                 z3.Array(f"{name}.issued", INT, INT), z3.Array(f"{name}.expires", INT, INT),
                 z3.Array(f"{name}.chained", INT, BOOL), z3.Array(f"{name}.cap", INT, INT))


ENT, SES = range(ENTITIES), range(SESSIONS)


def initial(s: State) -> z3.BoolRef:
    """A new account: no users, groups or roles, no keys, no sessions."""
    return z3.And(*[z3.And(s.kind[e] == ABSENT, s.keys[e] == 0) for e in ENT],
                  *[z3.Not(s.member[e][g]) for e in ENT for g in ENT], *[z3.Not(s.live[i]) for i in SES])


def _same(s: State, t: State) -> z3.BoolRef:
    return z3.And(*[getattr(s, f) == getattr(t, f) for f in State.__dataclass_fields__])


# ---- rules, one per function (the mutants replace these) ---------------------------------------------------

def can_hold_keys(kind: z3.ArithRef) -> z3.BoolRef:
    """Rule *access keys*: CreateAccessKey names a user (``UserName``) or acts on the caller's own user or root;
    there is no way to give a role or a group a long-term key (iam-semantics §1.2, §6.1)."""
    return kind == USER


def key_quota(count: z3.ArithRef) -> z3.BoolRef:
    """Rule *two keys*: a third key is ``LimitExceeded`` "Cannot exceed quota for AccessKeysPerUser: 2"."""
    return count < KEYS_PER_USER


def can_join_group(kind: z3.ArithRef) -> z3.BoolRef:
    """Rule *groups hold users*: "User groups can't be nested; they can contain only users"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html)."""
    return kind == USER


def assume_duration_ok(d: z3.ArithRef, role_max: z3.ArithRef, temporary: z3.BoolRef) -> z3.BoolRef:
    """Rule *AssumeRole duration*: 900..43200 s, at most the role's MaxSessionDuration, and at most one hour when
    the caller holds temporary credentials ("role chaining"); otherwise ``ValidationError``, never clamped
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)."""
    return z3.And(d >= ASSUME[0], d <= ASSUME[1], d <= role_max, z3.Implies(temporary, d <= CHAINED_MAX))


def credentials_valid(s: State, session: z3.ArithRef) -> z3.BoolRef:
    """Rule *expiry*: "After temporary security credentials expire, they cannot be reused": a request signed with
    them fails with ``ExpiredToken`` before any policy is read, from the instant of ``Expiration``
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html; ``spec.identity.auth``)."""
    return z3.And(s.live[session], s.now < s.expires[session])


# ---- the operations -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One step: a call, or the clock moving. The operation's parameters are free; ``actor_session`` says the step is
    a call signed with session credentials ``actor`` (else a call with a user's long-term key or as root, or the
    clock); ``trust_allows`` is the authorization of an AssumeRole call (``spec.authorize`` with the role's trust
    policy as the resource policy: ``spec.identity.sts``), left free."""

    s: State
    t: State
    actor_session: z3.BoolRef
    actor: z3.ArithRef
    trust_allows: z3.BoolRef
    relation: z3.BoolRef


def _ops(s: State, t: State, actor_session: z3.BoolRef, trust_allows: z3.BoolRef) -> list[z3.BoolRef]:
    """The operations that change the state, each with its guards (not authentication: ``step`` adds it)."""
    e, g, new = z3.Ints("op.e op.g op.session")
    m, d = z3.Ints("op.m op.d")
    root_call = z3.Bool("op.root")
    keep = {f: getattr(s, f) for f in State.__dataclass_fields__}

    def becomes(**changes: object) -> z3.BoolRef:
        return _same(replace(State(**keep), **changes), t)

    no_groups = z3.And(*[z3.Not(s.member[e][x]) for x in ENT])
    no_members = z3.And(*[z3.Not(s.member[x][g]) for x in ENT])
    role_max_ok = z3.And(m >= ROLE_MAX[0], m <= ROLE_MAX[1])
    fresh = z3.And(new >= 0, new < SESSIONS, z3.Not(s.live[new]))  # new credentials take a free slot
    ops = [
        z3.And(s.kind[e] == ABSENT, becomes(kind=z3.Store(s.kind, e, USER), keys=z3.Store(s.keys, e, 0))),
        z3.And(s.kind[e] == ABSENT, becomes(kind=z3.Store(s.kind, e, GROUP))),
        z3.And(s.kind[e] == ABSENT, role_max_ok,
               becomes(kind=z3.Store(s.kind, e, ROLE), max_session=z3.Store(s.max_session, e, m))),
        z3.And(s.kind[e] == ROLE, role_max_ok, becomes(max_session=z3.Store(s.max_session, e, m))),  # UpdateRole
        z3.And(s.kind[e] == USER, s.keys[e] == 0, no_groups, becomes(kind=z3.Store(s.kind, e, ABSENT))),
        z3.And(s.kind[g] == GROUP, no_members, becomes(kind=z3.Store(s.kind, g, ABSENT))),
        z3.And(s.kind[e] == ROLE, becomes(kind=z3.Store(s.kind, e, ABSENT))),
        z3.And(can_join_group(s.kind[e]), s.kind[g] == GROUP,  # AddUserToGroup
               becomes(member=z3.Store(s.member, e, z3.Store(s.member[e], g, True)))),
        z3.And(s.member[e][g], becomes(member=z3.Store(s.member, e, z3.Store(s.member[e], g, False)))),
        z3.And(can_hold_keys(s.kind[e]), key_quota(s.keys[e]),  # CreateAccessKey
               becomes(keys=z3.Store(s.keys, e, s.keys[e] + 1))),
        z3.And(s.kind[e] == USER, s.keys[e] > 0, becomes(keys=z3.Store(s.keys, e, s.keys[e] - 1))),
        z3.And(fresh, s.kind[e] == ROLE, trust_allows, assume_duration_ok(d, s.max_session[e], actor_session),
               becomes(live=z3.Store(s.live, new, True), skind=z3.Store(s.skind, new, S_ROLE),  # AssumeRole
                       issued=z3.Store(s.issued, new, s.now), expires=z3.Store(s.expires, new, s.now + d),
                       chained=z3.Store(s.chained, new, actor_session),
                       cap=z3.Store(s.cap, new, s.max_session[e]))),
        z3.And(fresh, z3.Not(actor_session), d >= USER_TOKEN[0], d <= USER_TOKEN[1],  # GetSessionToken
               becomes(live=z3.Store(s.live, new, True), skind=z3.Store(s.skind, new, z3.If(root_call, S_ROOT, S_USER)),
                       issued=z3.Store(s.issued, new, s.now),
                       expires=z3.Store(s.expires, new, s.now + z3.If(root_call, z3.If(d < 3600, d, 3600), d)),
                       chained=z3.Store(s.chained, new, False))),
    ]
    in_range = z3.And(e >= 0, e < ENTITIES, g >= 0, g < ENTITIES)
    return [z3.And(in_range, op) for op in ops]


def clock(s: State, t: State) -> z3.BoolRef:
    """Time passes: the clock moves forward (a scenario's ``advance``), nothing else changes."""
    tick = z3.Int("op.tick")
    return z3.And(tick >= 0, _same(replace(s, now=s.now + tick), t))


def step(name: str = "x") -> Step:
    """Any one step: a call by any caller, or the clock. A call whose session credentials do not authenticate (or
    any call that fails: refused, denied, invalid) changes nothing; one that succeeds makes one operation."""
    s, t = state(f"{name}.pre"), state(f"{name}.post")
    actor_session, actor = z3.Bool(f"{name}.actor_session"), z3.Int(f"{name}.actor")
    trust_allows = z3.Bool(f"{name}.trust_allows")
    signer = z3.Implies(actor_session, z3.And(actor >= 0, actor < SESSIONS))
    authenticated = z3.Implies(actor_session, credentials_valid(s, actor))
    succeeds = z3.And(authenticated, z3.Or(*_ops(s, t, actor_session, trust_allows)))
    moves = z3.Or(succeeds, z3.And(z3.Not(actor_session), clock(s, t)), _same(s, t))
    return Step(s, t, actor_session, actor, trust_allows, z3.And(signer, moves))


# ---- invariants, proved inductively ---------------------------------------------------------------------------

REGISTRY: dict[str, Callable[[], Claim]] = {}


def _inductive(prop: Callable[[State], z3.BoolRef]) -> Claim:
    """Init ⇒ P, and P(s) ∧ step(s, t) ⇒ P(t): one claim that holds exactly when both do."""
    st = step()
    s0 = state("init")
    holds = z3.And(z3.Implies(initial(s0), prop(s0)),
                   z3.Implies(z3.And(prop(st.s), st.relation), prop(st.t)))
    return Claim(holds)


def transition_invariant(fn: Callable[[], Claim]) -> Callable[[], Claim]:
    REGISTRY[fn.__name__] = fn
    return fn


def _no_standing(s: State) -> z3.BoolRef:
    return z3.And(*[z3.Implies(s.kind[e] != USER, s.keys[e] == 0) for e in ENT])


@transition_invariant
def roles_hold_no_standing_credentials() -> Claim:
    """No role (nor group, nor deleted entity) ever holds a long-term access key: only users do.

    Source: "a role does not have standard long-term credentials such as a password or access keys associated with
    it" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html)."""
    return _inductive(_no_standing)


@transition_invariant
def group_members_are_users() -> Claim:
    """Every member of a group is a user, and every group with members is a group (no roles, no nested groups).

    Source: "User groups can't be nested; they can contain only users, not other user groups"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html)."""
    def prop(s: State) -> z3.BoolRef:
        return z3.And(*[z3.Implies(s.member[u][g], z3.And(s.kind[u] == USER, s.kind[g] == GROUP))
                        for u in ENT for g in ENT])
    return _inductive(prop)


@transition_invariant
def at_most_two_keys() -> Claim:
    """A user never holds more than two access keys, active or inactive.

    Source: "You can have a maximum of two access keys (active or inactive) at a time"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html)."""
    def prop(s: State) -> z3.BoolRef:
        return z3.And(_no_standing(s), *[z3.And(s.keys[e] >= 0, s.keys[e] <= KEYS_PER_USER) for e in ENT])
    return _inductive(prop)


@transition_invariant
def session_duration_within_bounds() -> Claim:
    """Every role session lasts 900 s to 12 h, within the MaxSessionDuration its role had when it was issued, and
    within one hour when made with temporary credentials (role chaining); every GetSessionToken session lasts 900 s
    to 36 h (one hour at most for the root user).

    Source: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (DurationSeconds, role
    chaining), https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (MaxSessionDuration). AssumeRole with
    GetSessionToken credentials counts as chaining: AWS caps it at one hour too (observed, iam-semantics §5.6,
    https://github.com/mmmorris1975/aws-runas/issues/11), though the documentation defines role chaining as using a
    role to assume another."""
    def prop(s: State) -> z3.BoolRef:
        def ok(i: int) -> z3.BoolRef:
            length = s.expires[i] - s.issued[i]
            role = z3.And(length >= ASSUME[0], length <= ASSUME[1], length <= s.cap[i],
                          z3.Implies(s.chained[i], length <= CHAINED_MAX))
            user = z3.And(length >= USER_TOKEN[0], length <= USER_TOKEN[1],
                          z3.Implies(s.skind[i] == S_ROOT, length <= 3600))
            return z3.Implies(s.live[i], z3.If(s.skind[i] == S_ROLE, role, user))
        roles = [z3.Implies(s.kind[e] == ROLE, z3.And(s.max_session[e] >= ROLE_MAX[0],
                                                      s.max_session[e] <= ROLE_MAX[1])) for e in ENT]
        return z3.And(*roles, *[ok(i) for i in SES])
    return _inductive(prop)


def _issued_before_now(s: State) -> z3.BoolRef:
    return z3.And(*[z3.Implies(s.live[i], z3.And(s.issued[i] <= s.now, s.issued[i] < s.expires[i])) for i in SES])


def _expired(s: State, i: z3.ArithRef | int) -> z3.BoolRef:
    """Session ``i`` was never issued, or its credentials are at or past their ``Expiration``."""
    return z3.Not(z3.And(s.live[i], s.now < s.expires[i]))


@transition_invariant
def expired_credentials_never_authorize() -> Claim:
    """A call signed with temporary credentials that are expired (at or after their Expiration) or were never
    issued changes nothing, whatever it is (AssumeRole included); expired credentials stay expired (the clock never
    goes back and an issued session's expiry never changes); and every session was issued at or before the current
    time and expires after its issue.

    Source: "After the credentials expire, AWS no longer recognizes them or allows any kind of access from API
    requests made with them" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html);
    ``Expiration`` is "The date on which the current credentials expire"
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html)."""
    st = step()
    s, t = st.s, st.t
    refused = z3.Implies(z3.And(st.relation, st.actor_session, _expired(s, st.actor)), _same(s, t))
    stays = z3.Implies(st.relation, z3.And(*[
        z3.Implies(z3.And(s.live[i], _expired(s, i)), z3.And(t.live[i], t.expires[i] == s.expires[i], _expired(t, i)))
        for i in SES]))
    return Claim(z3.And(_inductive(_issued_before_now).holds, refused, stays),
                 show={"actor_session": st.actor_session, "actor": st.actor, "now": s.now, "now after": t.now})
