"""Request contexts for the benchmark's cases: the global keys a real request carries, and for a statement with a
``Condition`` block, values that satisfy each condition, values that miss it, or no value at all."""

from __future__ import annotations

import ipaddress
import random
import re
import zlib

from harness.bench import corpus

ACCOUNT = "123456789012"
_VAR = re.compile(r"\$\{([^}]*)\}")
_TIMES = ("2026-03-01T09:30:00Z", "2026-07-15T18:05:00Z", "2027-01-20T02:00:00Z")


def base_context(rng: random.Random, principal: str, name: str) -> dict:
    """What AWS puts in every signed request's context for this caller (formats/decision-case.md: the context is
    complete as given, so the case lists it)."""
    ctx: dict = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalAccount": ACCOUNT,
        "aws:PrincipalType": "User" if ":user/" in principal else "AssumedRole",
        "aws:SourceIp": f"203.0.113.{rng.randrange(1, 255)}",
        "aws:SecureTransport": rng.choice(("true", "false")),
        "aws:RequestedRegion": rng.choice(("us-east-1", "us-west-2", "eu-west-1")),
        "aws:CurrentTime": rng.choice(_TIMES),
        "aws:ViaAWSService": "false",
    }
    if ":user/" in principal:
        ctx["aws:username"] = name
    return ctx


def _substitute(value: str, ctx: dict) -> str:
    """Resolve policy variables (``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${*}``) the way a request
    that satisfies the condition would."""

    def var(m: re.Match) -> str:
        name = m.group(1).split(",", 1)[0].strip()
        if name in ("*", "?", "$"):
            return name
        if name not in ctx:
            ctx[name] = "team-a" if "tag/" in name.lower() else f"v-{zlib.crc32(name.encode()) % 1000}"
        got = ctx[name]
        return got if isinstance(got, str) else got[0]

    return _VAR.sub(var, value)


def _matching(rng: random.Random, base: str, value: str, ctx: dict) -> str:
    """A context value that the operator family ``base`` accepts for the policy value ``value``."""
    if base == "Bool":
        return value.lower()
    if base.startswith("Numeric"):
        try:
            n = float(value)
        except ValueError:
            return value
        delta = 1 if "Greater" in base else -1 if "Less" in base else 0
        return str(int(n + delta) if n.is_integer() else n + delta)
    if base.startswith("Date"):
        return value
    if base in ("IpAddress", "NotIpAddress"):
        try:
            return str(ipaddress.ip_network(value, strict=False).network_address)
        except ValueError:
            return value
    text = _substitute(value, ctx)
    if "Like" in base or base.startswith("Arn"):
        text = text.replace("*", f"m{rng.randrange(100)}").replace("?", "q")
    return text


def _missing(rng: random.Random, base: str, value: str) -> str:
    """A context value that the operator family ``base`` does not accept for ``value``."""
    if base == "Bool":
        return "false" if value.lower() == "true" else "true"
    if base.startswith("Numeric"):
        return "-99999" if "Greater" in base else "99999"
    if base.startswith("Date"):
        return "1999-01-01T00:00:00Z" if "Greater" in base or "After" in base else "2099-01-01T00:00:00Z"
    if base in ("IpAddress", "NotIpAddress"):
        return "198.51.100.77"
    return f"other-{rng.randrange(16**5):05x}"


def _values(raw: object) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def condition_context(rng: random.Random, stmt: dict, ctx: dict) -> None:
    """Add to ``ctx`` a value for every key the statement's conditions test: mostly one that satisfies the
    operator (about 55%), else one that misses it (30%), else leave the key out (15%)."""
    block = stmt.get("Condition")
    if not isinstance(block, dict):
        return
    types = corpus.condition_key_types()
    for op, tests in block.items():
        if not isinstance(tests, dict):
            continue
        qualifier, _, base = op.rpartition(":")
        base = base.removesuffix("IfExists")
        multi = bool(qualifier)
        for key, raw in tests.items():
            values = _values(raw)
            roll = rng.random()
            if base == "Null":
                absent = (values[0].lower() == "true") == (roll < 0.7)
                if absent:
                    ctx.pop(key, None)
                else:
                    ctx[key] = _matching(rng, "String", "present", ctx)
                continue
            if roll >= 0.85 or not values:
                ctx.pop(key, None)
                continue
            if roll < 0.55:
                value = _matching(rng, base, rng.choice(values), ctx)
            else:
                value = _missing(rng, base, values[0])
            if multi or types.get(key.lower(), "").startswith("ArrayOf"):
                extra = [_matching(rng, base, v, ctx) for v in values[:2]] if roll < 0.55 else []
                ctx[key] = list(dict.fromkeys([value, *extra]))
            else:
                ctx[key] = value
