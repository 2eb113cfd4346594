"""One request-context value as the condition operators read it: a string, and its readings as a number, a date,
an IP address, a boolean, bytes and an ARN.

Each reading mirrors the parse in ``spec.operators`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
a value the operator cannot read matches nothing. A symbolic value has one Z3 variable per reading that a policy
uses; a concrete value has constants computed from its text. When a symbolic value is read both as a string and as
something else (or two ways at once), the readings are not linked in the solver: the query is marked approximate,
and the witness decoder checks that one text gives every reading (see ``witness``). String and ARN operators read the
text itself (``spec.smt.strvar``).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import z3

from spec.operators import parse_date
from spec.smt.strings import sval
from spec.smt.strvar import StrVar

BOOL_TRUE, BOOL_FALSE, BOOL_OTHER = 0, 1, 2
FAMILIES = ("numeric", "date", "bool", "binary", "ip")


def read_number(text: str) -> Decimal | None:
    """``spec.operators`` reading of a number: ``Decimal(text.strip())``, finite only."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def read_bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def read_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def read_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def read_bool(text: str) -> int:
    folded = text.strip().lower()
    return BOOL_TRUE if folded == "true" else BOOL_FALSE if folded == "false" else BOOL_OTHER


def real(value: Decimal | float) -> z3.ArithRef:
    frac = Fraction(value)
    return z3.RealVal(f"{frac.numerator}/{frac.denominator}")


class SymValue:
    """A context value: its text (``sv``, see ``spec.smt.strvar``) and readings created on first use."""

    def __init__(self, name: str, text: str | None = None) -> None:
        self.name = name
        self.text = text  # the concrete text, or None for a symbolic value
        self.sv = StrVar(name, "text", text)
        self.readings: dict[str, tuple] = {}
        self.constraints: list[z3.BoolRef] = []

    @property
    def symbolic(self) -> bool:
        return self.text is None

    @property
    def s(self) -> z3.SeqRef:
        return self.sv.s

    def mark_string(self) -> z3.SeqRef:
        """The text as a Z3 string."""
        return self.sv.text()

    def member(self, patterns: tuple) -> z3.BoolRef:
        return self.sv.member(patterns)

    @property
    def string_used(self) -> bool:
        return self.sv.used

    @property
    def mixed(self) -> bool:
        """Read in more than one way (as a string and as something else, or two typed ways)."""
        return self.symbolic and len(self.readings) + (1 if self.string_used else 0) > 1

    def reading(self, family: str) -> tuple:
        if family not in self.readings:
            self.readings[family] = self._concrete(family) if self.text is not None else self._symbolic(family)
        return self.readings[family]

    def finish(self) -> list[z3.BoolRef]:
        return self.constraints + self.sv.finish()

    def _symbolic(self, family: str) -> tuple:
        n = self.name
        if family in ("numeric", "date"):
            return z3.Bool(f"{n}.{family}.ok"), z3.Real(f"{n}.{family}")
        if family == "bool":
            v = z3.Int(f"{n}.bool")
            self.constraints.append(z3.And(v >= 0, v <= 2))
            return (v,)
        if family == "binary":
            b = z3.String(f"{n}.bytes")
            self.constraints.append(z3.InRe(b, z3.Star(z3.Range(chr(0), chr(255)))))
            return z3.Bool(f"{n}.binary.ok"), b
        if family == "ip":
            addr, v6 = z3.BitVec(f"{n}.ip", 128), z3.Bool(f"{n}.ip.v6")
            self.constraints.append(z3.Implies(z3.Not(v6), z3.ULT(addr, 2 ** 32)))
            return z3.Bool(f"{n}.ip.ok"), v6, addr
        raise ValueError(family)

    def _concrete(self, family: str) -> tuple:
        text = self.text or ""
        if family == "numeric":
            num = read_number(text)
            return z3.BoolVal(num is not None), real(num if num is not None else 0)
        if family == "date":
            date = parse_date(text)
            return z3.BoolVal(date is not None), real(date if date is not None else 0)
        if family == "bool":
            return (z3.IntVal(read_bool(text)),)
        if family == "binary":
            data = read_bytes(text)
            return z3.BoolVal(data is not None), sval((data or b"").decode("latin-1"))
        if family == "ip":
            addr = read_address(text)
            return (z3.BoolVal(addr is not None), z3.BoolVal(addr is not None and addr.version == 6),
                    z3.BitVecVal(int(addr) if addr is not None else 0, 128))
        raise ValueError(family)
