"""The Condition element against a request context.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spec.errors import malformed
from spec.operators import Operator, ValueTest, lookup_operator, positive_test
from spec.patterns import compile_arn_like_pieces, glob_regex
from spec.variables import Template, parse_template

Context = Mapping[str, "str | tuple[str, ...]"]


@lru_cache(maxsize=65536)
def _cached_test(op: Operator, text: str) -> ValueTest:
    return positive_test(op, text)


@lru_cache(maxsize=16384)
def _literal_like(pieces: tuple[tuple[str, bool], ...]) -> ValueTest:
    regex = re.compile(glob_regex(pieces), re.DOTALL)
    return lambda v: regex.fullmatch(v) is not None


@dataclass(frozen=True)
class Clause:
    """One ``operator: {key: values}`` entry of a Condition block, for one key."""

    operator: Operator
    qualifier: str | None  # None, "ForAllValues" or "ForAnyValue"
    if_exists: bool
    key: str  # lower-cased: "Condition key names are not case-sensitive"
    values: tuple[Template, ...]
    label: str  # the operator as written, e.g. "ForAnyValue:StringLikeIfExists"
    _static: tuple[ValueTest, ...] | None = field(default=None, compare=False, repr=False)

    def tests(self, context: Context) -> list[ValueTest]:
        """Rule *policy variables in conditions*: a value whose variable has no value "does not match" for
        positive operators; inverted operators then match, since no value matches positively."""
        if self._static is not None:
            return list(self._static)
        out = []
        for template in self.values:
            if not self.operator.variables:
                out.append(_cached_test(self.operator, template.raw))
                continue
            pieces = template.resolve(context)
            if pieces is None:
                continue
            if self.operator.family == "arn":
                out.append(compile_arn_like_pieces(pieces))  # ${*} and substituted values are literal text
            elif self.operator.positive == "StringLike" and not all(p for _, p in pieces):
                out.append(_literal_like(pieces))
            else:
                out.append(_cached_test(self.operator, "".join(t for t, _ in pieces)))
        return out


def make_clause(operator: Operator, qualifier: str | None, if_exists: bool, key: str,
                values: tuple[Template, ...], label: str) -> Clause:
    static = None
    if operator.family != "null" and not (operator.variables and any(t.has_variables for t in values)):
        static = tuple(_cached_test(operator, t.raw) for t in values)
    return Clause(operator, qualifier, if_exists, key.lower(), values, label, static)


def _matches_one(clause: Clause, tests: list[ValueTest], value: str) -> bool:
    """Rule *several values*: OR across the policy values for a positive operator; for a negated operator
    "the string cannot match any of the ... values listed to resolve the condition to true" (NOR)."""
    hit = any(t(value) for t in tests)
    return not hit if clause.operator.negated else hit


def _null(clause: Clause, present: bool) -> bool:
    """Rule *Null*: ``true`` holds when the key is absent, ``false`` when it is present; several values OR."""
    wanted = {t.raw.strip().lower() for t in clause.values}
    return ("true" in wanted and not present) or ("false" in wanted and present)


def clause_holds(clause: Clause, context: Context) -> bool:
    """Rule *one condition* for one key, covering the missing-key table and the set qualifiers.

    Missing key (the key is not in the request context; for a set operator, also a key whose values "resolve to a
    null data set, such as an empty string"): "the values do not match and the condition is false";
    negated operators are then true; ``...IfExists`` makes any operator true; ``ForAllValues`` is true ("It also
    returns true if there are no keys in the request"); ``ForAnyValue`` is false; ``Null`` as above.
    Multivalued key (given as a list) with a plain operator: "Multivalued context keys require a condition set
    operator", so a positive operator does not match and a negated one does (iamspec decision; AWS's policy
    simulator answers this way for the politest cases tagged ``source-notes-simulator-limitation``).
    """
    value = context.get(clause.key)
    present = value is not None and value != ()
    if present and clause.qualifier and value in ("", ("",)):
        # "...or if the key values resolve to a null data set, such as an empty string" (set operators only)
        present = False
    if clause.operator.family == "null":
        return _null(clause, present)
    if not present:
        if clause.if_exists or clause.qualifier == "ForAllValues":
            return True
        if clause.qualifier == "ForAnyValue":
            return False
        return clause.operator.negated
    tests = clause.tests(context)
    if clause.qualifier is None:
        if isinstance(value, tuple):
            return clause.operator.negated
        return _matches_one(clause, tests, value)  # type: ignore[arg-type]
    values = value if isinstance(value, tuple) else (value,)
    if clause.qualifier == "ForAllValues":
        return all(_matches_one(clause, tests, v) for v in values)
    return any(_matches_one(clause, tests, v) for v in values)


def conditions_hold(clauses: tuple[Clause, ...], context: Context) -> bool:
    """Rule *AND across*: "If your policy has multiple condition operators or multiple keys attached to a single
    condition operator, the conditions are evaluated using a logical AND"."""
    return all(clause_holds(c, context) for c in clauses)


def failing_clause(clauses: tuple[Clause, ...], context: Context) -> Clause | None:
    """The first clause that does not hold, for explanations."""
    return next((c for c in clauses if not clause_holds(c, context)), None)


def _condition_value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise malformed("condition values must be strings, numbers or booleans", where)


def parse_condition_block(value: Any, where: str, version: str | None) -> tuple[Clause, ...]:
    """Rule *Condition block*: ``{operator: {key: value-or-list}}``; an unknown operator or ``IfExists`` on
    ``Null`` is refused. A key without a service prefix is accepted (iamspec decision: IAM's message "Actions/
    Conditions must be prefaced by a vendor" suggests a refusal, yet IAM stored such a key in version v1 of the AWS
    managed policy AmazonEC2SpotFleetTaggingRole; no request carries such a key, so the condition never matches).
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"""
    if not isinstance(value, dict):
        raise malformed("Condition must be an object", where)
    clauses = []
    for label, block in value.items():
        here = f"{where}.{label}"
        qualifier, _, name = label.rpartition(":")
        if qualifier and qualifier not in ("ForAllValues", "ForAnyValue"):
            raise malformed(f"Invalid Condition type : {label}", here)
        if_exists = name.endswith("IfExists") and name != "IfExists"
        operator = lookup_operator(name[: -len("IfExists")] if if_exists else name)
        if operator is None or (if_exists and operator.family == "null"):
            raise malformed(f"Invalid Condition type : {label}", here)
        if not isinstance(block, dict) or not block:
            raise malformed(f"{label} must map condition keys to values", here)
        for key, raw in block.items():
            kwhere = f"{here}.{key}"
            if not key:
                raise malformed("a condition key must not be empty", kwhere)
            items = raw if isinstance(raw, list) else [raw]
            texts = [_condition_value(v, f"{kwhere}[{i}]") for i, v in enumerate(items)]
            templates = tuple(parse_template(t, version) if operator.variables else Template(t, (t,))
                              for t in texts)
            clauses.append(make_clause(operator, qualifier or None, if_exists, key, templates, label))
    return tuple(clauses)
