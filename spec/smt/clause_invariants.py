"""Named invariants of statements and conditions (the decision-level ones are in ``invariants``): proved over
symbolic statements (``decision.layer``), and through the real encoder (``Encoder.clause``, ``Encoder.statement``)
on parsed conditions of every operator family and on policies with variables, over a symbolic request whose keys
may be absent, hold one value or a list. The expected values are the documentation's, written out per condition.
Registered in ``invariants.REGISTRY``.
"""

from __future__ import annotations

import z3

from spec.policy import Policy, PolicyKind, parse_policy
from spec.smt import atoms, decision
from spec.smt.context import scope_of
from spec.smt.decision import DIRECT, NONE, Layer
from spec.smt.encode import Applied, Encoder
from spec.smt.invariants import REGISTRY, Claim, invariant
from spec.smt.request import SymRequest

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


# ---- conditions, through the encoder ----------------------------------------------------------------------------

VERSION = "2012-10-17"
# One context key per operator family, and a policy value each family can read.
FAMILY_KEYS = {"string": ("aws:PrincipalTag/team", "x"), "arn": ("aws:SourceArn", "arn:aws:s3:::b"),
               "numeric": ("aws:MultiFactorAuthAge", "3600"), "date": ("aws:CurrentTime", "2024-01-01T00:00:00Z"),
               "bool": ("aws:SecureTransport", "true"), "binary": ("s3:x-amz-meta-blob", "QmluYXJ5"),
               "ip": ("aws:SourceIp", "10.0.0.0/8"), "null": ("aws:TokenIssueTime", "true")}
# Each condition, as written in a policy, and what it evaluates to when its key is absent from the request
# (iam-semantics §3.2, from the operators page): a positive operator false, a negated one true, any ...IfExists
# true, ForAllValues true, ForAnyValue false, Null true for "true" and false for "false".
MISSING_KEY = (
    ("string", "StringEquals", False), ("string", "StringNotEquals", True), ("string", "StringLike", False),
    ("string", "StringNotLike", True), ("string", "StringEqualsIgnoreCase", False),
    ("string", "StringNotEqualsIgnoreCase", True), ("string", "StringEqualsIfExists", True),
    ("string", "StringNotEqualsIfExists", True), ("string", "ForAllValues:StringEquals", True),
    ("string", "ForAllValues:StringNotLike", True), ("string", "ForAnyValue:StringEquals", False),
    ("string", "ForAnyValue:StringNotEquals", False), ("arn", "ArnEquals", False), ("arn", "ArnLike", False),
    ("arn", "ArnNotEquals", True), ("arn", "ArnNotLike", True), ("arn", "ArnLikeIfExists", True),
    ("arn", "ForAllValues:ArnLike", True), ("arn", "ForAnyValue:ArnLike", False),
    ("numeric", "NumericEquals", False), ("numeric", "NumericNotEquals", True),
    ("numeric", "NumericLessThan", False), ("numeric", "NumericGreaterThanEquals", False),
    ("numeric", "NumericLessThanIfExists", True), ("numeric", "NumericNotEqualsIfExists", True),
    ("date", "DateEquals", False), ("date", "DateNotEquals", True), ("date", "DateGreaterThan", False),
    ("date", "DateLessThanIfExists", True), ("bool", "Bool", False), ("bool", "BoolIfExists", True),
    ("binary", "BinaryEquals", False), ("binary", "BinaryEqualsIfExists", True), ("ip", "IpAddress", False),
    ("ip", "NotIpAddress", True), ("ip", "IpAddressIfExists", True), ("ip", "NotIpAddressIfExists", True),
    ("null", "Null", True))


def _encoded(statements: list[dict]) -> tuple[Policy, SymRequest, Encoder]:
    """A policy of these statements, parsed, and the encoder over a symbolic ``s3:GetObject`` request."""
    policy = parse_policy({"Version": VERSION, "Statement": statements}, PolicyKind.IDENTITY)
    req = SymRequest.symbolic(scope_of([policy]), "q", action="s3:GetObject")
    return policy, req, Encoder(req)


def _with(sid: str, block: dict) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": block}


@invariant
def missing_key_table() -> Claim:
    """For a key absent from the request: ...IfExists and ForAllValues conditions are true, ForAnyValue false, a
    plain positive operator false and a negated one true; Null is true exactly for "true".

    Proved through ``Encoder.clause`` on parsed conditions of every operator family (string, ARN, numeric, date,
    Bool, binary, IP address, Null), each checked against the value the documentation gives (``MISSING_KEY``).

    Source: "If the key that you specify in a policy condition is not present in the request context, the values do
    not match and the condition is false. If the policy condition requires that the key is not matched, such as
    StringNotLike or ArnNotLike, and the right key is not present, the condition is true"; ...IfExists: "If the key
    is not present, evaluate the condition element as true"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
    ForAllValues "also returns true if there are no keys in the request"; ForAnyValue: "For no matching key ... the
    condition returns false"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html);
    iam-semantics §3.2."""
    rows = [*MISSING_KEY, ("null", "Null", False)]
    stmts = []
    for i, (family, label, expected) in enumerate(rows):
        key, value = FAMILY_KEYS[family]
        value = ("true" if expected else "false") if family == "null" else value
        stmts.append(_with(f"c{i}", {label: {key: value}}))
    policy, req, enc = _encoded(stmts)
    checks, show = [], {}
    for (_family, _label, expected), stmt in zip(rows, policy.statements, strict=True):
        clause = stmt.conditions[0]
        truth = enc.clause(clause)
        show[f"{clause.label} {clause.key}: {clause.values[0].raw}"] = truth
        checks.append(z3.Implies(req.keys[clause.key].is_absent, truth == expected))
    return Claim(z3.And(*checks), req.finish(), show=show)


# Positive and negated operators of each family that has both, with three policy values for one key.
COMPLEMENTS = (
    ("string", "StringEquals", "StringNotEquals", ["a", "b", "c"]),
    ("string", "StringLike", "StringNotLike", ["a*", "*b", "c?"]),
    ("string", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", ["Ab", "cd", "EF"]),
    ("arn", "ArnEquals", "ArnNotEquals", ["arn:aws:s3:::a", "arn:aws:sqs:us-east-1:111122223333:q",
                                          "arn:aws:iam::111122223333:role/r"]),
    ("arn", "ArnLike", "ArnNotLike", ["arn:aws:s3:::a*", "arn:aws:sqs:*:111122223333:q", "arn:aws:iam::*:role/*"]),
    ("numeric", "NumericEquals", "NumericNotEquals", ["1", "2.5", "30"]),
    ("date", "DateEquals", "DateNotEquals", ["2024-01-01T00:00:00Z", "2025-06-01T12:00:00Z", "1700000000"]),
    ("ip", "IpAddress", "NotIpAddress", ["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"]))


@invariant
def negated_operator_is_complement() -> Claim:
    """For a key present with one value, a negated operator (StringNotEquals, NotIpAddress, ...) holds exactly when
    its positive form does not: with several policy values, the value must match none of them.

    Proved through ``Encoder.clause`` on parsed conditions of every family with a negated operator (string, ARN,
    numeric, date, IP address): with three policy values, the negated condition is the complement of the positive
    one, and holds exactly when each one-value negated condition does.

    Source: "the string cannot match any of the ... values listed to resolve the condition to true"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html)."""
    stmts = []
    for i, (family, pos, neg, values) in enumerate(COMPLEMENTS):
        key = FAMILY_KEYS[family][0]
        stmts += [_with(f"p{i}", {pos: {key: values}}), _with(f"n{i}", {neg: {key: values}})]
        stmts += [_with(f"n{i}v{j}", {neg: {key: v}}) for j, v in enumerate(values)]
    policy, req, enc = _encoded(stmts)
    truth = {s.sid: enc.clause(s.conditions[0]) for s in policy.statements}
    key_of = {s.sid: s.conditions[0].key for s in policy.statements}
    checks = []
    for i, (_family, _pos, _neg, values) in enumerate(COMPLEMENTS):
        each = [truth[f"n{i}v{j}"] for j in range(len(values))]
        checks.append(z3.Implies(req.keys[key_of[f"p{i}"]].is_single,
                                 z3.And(truth[f"n{i}"] == z3.Not(truth[f"p{i}"]), truth[f"n{i}"] == z3.And(*each))))
    show = {f"{s.sid}: {s.conditions[0].label} {list(t.raw for t in s.conditions[0].values)}": truth[s.sid]
            for s in policy.statements}
    return Claim(z3.And(*checks), req.finish(), show=show)


# A Condition block with several operators, and several keys under one operator (one clause per family).
BLOCK = {"StringEquals": {"aws:PrincipalTag/team": "a", "s3:prefix": "home/"},
         "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b*"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
         "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}, "Bool": {"aws:SecureTransport": "true"},
         "BinaryEquals": {"s3:x-amz-meta-blob": "QmluYXJ5"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
         "Null": {"aws:TokenIssueTime": "false"}}


@invariant
def conditions_are_conjunctive() -> Claim:
    """A Condition block holds exactly when every one of its conditions holds, so adding a condition never makes
    a statement apply to more requests.

    Proved through the encoder on a parsed statement whose block has eight operators (one per family) and two keys
    under one of them, and on the same statement with only the first three of those operators.

    Source: "If your policy has multiple condition operators or multiple keys attached to a single condition
    operator, the conditions are evaluated using a logical AND"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html)."""
    fewer = dict(list(BLOCK.items())[:3])
    policy, req, enc = _encoded([_with("All", BLOCK), _with("Fewer", fewer)])
    full, part = policy.statements
    assert len(full.conditions) == 9 and len(part.conditions) == 4
    each = {c.label + " " + c.key: enc.clause(c) for c in full.conditions}
    block = enc.conditions(full)
    holds = z3.And(block == z3.And(*each.values()),
                   z3.Implies(enc.statement(full).applies, enc.statement(part).applies))
    return Claim(holds, req.finish(), show={"block": block, **each})


def _on(sid: str, resource: str, negated: bool = False) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": "s3:GetObject", "NotResource" if negated else "Resource": resource}


ARN_TEMPLATE = "arn:aws:sqs:*:${aws:PrincipalAccount}:queue-*"
# Statements holding a policy variable: the key it names, "none" (the key has no single value: absent or a list) or
# "list" (a multivalued key), and whether the statement applies then.
VARIABLE_STATEMENTS = (
    ("aws:username", "none", False, _with("Equals", {"StringEquals": {"s3:prefix": "home/${aws:username}"}})),
    ("aws:username", "none", False, _with("Like", {"StringLike": {"s3:prefix": "home/${aws:username}/*"}})),
    ("aws:username", "none", False, _with("Arn", {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:username}"}})),
    ("aws:username", "none", True, _with("NotEquals", {"StringNotEquals": {"s3:prefix": "home/${aws:username}"}})),
    ("aws:username", "none", False, _on("InResource", "arn:aws:s3:::b/${aws:username}/*")),
    ("aws:username", "none", True, _on("InNotResource", "arn:aws:s3:::b/${aws:username}/*", negated=True)),
    ("aws:PrincipalTag/team", "none", False,
     _with("TagEquals", {"StringEquals": {"s3:prefix": "home/${aws:PrincipalTag/team}"}})),
    ("aws:PrincipalTag/team", "none", True,
     _with("TagNotLike", {"StringNotLike": {"s3:prefix": "home/${aws:PrincipalTag/team}/*"}})),
    ("aws:PrincipalTag/team", "none", False, _on("TagResource", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*")),
    ("aws:PrincipalAccount", "none", False, _with("ArnTemplate", {"ArnLike": {"aws:SourceArn": ARN_TEMPLATE}})),
    ("aws:PrincipalAccount", "none", True, _with("ArnNotTemplate", {"ArnNotLike": {"aws:SourceArn": ARN_TEMPLATE}})),
    ("aws:TagKeys", "list", False, _with("ListLike", {"StringLike": {"s3:prefix": "${aws:TagKeys}/*"}})),
    ("aws:TagKeys", "list", False, _on("ListResource", "arn:aws:s3:::b/${aws:TagKeys}")),
)
# The page's example of a default: a principal without the team tag reaches the company-wide bucket.
DEFAULT_RESOURCE = "arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}/*"
DEFAULT_TARGET = "arn:aws:s3:::amzn-s3-demo-bucket-company-wide/*"


@invariant
def unresolved_variable_never_matches() -> Claim:
    """A policy variable whose key has no single value (absent, with no default, or a list) matches nothing: a
    positive operator on it is false, a negated one true; a Resource holding it matches no resource, and a
    NotResource holding it excludes none. A variable with a default is the exception when its key is absent: it
    takes the default, and matches.

    Proved through the encoder for ``${aws:username}`` (StringEquals, StringLike, ArnLike, StringNotEquals, Resource,
    NotResource), a tag variable ``${aws:PrincipalTag/team}`` (StringEquals, StringNotLike, Resource), an ARN
    template ``arn:aws:sqs:*:${aws:PrincipalAccount}:queue-*`` (ArnLike, ArnNotLike), the multivalued key
    ``${aws:TagKeys}`` holding a list (StringLike, Resource), and the page's default
    ``${aws:PrincipalTag/team, 'company-wide'}`` in a Resource, which with no team tag matches exactly the
    company-wide bucket.

    Source: "When you use a variable with no value in the condition element ..., condition operators like
    StringEquals or StringLike do not match ... Inverted condition operators like StringNotEquals or StringNotLike do
    match ... If a variable that has no value in the authorization context is used as part of the Resource or
    NotResource element of a policy, the resource that includes a policy variable with no value will not match any
    resource"; "You can use any single-valued condition key as a variable. You can't use a multivalued condition key
    as a variable"; principal tags as variables (section "Tags as policy variables"); a default value, in single
    quotes after a comma and space, is used when the key is not present, as in ``${aws:PrincipalTag/team,
    'company-wide'}`` (section "Specifying default values")
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    policy, req, enc = _encoded([stmt for *_, stmt in VARIABLE_STATEMENTS] + [_on("Default", DEFAULT_RESOURCE)])
    applies = {s.sid: enc.statement(s).applies for s in policy.statements}
    checks = []
    for key, mode, expected, stmt in VARIABLE_STATEMENTS:
        k = req.keys[key.lower()]
        unresolved = k.is_list if mode == "list" else z3.Not(k.is_single)
        checks.append(z3.Implies(unresolved, applies[stmt["Sid"]] == expected))
    company_wide = req.resource.member((atoms.glob(DEFAULT_TARGET),))
    checks.append(z3.Implies(req.keys["aws:principaltag/team"].is_absent, applies["Default"] == company_wide))
    return Claim(z3.And(*checks), req.finish(), show=dict(applies))
