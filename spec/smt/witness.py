"""Witnesses: a Z3 model decoded into a decision-case request, and replayed through the model before it is
returned (DESIGN principle 3: a witness that does not replay is a bug, raised loudly).

Formats: ../shared/formats/decision-case.md.
"""

from __future__ import annotations

import base64
import ipaddress
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import z3

from spec.authorize import authorize
from spec.case import parse_case
from spec.smt import values
from spec.smt.context import LIST, SINGLE, SymKey
from spec.smt.decision import NAMES
from spec.smt.request import SymRequest
from spec.smt.strings import text_of
from spec.smt.values import SymValue


class WitnessError(AssertionError):
    """A decoded witness whose replay through ``spec.authorize`` disagrees with the encoding: an encoding bug."""


class Unrealizable(Exception):
    """No request text gives every reading the solver chose (a value read in several ways): no witness."""


def _rational(value: z3.ExprRef) -> Fraction:
    if z3.is_rational_value(value):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    if z3.is_int_value(value):
        return Fraction(value.as_long())
    return Fraction(value.approx(60).as_fraction())  # type: ignore[attr-defined]


def _decimal_text(q: Fraction) -> str:
    if q.denominator == 1:
        return str(q.numerator)
    den = q.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:  # a finite decimal: exact
        with localcontext() as ctx:
            ctx.prec = 200
            return format(Decimal(q.numerator) / Decimal(q.denominator), "f")
    with localcontext() as ctx:  # close enough that no policy constant lies in between (checked by replay)
        ctx.prec = len(str(q.denominator)) + 60
        return format(Decimal(q.numerator) / Decimal(q.denominator), "f")


def _reading_text(family: str, r: tuple, m: z3.ModelRef) -> str:
    ev = lambda t: m.eval(t, model_completion=True)  # noqa: E731
    if family in ("numeric", "date"):
        if not z3.is_true(ev(r[0])):
            return f"not-a-{'number' if family == 'numeric' else 'date'}"
        return _decimal_text(_rational(ev(r[1])))
    if family == "bool":
        return ("true", "false", "maybe")[ev(r[0]).as_long()]
    if family == "binary":
        if not z3.is_true(ev(r[0])):
            return "!"
        return base64.b64encode(text_of(ev(r[1])).encode("latin-1")).decode()
    if family == "ip":
        if not z3.is_true(ev(r[0])):
            return "not-an-ip"
        addr = ev(r[2]).as_long()
        return str(ipaddress.IPv6Address(addr) if z3.is_true(ev(r[1])) else ipaddress.IPv4Address(addr % 2 ** 32))
    raise ValueError(family)


def _agrees(family: str, r: tuple, m: z3.ModelRef, text: str) -> bool:
    """The reading of ``text`` is the one the solver chose."""
    ev = lambda t: m.eval(t, model_completion=True)  # noqa: E731
    if family in ("numeric", "date"):
        got = values.read_number(text) if family == "numeric" else values.parse_date(text)
        ok = z3.is_true(ev(r[0]))
        return (got is None) == (not ok) and (got is None or Fraction(got) == _rational(ev(r[1])))
    if family == "bool":
        return values.read_bool(text) == ev(r[0]).as_long()
    if family == "binary":
        data = values.read_bytes(text)
        ok = z3.is_true(ev(r[0]))
        return (data is None) == (not ok) and (data is None or data.decode("latin-1") == text_of(ev(r[1])))
    addr = values.read_address(text)
    ok = z3.is_true(ev(r[0]))
    if (addr is None) != (not ok):
        return False
    return addr is None or (int(addr) == ev(r[2]).as_long() and (addr.version == 6) == z3.is_true(ev(r[1])))


def decode_value(v: SymValue, m: z3.ModelRef) -> str:
    """A text for ``v`` that gives every reading the solver chose, or ``Unrealizable``."""
    typed = list(v.readings)
    text = v.sv.decode(m) if v.string_used or not typed else _reading_text(typed[0], v.readings[typed[0]], m)
    for family, reading in v.readings.items():
        if not _agrees(family, reading, m, text):
            raise Unrealizable(f"{v.name}: no text reads as the chosen {family} value and the chosen string")
    return text


def decode_key(key: SymKey, m: z3.ModelRef) -> str | list[str] | None:
    mode = m.eval(key.mode, model_completion=True).as_long()
    if mode == SINGLE:
        return decode_value(key.single, m)
    if mode == LIST:
        n = m.eval(key.n, model_completion=True).as_long()
        return [decode_value(v, m) for v in key.items[:n]]
    return None


def decode_request(req: SymRequest, m: z3.ModelRef) -> dict[str, Any]:
    """The decision-case request of a model of ``req``."""
    ev = lambda t: m.eval(t, model_completion=True)  # noqa: E731
    out: dict[str, Any] = {"action": req.action.decode(m), "resource": req.resource.decode(m)}
    out["principal"] = None if z3.is_true(ev(req.caller.none)) else text_of(ev(req.caller.p))
    if not z3.is_true(ev(req.ra_none)):
        out["resource_account"] = text_of(ev(req.ra))
    context = {}
    for name, key in req.keys.items():
        value = decode_key(key, m)
        if value is not None:
            context[name] = value
    if context:
        out["context"] = context
    return out


def replay(case: dict[str, Any], expected: str) -> str:
    """Run ``case`` through the model; raise ``WitnessError`` unless it decides ``expected``."""
    parsed = parse_case(case)
    got = authorize(parsed.request, parsed.policies).decision
    if got != expected:
        raise WitnessError(f"witness does not replay: the encoding says {expected}, the model says {got}: {case}")
    return got


def decision_of(m: z3.ModelRef, term: z3.ArithRef) -> str:
    return NAMES[m.eval(term, model_completion=True).as_long()]
