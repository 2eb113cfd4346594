"""Request contexts, and Condition elements that bear on them, drawn with Hypothesis (functions of its ``draw``,
called from the strategies of :mod:`harness.generate.cases` and :mod:`harness.generate.scenarios`).

A condition is drawn against the request it is meant for (:class:`Aim`): a key the request carries (or, on
purpose, one it lacks), an operator of the family the example's toggles ask for, and values that match the
request's value or just miss it. Every operator family of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html is covered,
with ``IfExists``, ``ForAllValues``/``ForAnyValue``, several values, several keys, key names in another case and
policy variables.

At API level some values depend on the machine running the target (its clock, the client's address): such keys are
*robust* in the aim, and only values on which every environment agrees are used (a date in 2000 or 2099, the
range ``0.0.0.0/0`` or TEST-NET-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from harness.generate.draws import between, flip, pick, picks

# Context values of decision cases: a documentation address, a fixed moment, and so on.
NOW_ISO, NOW_EPOCH = "2026-01-15T12:00:00Z", 1768478400
POOL: dict[str, tuple[str, object]] = {
    "aws:SourceIp": ("ip", "203.0.113.7"),
    "aws:CurrentTime": ("date", NOW_ISO),
    "aws:EpochTime": ("numeric", str(NOW_EPOCH)),
    "aws:SecureTransport": ("boolean", "true"),
    "aws:MultiFactorAuthPresent": ("boolean", "false"),
    "aws:PrincipalTag/team": ("string", "blue"),
    "aws:TagKeys": ("stringList", ("team", "env")),
    "aws:RequestTag/blob": ("binary", "aGVsbG8="),
    "aws:SourceArn": ("string", "arn:aws:sns:us-east-1:111122223333:alerts"),
    "s3:prefix": ("string", "home/alice/"),
}
_POOL_KEYS = tuple(sorted(POOL))
ABSENT = ("aws:RequestTag/env", "aws:ResourceTag/owner", "aws:SourceVpce", "aws:PrincipalTag/cost-center")
FAMILY_OF = {
    "condition.string": "string", "condition.string-ignore-case": "ignorecase", "condition.string-like": "like",
    "condition.numeric": "numeric", "condition.date": "date", "condition.bool": "bool",
    "condition.binary": "binary", "condition.ip-address": "ip", "condition.arn": "arn", "condition.null": "null",
}
_OPS = {
    "string": ("StringEquals", "StringNotEquals"), "ignorecase": ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
    "like": ("StringLike", "StringNotLike"),
    "numeric": ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
                "NumericGreaterThanEquals"),
    "date": ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
             "DateGreaterThanEquals"),
    "bool": ("Bool",), "binary": ("BinaryEquals",), "ip": ("IpAddress", "NotIpAddress"),
    "arn": ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"), "null": ("Null",),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals",
            "NotIpAddress", "ArnNotEquals", "ArnNotLike"}
_TYPE_FAMILIES = {"string": ("string", "ignorecase", "like"), "ip": ("ip",), "date": ("date",),
                  "numeric": ("numeric",), "boolean": ("bool",), "binary": ("binary",), "stringList": ("string", "like"),
                  "arn": ("arn", "string", "like")}


@dataclass
class Aim:
    """What a policy is drawn against: the request's action, resource, principal and context."""

    action: str
    resource: str
    principal: str | None
    context: dict[str, object] = field(default_factory=dict)  # key -> str | tuple[str, ...]
    types: dict[str, str] = field(default_factory=dict)
    robust: dict[str, str] = field(default_factory=dict)  # API level: key -> type, value unknown


def _swapcase_one(draw: st.DrawFn, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if not letters:
        return text + "X"
    i = pick(draw, letters)
    return text[:i] + text[i].swapcase() + text[i + 1:]


def _miss(draw: st.DrawFn, text: str) -> str:
    """A value that just misses ``text``."""
    return pick(draw, [text + "x", text[:-1] if len(text) > 1 else "x", "other"])


def _like(draw: st.DrawFn, text: str) -> str:
    """``text`` with a wildcard: a ``*`` for a run, or a ``?`` for one character."""
    if not text:
        return "*"
    i = between(draw, 0, len(text) - 1)
    return text[:i] + "*" if flip(draw) else text[:i] + "?" + text[i + 1:]


def _arn_like(draw: st.DrawFn, arn: str) -> str:
    parts = arn.split(":")
    i = between(draw, 0, len(parts) - 1)
    parts[i] = pick(draw, ["*", _like(draw, parts[i])]) if parts[i] else "*"
    return ":".join(parts)


def _value_for(draw: st.DrawFn, family: str, key: str, value: object, robust: str | None) -> object:
    """A condition value for ``key`` (request value ``value``) in ``family``: near the value, matching or not."""
    if robust:
        return _robust_value(draw, family)
    v = value[0] if isinstance(value, (tuple, list)) and value else value
    text = str(v) if v is not None else "none"
    if family == "string":
        return pick(draw, [text, _miss(draw, text)])
    if family == "ignorecase":
        return pick(draw, [_swapcase_one(draw, text), text, _miss(draw, text)])
    if family == "like":
        return pick(draw, [_like(draw, text), text, _miss(draw, text) + "*"])
    if family == "numeric":
        base = int(text) if text.lstrip("-").isdigit() else 10
        return str(base + pick(draw, [-1, 0, 1, -1000, 1000]))
    if family == "date":
        return pick(draw, [NOW_ISO, "2026-01-15T11:59:59Z", "2026-01-15T12:00:01Z", str(NOW_EPOCH),
                           "2025-12-31T00:00:00Z", "2027-01-01"])
    if family == "bool":
        return pick(draw, ["true", "false"])
    if family == "binary":
        return pick(draw, [text, "d29ybGQ="])
    if family == "ip":
        if ":" in text:
            return pick(draw, ["2001:db8::/32", text, "2001:db9::/32"])
        return pick(draw, [text, "203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/28", "0.0.0.0/0"])
    if family == "arn":
        return pick(draw, [text, _arn_like(draw, text), _miss(draw, text)])
    return pick(draw, ["true", "false"])  # null


def _robust_value(draw: st.DrawFn, family: str) -> str:
    """A value on which the model's fixed environment and a real target's agree."""
    if family == "date":
        return pick(draw, ["2000-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "946684800"])
    if family == "numeric":
        return pick(draw, ["946684800", "4070908800"])
    if family == "ip":
        return pick(draw, ["0.0.0.0/0", "192.0.2.0/24"])
    return pick(draw, ["true", "false"])


def _families_for(key_type: str, wanted: list[str]) -> list[str]:
    ok = _TYPE_FAMILIES.get(key_type, ("string",))
    return [f for f in wanted if f in ok] or [ok[0]]


def condition(draw: st.DrawFn, aim: Aim, toggles: frozenset[str]) -> dict:
    """A Condition element for a statement aimed at ``aim``."""
    wanted = [FAMILY_OF[t] for t in sorted(toggles) if t in FAMILY_OF and FAMILY_OF[t]] or ["string"]
    n_keys = 2 if "condition.multiple-keys" in toggles and flip(draw) else 1
    cond: dict[str, dict] = {}
    present = {**{k: ("robust", t) for k, t in aim.robust.items()},
               **{k: (aim.types.get(k, "string"), v) for k, v in aim.context.items()}}
    for _ in range(n_keys):
        missing = ({"condition.missing-key", "condition.negated-missing-key"} & toggles) and flip(draw)
        if missing or not present:
            key, key_type, value, robust = pick(draw, ABSENT), "string", "x", None
        else:
            key = pick(draw, sorted(present))
            key_type, value = present[key]
            if key_type == "string" and isinstance(value, str) and value.startswith("arn:"):
                key_type = "arn"
            robust = value if key_type == "robust" else None
            if robust:
                key_type, value = robust, None
        family = "null" if "null" in wanted and flip(draw) else pick(draw, _families_for(key_type, wanted))
        if robust and family not in ("date", "numeric", "ip"):
            family = robust if robust in ("date", "numeric", "ip") else "date"
        op = pick(draw, _OPS[family])
        if missing and "condition.negated-missing-key" in toggles and _NEGATED & set(_OPS[family]):
            op = pick(draw, sorted(_NEGATED & set(_OPS[family])))
        if "condition.if-exists" in toggles and family != "null" and flip(draw):
            op += "IfExists"
        if key_type == "stringList" and family != "null":
            qualifiers = [q for q, t in (("ForAllValues:", "condition.for-all-values"),
                                         ("ForAnyValue:", "condition.for-any-value")) if t in toggles]
            if qualifiers:
                op = pick(draw, qualifiers) + op
        values = [_value_for(draw, family, key, value, robust)]
        if "condition.multiple-values" in toggles and family != "null" and flip(draw):
            values.append(_value_for(draw, family, key, value, robust))
        if "variable.condition" in toggles and family in ("string", "like") and "aws:username" in aim.context:
            values[0] = "${aws:username}"
        if "condition.key-case-insensitive" in toggles and flip(draw):
            key = _swapcase_one(draw, key)
        block = cond.setdefault(op, {})
        block[key] = values[0] if len(values) == 1 and flip(draw) else values
    return cond


def context(draw: st.DrawFn, base: dict[str, object], toggles: frozenset[str]) -> tuple[dict, dict]:
    """A request context: ``base`` (keys that follow from the principal) plus a few keys of the pool, typed."""
    names = picks(draw, _POOL_KEYS, max_size=4)
    wanted = {FAMILY_OF[t] for t in toggles if t in FAMILY_OF}
    for key, (ktype, _) in POOL.items():  # a family asked for needs a key of its type
        if set(_TYPE_FAMILIES.get(ktype, ())) & wanted and key not in names and flip(draw):
            names.append(key)
    if {"condition.for-all-values", "condition.for-any-value"} & toggles and "aws:TagKeys" not in names:
        names.append("aws:TagKeys")
    ctx: dict[str, object] = dict(base)
    types: dict[str, str] = {}
    for key in sorted(names):
        ktype, value = POOL[key]
        if key == "aws:SourceIp" and flip(draw):
            value = "2001:db8::5"
        if key == "aws:TagKeys":
            value = tuple(picks(draw, ("team", "env", "owner")))
        ctx[key] = list(value) if isinstance(value, tuple) else value
        if ktype != "string":
            types[key] = ktype
    return ctx, types
