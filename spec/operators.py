"""Condition operators, one rule each: how one request value compares with one policy value.

Source for every operator: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
Each operator is given here in its *positive* form; a negated operator (``StringNotEquals``, ``NotIpAddress``, ...)
is true when no policy value matches positively ("the effective permissions work like a logical AND", see
``conditions``).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from spec.patterns import compile_arn_like, compile_glob

ValueTest = Callable[[str], bool]


@dataclass(frozen=True)
class Operator:
    """A condition operator: its family, whether it is negated, and whether its values take policy variables."""

    name: str
    family: str
    negated: bool
    positive: str
    variables: bool


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$")
_YEAR_MONTH = re.compile(r"^(\d{4})(-(\d{2}))?$")


@lru_cache(maxsize=4096)
def parse_date(text: str) -> float | None:
    """Rule *dates*: "W3C implementations of the ISO 8601 date format" (https://www.w3.org/TR/NOTE-datetime:
    YYYY, YYYY-MM, YYYY-MM-DD, with time hh:mm, hh:mm:ss, fractions and a zone) or epoch (UNIX) time, in seconds.

    A date without a zone is read as UTC (iamspec decision; AWS examples always give ``Z``).
    """
    text = text.strip()
    if (ym := _YEAR_MONTH.match(text)) and (ym[3] or len(text) == 4 and text.startswith(("19", "20"))):
        # The W3C profile's reduced forms YYYY-MM and YYYY: the first instant of that month or year, UTC. A bare
        # four-digit number is read as a year only from 1900 to 2099, otherwise as epoch seconds (iamspec decision).
        try:
            return datetime(int(ym[1]), int(ym[3] or 1), 1, tzinfo=UTC).timestamp()
        except ValueError:
            return None
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if not _ISO_DATE.match(text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


@lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """Rule *IP values*: a CIDR block; "If you specify an IP address without the associated routing prefix, IAM
    uses the default prefix value of /32" (/128 for IPv6). Host bits set are tolerated."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _compare(op: str) -> Callable[[object, object], bool]:
    return {
        "Equals": lambda a, b: a == b,
        "LessThan": lambda a, b: a < b,  # type: ignore[operator]
        "LessThanEquals": lambda a, b: a <= b,  # type: ignore[operator]
        "GreaterThan": lambda a, b: a > b,  # type: ignore[operator]
        "GreaterThanEquals": lambda a, b: a >= b,  # type: ignore[operator]
    }[op]


def positive_test(op: Operator, policy_value: str) -> ValueTest:
    """The test of a request value against one (resolved) policy value, in the operator's positive form.

    A policy value the operator cannot read (a word where a number, date, IP address, boolean or base-64 value
    is due) matches no request value (iamspec decision, tag ``condition.wrong-type-value``: IAM's grammar takes
    condition values as plain strings, and IAM Access Analyzer reports such a value as a "Type mismatch" finding on
    a stored policy rather than IAM refusing it; a value that never matches makes positive operators false and
    negated operators true, as an unresolvable variable does). A request value the operator cannot read never
    matches either.
    """
    family, name = op.family, op.positive
    if family == "string":
        if name == "StringEquals":
            return policy_value.__eq__
        if name == "StringEqualsIgnoreCase":
            folded = policy_value.lower()
            return lambda v: v.lower() == folded
        return compile_glob(policy_value)  # StringLike: case-sensitive, * and ? wildcards
    if family == "numeric":
        want = _number(policy_value)
        cmp = _compare(name.removeprefix("Numeric"))
        if want is None:
            return lambda _v: False
        return lambda v: (got := _number(v)) is not None and cmp(got, want)
    if family == "date":
        want_d = parse_date(policy_value)
        cmp = _compare(name.removeprefix("Date"))
        if want_d is None:
            return lambda _v: False
        return lambda v: (got := parse_date(v)) is not None and cmp(got, want_d)
    if family == "bool":
        want_b = policy_value.strip().lower()
        if want_b not in ("true", "false"):
            return lambda _v: False
        return lambda v: v.strip().lower() == want_b
    if family == "binary":
        want_bytes = _bytes(policy_value)
        if want_bytes is None:
            return lambda _v: False
        return lambda v: _bytes(v) == want_bytes
    if family == "ip":
        net = _network(policy_value)
        if net is None:
            return lambda _v: False
        return lambda v: (addr := _address(v)) is not None and addr.version == net.version and addr in net
    if family == "arn":
        return compile_arn_like(policy_value)
    raise ValueError(f"no value test for {op.name}")


def _operators() -> dict[str, Operator]:
    table: dict[str, Operator] = {}

    def add(name: str, family: str, positive: str | None = None, variables: bool = False) -> None:
        table[name] = Operator(name, family, positive is not None, positive or name, variables)

    for base in ("StringEquals", "StringEqualsIgnoreCase", "StringLike"):
        add(base, "string", variables=True)
    add("StringNotEquals", "string", "StringEquals", True)
    add("StringNotEqualsIgnoreCase", "string", "StringEqualsIgnoreCase", True)
    add("StringNotLike", "string", "StringLike", True)
    for fam, prefix in (("numeric", "Numeric"), ("date", "Date")):
        for cmp in ("Equals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"):
            add(prefix + cmp, fam)
        add(prefix + "NotEquals", fam, prefix + "Equals")
    add("Bool", "bool")
    add("BinaryEquals", "binary")
    add("IpAddress", "ip")
    add("NotIpAddress", "ip", "IpAddress")
    add("ArnEquals", "arn", variables=True)
    add("ArnLike", "arn", variables=True)
    add("ArnNotEquals", "arn", "ArnEquals", True)
    add("ArnNotLike", "arn", "ArnLike", True)
    add("Null", "null")
    return table


OPERATORS: dict[str, Operator] = _operators()


def lookup_operator(name: str) -> Operator | None:
    """The operator named exactly ``name``: only the documented spellings are operators (iamspec decision: the
    operators page lists each name with its case, and IAM Access Analyzer reports any other spelling as an
    "Invalid condition operator" error)."""
    return OPERATORS.get(name)
