"""The Condition element as Z3 formulas over the symbolic context.

Mirrors ``spec.conditions`` and ``spec.operators``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html).
The rule combinators (``matches_one``, ``null_holds``, ``clause_truth``, ``all_hold``) take Z3 terms for every
part of a clause, so the named invariants can prove them for symbolic operators, not only for the operators a
policy happens to use.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from spec.conditions import Clause
from spec.operators import parse_date
from spec.smt import atoms, strings, values
from spec.smt.context import SymKey
from spec.smt.values import SymValue

FORALL, FORANY = "ForAllValues", "ForAnyValue"
Test = Callable[[SymValue], z3.BoolRef]


def matches_one(negated: z3.BoolRef | bool, hits: list[z3.BoolRef]) -> z3.BoolRef:
    """Rule *several values*: OR across the policy values for a positive operator; NOR for a negated one ("the
    string cannot match any of the ... values listed to resolve the condition to true")."""
    hit = z3.Or(*hits) if hits else z3.BoolVal(False)
    return z3.If(negated, z3.Not(hit), hit)


def null_holds(wants_true: z3.BoolRef | bool, wants_false: z3.BoolRef | bool, present: z3.BoolRef) -> z3.BoolRef:
    """Rule *Null*: ``true`` holds when the key is absent, ``false`` when it is present; several values OR."""
    return z3.Or(z3.And(wants_true, z3.Not(present)), z3.And(wants_false, present))


def missing_key(negated: z3.BoolRef | bool, if_exists: z3.BoolRef | bool, forall: z3.BoolRef | bool,
                forany: z3.BoolRef | bool) -> z3.BoolRef:
    """Rule *missing key*: ``...IfExists`` and ``ForAllValues`` are true, ``ForAnyValue`` false, a plain operator
    false unless negated ("If the key that you specify in a policy condition is not present in the request
    context, the values do not match and the condition is false")."""
    return z3.If(z3.Or(if_exists, forall), True, z3.If(forany, False, negated))


def clause_truth(present: z3.BoolRef, is_list: z3.BoolRef, negated: z3.BoolRef | bool,
                 if_exists: z3.BoolRef | bool, forall: z3.BoolRef | bool, forany: z3.BoolRef | bool,
                 single: z3.BoolRef, all_items: z3.BoolRef, any_items: z3.BoolRef) -> z3.BoolRef:
    """Rule *one condition* (``spec.conditions.clause_holds``) for a non-Null operator, given whether the key is
    present, whether its value is a list, and ``M(v)`` (``matches_one``) for the single value, for all list items
    and for some list item. A plain operator on a list: "Multivalued context keys require a condition set
    operator", so it does not match (a negated one does). A set operator reads a single value as a list of one."""
    qualified = z3.If(forall, z3.If(is_list, all_items, single), z3.If(is_list, any_items, single))
    plain = z3.If(is_list, negated, single)
    return z3.If(z3.Not(present), missing_key(negated, if_exists, forall, forany),
                 z3.If(z3.Or(forall, forany), qualified, plain))


def all_hold(truths: list[z3.BoolRef]) -> z3.BoolRef:
    """Rule *AND across*: "If your policy has multiple condition operators or multiple keys attached to a single
    condition operator, the conditions are evaluated using a logical AND"."""
    return z3.And(*truths) if truths else z3.BoolVal(True)


# --------------------------------------------------------------------------------------------------------------
# Positive tests of one value against one policy value (spec.operators.positive_test)
# --------------------------------------------------------------------------------------------------------------

def _cmp(name: str, a: z3.ArithRef, b: z3.ArithRef) -> z3.BoolRef:
    return {"Equals": a == b, "LessThan": a < b, "LessThanEquals": a <= b, "GreaterThan": a > b,
            "GreaterThanEquals": a >= b}[name]


def typed_test(family: str, positive: str, text: str) -> Test:
    """The test of a value against a policy value that takes no variables (numbers, dates, booleans, binary, IP
    addresses); a policy value the operator cannot read matches nothing (tag ``condition.wrong-type-value``)."""
    if family in ("numeric", "date"):
        want = values.read_number(text) if family == "numeric" else parse_date(text)
        name = positive.removeprefix("Numeric" if family == "numeric" else "Date")
        if want is None:
            return lambda _v: z3.BoolVal(False)
        const = values.real(want)
        return lambda v: z3.And(v.reading(family)[0], _cmp(name, v.reading(family)[1], const))
    if family == "bool":
        folded = text.strip().lower()
        if folded not in ("true", "false"):
            return lambda _v: z3.BoolVal(False)
        code = values.BOOL_TRUE if folded == "true" else values.BOOL_FALSE
        return lambda v: v.reading("bool")[0] == code
    if family == "binary":
        data = values.read_bytes(text)
        if data is None:
            return lambda _v: z3.BoolVal(False)
        want_b = strings.sval(data.decode("latin-1"))
        return lambda v: z3.And(v.reading("binary")[0], v.reading("binary")[1] == want_b)
    if family == "ip":
        net = values.read_network(text)
        if net is None:
            return lambda _v: z3.BoolVal(False)
        mask, base, v6 = int(net.netmask), int(net.network_address), net.version == 6

        def ip(v: SymValue) -> z3.BoolRef:
            ok, is6, addr = v.reading("ip")
            return z3.And(ok, is6 == v6, addr & mask == base)
        return ip
    raise ValueError(family)


def value_pattern(clause: Clause, text: str) -> atoms.Pattern | None | str:
    """A policy value of a string or ARN operator as a token pattern (``spec.smt.atoms``): ``StringEquals`` a
    literal, ``StringLike`` a glob, ``ArnLike``/``ArnEquals`` six globs each within its part; None when it can match
    nothing (an ARN pattern of fewer than six parts); ``"ignore-case"`` for ``StringEqualsIgnoreCase``."""
    op = clause.operator
    if op.family == "arn":
        return atoms.arn_like(text)
    if op.positive == "StringEquals":
        return atoms.literal(text)
    if op.positive == "StringLike":
        return atoms.glob(text)
    return "ignore-case"


def ignore_case_test(text: str) -> Test:
    """Rule *StringEqualsIgnoreCase*: both sides lower-cased (``str.lower``)."""
    regex = strings.ignore_case(text.lower())
    return lambda v: z3.InRe(v.mark_string(), regex)


def key_truth(clause: Clause, key: SymKey, hits: Callable[[SymValue], list[z3.BoolRef]]) -> z3.BoolRef:
    """The clause over one key: ``hits(v)`` gives the per-policy-value positive tests of a value ``v``."""
    op = clause.operator
    if op.family == "null":
        wanted = {t.raw.strip().lower() for t in clause.values}
        return null_holds("true" in wanted, "false" in wanted, key.present)
    negated = op.negated
    items = key.items
    single = matches_one(negated, hits(key.single))
    item_m = [matches_one(negated, hits(v)) for v in items]
    all_items = z3.And(*[z3.Implies(key.n > i, m) for i, m in enumerate(item_m)]) if items else z3.BoolVal(True)
    any_items = z3.Or(*[z3.And(key.n > i, m) for i, m in enumerate(item_m)]) if items else z3.BoolVal(False)
    present = key.present if clause.qualifier is None else z3.And(key.present, z3.Not(null_data_set(key)))
    return clause_truth(present, key.is_list, negated, clause.if_exists, clause.qualifier == FORALL,
                        clause.qualifier == FORANY, single, all_items, any_items)


def null_data_set(key: SymKey) -> z3.BoolRef:
    """Rule *null data set* (set operators only): ``ForAllValues`` "also returns true if ... the key values resolve
    to a null data set, such as an empty string"; the model reads ``""`` and ``[""]`` as absent."""
    empty = (atoms.literal(""),)
    out = [z3.And(key.is_single, key.single.member(empty))]
    if key.items:
        out.append(z3.And(key.is_list, key.n == 1, key.items[0].member(empty)))
    return z3.Or(*out)
