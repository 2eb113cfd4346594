"""Named invariants of statements and conditions (the decision-level ones are in ``invariants``): proved over
symbolic statements, symbolic clauses of every operator shape, and the real encoder on a policy of variables.
Registered in ``invariants.REGISTRY``.
"""

from __future__ import annotations

import z3

from spec.smt import conditions, decision
from spec.smt.decision import DIRECT, NONE, Layer
from spec.smt.encode import Applied
from spec.smt.invariants import REGISTRY, Claim, invariant

__all__ = ["REGISTRY"]

def _statements(name: str, effects: list[bool | None]) -> tuple[list[Applied], list[z3.BoolRef]]:
    """Statements that may or may not apply, with any grant; an effect ``None`` is symbolic, ``True``/``False`` a
    concrete Allow/Deny as every parsed statement has (``decision.layer`` takes a different branch for each)."""
    out, cons = [], []
    for i, effect in enumerate(effects):
        g = z3.Int(f"{name}[{i}].grant")
        cons += [g >= NONE, g <= DIRECT]
        allows = z3.Bool(f"{name}[{i}].allow") if effect is None else effect
        out.append(Applied(None, z3.And(z3.Bool(f"{name}[{i}].applies"), g > NONE), g, allows))
    return out, cons


def _same(a: Layer, b: Layer) -> z3.BoolRef:
    return z3.And(a.allowed == b.allowed, a.denied == b.denied, a.grant == b.grant)


def _reorderings(stmts: list[Applied]) -> list[list[Applied]]:
    """Every adjacent swap (they generate every order), and a copy of each statement at every position."""
    swaps = [stmts[:i] + [stmts[i + 1], stmts[i]] + stmts[i + 2:] for i in range(len(stmts) - 1)]
    copies = [stmts[:i] + [s] + stmts[i:] for s in stmts for i in range(len(stmts) + 1)]
    return swaps + copies


@invariant
def order_and_duplicates_irrelevant() -> Claim:
    """What a set of statements says (some Allow applies, the strongest grant, some Deny applies) depends neither on
    their order nor on repeated statements, whether their effects are fixed Allow and Deny or any mix.

    Source: "If a policy includes multiple statements, AWS applies a logical OR across the statements"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies-introduction); iam-semantics
    §7 item 23."""
    stmts, cons = _statements("s", [None, None, True, True, False, False])
    checks = []
    for group in (stmts, stmts[2:]):  # a mix of symbolic and concrete effects, and concrete effects alone
        base = decision.layer(group)
        checks += [_same(base, decision.layer(other)) for other in _reorderings(group)]
    return Claim(z3.And(*checks), cons)


def _clause_flags(name: str) -> tuple[dict[str, z3.BoolRef], list[z3.BoolRef]]:
    f = {k: z3.Bool(f"{name}.{k}") for k in ("negated", "if_exists", "forall", "forany", "present", "is_list",
                                               "single", "all_items", "any_items")}
    return f, [z3.Not(z3.And(f["forall"], f["forany"]))]


def _truth(f: dict[str, z3.BoolRef]) -> z3.BoolRef:
    return conditions.clause_truth(f["present"], f["is_list"], f["negated"], f["if_exists"], f["forall"],
                                   f["forany"], f["single"], f["all_items"], f["any_items"])


@invariant
def missing_key_table() -> Claim:
    """For a key absent from the request: ...IfExists and ForAllValues conditions are true, ForAnyValue false, a
    plain positive operator false and a negated one true; Null is true exactly for "true".

    Source: "If the key that you specify in a policy condition is not present in the request context, the values do
    not match and the condition is false. If the policy condition requires that the key is not matched, such as
    StringNotLike or ArnNotLike, and the right key is not present, the condition is true"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
    iam-semantics §3.2."""
    f, cons = _clause_flags("c")
    table = z3.If(z3.Or(f["if_exists"], f["forall"]), True, z3.If(f["forany"], False, f["negated"]))
    absent = z3.BoolVal(False)
    null_true = conditions.null_holds(True, False, absent)
    null_false = conditions.null_holds(False, True, absent)
    holds = z3.And(z3.Implies(z3.Not(f["present"]), _truth(f) == table), null_true, z3.Not(null_false))
    return Claim(holds, cons, show=dict(f))


@invariant
def negated_operator_is_complement() -> Claim:
    """For a key present with one value, a negated operator (StringNotEquals, NotIpAddress, ...) holds exactly when
    its positive form does not: with several policy values, the value must match none of them.

    Source: "the string cannot match any of the ... values listed to resolve the condition to true"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html)."""
    hits = [z3.Bool(f"hit{i}") for i in range(3)]
    if_exists = z3.Bool("if_exists")
    pos = conditions.clause_truth(z3.BoolVal(True), z3.BoolVal(False), False, if_exists, False, False,
                                  conditions.matches_one(False, hits), z3.BoolVal(True), z3.BoolVal(False))
    neg = conditions.clause_truth(z3.BoolVal(True), z3.BoolVal(False), True, if_exists, False, False,
                                  conditions.matches_one(True, hits), z3.BoolVal(True), z3.BoolVal(False))
    return Claim(neg == z3.Not(pos), show={f"value matches policy value {i}": h for i, h in enumerate(hits)})


@invariant
def conditions_are_conjunctive() -> Claim:
    """A Condition block holds exactly when every one of its conditions holds, so adding a condition never makes
    a statement apply to more requests.

    Source: "If your policy has multiple condition operators or multiple keys attached to a single condition
    operator, the conditions are evaluated using a logical AND"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html)."""
    xs = [z3.Bool(f"clause{i}") for i in range(3)]
    holds = z3.And(conditions.all_hold(xs) == z3.And(*xs),
                   z3.Implies(conditions.all_hold(xs), conditions.all_hold(xs[:2])))
    return Claim(holds, show={f"clause {i}": x for i, x in enumerate(xs)})


_VARIABLES_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Equals", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringEquals": {"s3:prefix": "home/${aws:username}"}}},
    {"Sid": "Like", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}},
    {"Sid": "Arn", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"ArnLike": {"aws:sourcearn": "arn:aws:s3:::${aws:username}"}}},
    {"Sid": "NotEquals", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringNotEquals": {"s3:prefix": "home/${aws:username}"}}},
    {"Sid": "InResource", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"},
    {"Sid": "InNotResource", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/${aws:username}/*"},
]}


@invariant
def unresolved_variable_never_matches() -> Claim:
    """A policy variable whose key has no single value (absent, with no default, or a list) matches nothing: a
    positive operator on it is false, a negated one true; a Resource holding it matches no resource, and a
    NotResource holding it excludes none.

    Source: "When you use a variable with no value in the condition element ..., condition operators like
    StringEquals or StringLike do not match ... Inverted condition operators like StringNotEquals or StringNotLike do
    match ... If a variable that has no value in the authorization context is used as part of the Resource or
    NotResource element of a policy, the resource that includes a policy variable with no value will not match any
    resource"; "You can't use a multivalued condition key as a variable"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    from spec.policy import PolicyKind, parse_policy
    from spec.smt.context import scope_of
    from spec.smt.encode import Encoder
    from spec.smt.request import SymRequest

    policy = parse_policy(_VARIABLES_POLICY, PolicyKind.IDENTITY)
    req = SymRequest.symbolic(scope_of([policy]), "v", action="s3:GetObject")
    enc = Encoder(req)
    applies = {s.sid: enc.statement(s).applies for s in policy.statements}
    user = req.keys["aws:username"]
    expected = z3.And(z3.Not(applies["Equals"]), z3.Not(applies["Like"]), z3.Not(applies["Arn"]),
                      applies["NotEquals"], z3.Not(applies["InResource"]), applies["InNotResource"])
    holds = z3.Implies(z3.Not(user.is_single), expected)
    return Claim(holds, req.finish(), show=dict(applies))
