"""Request variants: more decision cases from one drawn policy set, cheaply.

Drawing a case with Hypothesis costs milliseconds (every policy is drawn against its request); a fast target decides
in a fraction of that. So that generation stays a small share of a conformance run, one drawn case (the *base*) is
followed by variants that keep its policies and its caller and change the request around them, the way Cedar's
differential testing asks several requests of each generated policy set:

- the action: kept, or another real action of the same service, preferring one the policies name (so that the
  statements still match some variants and miss others); a new action gets a resource ARN of a type it takes;
- the resource: kept, another ARN of the right shape, or a policy's Resource pattern of the same service with its
  wildcards filled in;
- the context: each key kept, dropped or given a nearby value of its type; keys the policies' conditions test
  added with a value from the condition or near it; other keys a signed request may carry added now and then. Keys that follow from the caller (``aws:username``,
  ``aws:PrincipalArn``, ...) are never changed: AWS sets them, a caller cannot.

Variants come from a ``random.Random`` seeded by one Hypothesis draw, so a batch is reproducible from its choices
and Hypothesis can still shrink it (the seed shrinks too). Trust requests (``sts:AssumeRole`` on a role) keep their
action and resource and vary only the context.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from itertools import product
from typing import Any

from harness.generate.conditions import NOW_EPOCH, NOW_ISO, POOL
from harness.generate.corpus import Action, actions_by_service, resource_for

FIXED_KEYS = frozenset({"aws:username", "aws:principalarn", "aws:userid", "aws:principalaccount", "aws:principaltype",
                        "aws:principalorgid"})
_LAYERS = ("identity_policies", "group_policies", "vpc_endpoint_policies")
_SINGLE = ("permission_boundary", "session_policy", "resource_policy")
_TYPE_OF_FAMILY = (("numeric", "numeric"), ("date", "date"), ("bool", "boolean"), ("binary", "binary"),
                   ("ipaddress", "ip"), ("notipaddress", "ip"))
_NAMES_B = {"BucketName": "otherbucket", "ObjectName": "public/index.html", "TableName": "Users", "QueueName": "dlq",
            "TopicName": "audit", "FunctionName": "thumbnail", "KeyId": "0987dcba-09fe-87dc-65ba-ab0987654321",
            "UserNameWithPath": "bob", "RoleNameWithPath": "admin", "GroupNameWithPath": "ops",
            "SecretId": "api-key-ZyXwVu", "InstanceId": "i-0fedcba9876543210", "LogGroupName": "audit-logs",
            "PolicyNameWithPath": "PowerUser"}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _documents(case: dict) -> list[dict]:
    docs: list[Any] = []
    for layer in _LAYERS:
        docs += case.get(layer) or []
    docs += [case.get(name) for name in _SINGLE]
    for levels in (case.get("scps") or []), (case.get("rcps") or []):
        for level in levels:
            docs += (level.get("policies") or []) if isinstance(level, dict) else []
    return [d for d in docs if isinstance(d, dict)]


class Literals:
    """What a case's policies name: action patterns, resource patterns, and condition values per key (with the
    type its operator implies and whether a set operator tests it)."""

    def __init__(self, case: dict) -> None:
        self.actions: list[str] = []
        self.resources: list[str] = []
        self.conditions: dict[str, tuple[str, list[str], bool]] = {}  # key -> (type, values, multivalued)
        for doc in _documents(case):
            for stmt in _as_list(doc.get("Statement", [])):
                if isinstance(stmt, dict):
                    self._statement(stmt)

    def _statement(self, stmt: dict) -> None:
        for element, out in (("Action", self.actions), ("NotAction", self.actions), ("Resource", self.resources),
                             ("NotResource", self.resources)):
            out += [v for v in _as_list(stmt.get(element, [])) if isinstance(v, str)]
        cond = stmt.get("Condition")
        if not isinstance(cond, dict):
            return
        for op, block in cond.items():
            if not isinstance(op, str) or not isinstance(block, dict):
                continue
            qualifier, _, base = op.lower().rpartition(":")
            if base.startswith("null"):
                continue
            ktype = next((t for prefix, t in _TYPE_OF_FAMILY if base.startswith(prefix)), "string")
            for key, values in block.items():
                if isinstance(key, str):
                    known = self.conditions.get(key, (ktype, [], False))
                    vals = known[1] + [v for v in _as_list(values) if isinstance(v, str) and "${" not in v]
                    self.conditions[key] = (known[0], vals, known[2] or bool(qualifier))


def _one(rng: random.Random, options: Any) -> Any:
    """``rng.choice`` without its Python-level rejection sampling (the tiny bias does not matter here)."""
    return options[int(rng.random() * len(options))]


def _near(rng: random.Random, ktype: str, value: Any) -> Any:
    """A value of ``ktype`` at or near ``value`` (a condition's value or the request's)."""
    text = str(value[0] if isinstance(value, list) and value else value)
    if ktype == "numeric":
        base = int(text) if text.lstrip("-").isdigit() else 3600
        return str(base + _one(rng, (-1, 0, 1)))
    if ktype == "date":
        return _one(rng, (NOW_ISO, "2026-01-15T11:59:59Z", "2026-01-15T12:00:01Z", str(NOW_EPOCH), "2027-01-01T00:00:00Z"))
    if ktype == "boolean":
        return _one(rng, ("true", "false"))
    if ktype == "binary":
        return _one(rng, (text, "d29ybGQ="))
    if ktype == "ip":
        if "/" in text:  # a range from a condition: an address inside it or not
            return _one(rng, (text.split("/")[0], "198.51.100.9", "2001:db8::5"))
        return _one(rng, (text, "203.0.113.7", "198.51.100.9", "2001:db8::5"))
    if ktype == "stringList":
        items = value if isinstance(value, list) else [text]
        return rng.sample(items + ["team", "env", "owner"], rng.randint(0, min(3, len(items) + 3)))
    fill = text.replace("*", _one(rng, ("", "x", "home/alice"))).replace("?", _one(rng, ("a", "Z")))
    return _one(rng, (fill, fill, text, text.swapcase(), text + "x"))


def _fill_pattern(rng: random.Random, pattern: str) -> str:
    return re.sub(r"[*?]", lambda m: _one(rng, ("", "x", "alice/report.txt")) if m.group() == "*" else "a", pattern)


class _ActionChoices:
    """Other real actions of the request's service: those a policy names first (so that statements still match
    some variants and miss others), then any."""

    def __init__(self, action: str, lits: Literals) -> None:
        pool = actions_by_service().get(action.split(":", 1)[0].lower(), ())
        named = {a.lower() for a in lits.actions}
        self.preferred = [a for a in pool if a.name.lower() in named and a.name.lower() != action.lower()]
        self.others = [a for a in pool if not a.name.startswith("sts:AssumeRole")]

    def pick(self, rng: random.Random) -> Action | None:
        if self.preferred and rng.random() < 0.5:
            return _one(rng, self.preferred)
        return _one(rng, self.others) if self.others else None


def _resource(rng: random.Random, resource: str, lits: Literals) -> str:
    prefix = ":".join(resource.split(":")[:3]) + ":" if resource.startswith("arn:") else None
    same = [p for p in lits.resources if prefix and p.startswith(prefix) and "${" not in p]
    if same and rng.random() < 0.6:
        return _fill_pattern(rng, _one(rng, same))
    return resource


class _ContextChoices:
    """The request's keys (each kept, dropped or moved near its value; the keys AWS sets are always kept) and the
    keys the policies test that the request lacks (each added or not), prepared once per drawn case: the nearby
    values of each key are drawn here, a few per key, so that a choice only picks among them."""

    NEARBY = 3  # nearby values drawn per key

    def __init__(self, ctx: dict, types: dict, lits: Literals, rng: random.Random) -> None:
        self.keys: list[tuple[str, Any, bool, str, bool, list]] = []
        for key, value in ctx.items():
            ktype = types.get(key, "stringList" if isinstance(value, list) else "string")
            fixed = key.lower() in FIXED_KEYS
            nearby = [] if fixed else [_near(rng, ktype, value) for _ in range(self.NEARBY)]
            self.keys.append((key, value, fixed, ktype, key in types, nearby))
        present = {k.lower() for k in ctx} | FIXED_KEYS
        self.extra: list[tuple[str, str, list, float]] = []  # (key, type, values to pick from, how often)
        for key, (ktype, values, multi) in lits.conditions.items():
            if key.lower() not in present:
                present.add(key.lower())
                pool_type = POOL.get(key, (None,))[0]
                self._add_extra(rng, key, pool_type or ("stringList" if multi and ktype == "string" else ktype),
                                values or ["x"], 0.5)
        for key, (ktype, value) in POOL.items():  # keys a signed request may carry, tested or not
            if key.lower() not in present:
                self._add_extra(rng, key, ktype, list(value) if isinstance(value, tuple) else [value], 0.2)

    def _add_extra(self, rng: random.Random, key: str, ktype: str, values: list, often: float) -> None:
        self.extra.append((key, ktype, [_near(rng, ktype, _one(rng, values)) for _ in range(self.NEARBY + 1)], often))

    def pick_own(self, rng: random.Random) -> tuple[dict, dict]:
        """The request's own keys, each kept, dropped or moved near its value (the keys AWS sets always kept)."""
        out, out_types = {}, {}
        for key, value, fixed, ktype, typed, nearby in self.keys:
            roll = rng.random()
            if fixed or roll < 0.5:
                out[key] = value
            elif roll < 0.75:
                continue  # dropped
            else:
                out[key] = _one(rng, nearby)
            if typed:
                out_types[key] = ktype
        return out, out_types

    def pick_extra(self, rng: random.Random) -> tuple[dict, dict]:
        """Keys the request lacks, each added or not, with a value from a condition or near it."""
        out, out_types = {}, {}
        for key, ktype, nearby, often in self.extra:
            if rng.random() < often:
                out[key] = _one(rng, nearby)
                if ktype != "string":
                    out_types[key] = ktype
        return out, out_types


class _Pool:
    """Distinct choices of one part of a request (its action and resource, or its context), made on demand from
    ``make``; element 0 is the drawn case's own. Closed once 8 tries in a row give nothing new."""

    def __init__(self, first: Any, key: Callable[[Any], Any], make: Callable[[random.Random], Any]) -> None:
        self.items, self.seen, self.key, self.make, self.closed = [first], {key(first)}, key, make, False

    def reach(self, index: int, rng: random.Random) -> int:
        """Make elements up to ``index`` if the pool is not closed; the pool's size."""
        while len(self.items) <= index and not self.closed:
            for _ in range(8):
                choice = self.make(rng)
                if choice is not None and (k := self.key(choice)) not in self.seen:
                    self.seen.add(k)
                    self.items.append(choice)
                    break
            else:
                self.closed = True
        return len(self.items)


def variants(case: dict, rng: random.Random, names: dict[str, str]) -> Iterator[dict]:
    """Cases with ``case``'s policies and caller and requests varied around its request (``names``: the resource
    names its ARNs use), each new; the sequence depends only on ``case`` and ``rng``'s seed, so taking the first
    ``n`` gives the same cases whatever ``n``.

    A request is three choices: an action with its resource, the request's own context keys, and the keys added
    to them, each an element of a pool of distinct choices (element 0: the drawn case's own), so every triple is a
    new request. Triples come in shells (largest index 1, 2, ...), so the first ``n``
    variants need only about ``n ** (1/3)`` choices of each kind, and a variant costs a few dictionary copies:
    cheap beside a fast target."""
    request = case.get("request") or {}
    action, resource = request.get("action", ""), request.get("resource", "*")
    trust = action.lower() == "sts:assumerole"
    lits = Literals(case)
    actions = _ActionChoices(action, lits)
    contexts = _ContextChoices(request.get("context") or {}, request.get("context_types") or {}, lits, rng)

    def new_line(rng: random.Random) -> tuple[str, str] | None:
        if trust:
            return None
        if rng.random() < 0.5:
            other = actions.pick(rng)
            if other is not None:
                return other.name, _arn(other, int(rng.random() * 4), rng.random() < 0.5, names)
        return action, _resource(rng, resource, lits)

    pools = (_Pool((action, resource), lambda line: line, new_line),
             _Pool((request.get("context") or {}, request.get("context_types") or {}), _context_key, contexts.pick_own),
             _Pool(({}, {}), _context_key, contexts.pick_extra))
    merged: dict[tuple[int, int], tuple[dict, dict]] = {}
    lines: list[dict] = []  # the request with each action and resource: a variant copies one and sets its context
    prefix, count, shell = f"{case.get('id', '')}.v", 0, 1
    while True:
        sizes = [pool.reach(shell, rng) for pool in pools]
        if shell >= max(sizes):
            return
        for new_action, new_resource in pools[0].items[len(lines):]:
            lines.append({**request, "action": new_action, "resource": new_resource})
        for i, j, k in _shell(shell, sizes):
            both = merged.get((j, k))
            if both is None:
                (own, own_types), (extra, extra_types) = pools[1].items[j], pools[2].items[k]
                both = merged[(j, k)] = ({**own, **extra}, {**own_types, **extra_types}) if k else (own, own_types)
            count += 1
            # copies and stores, not {**case, ...}: the same dicts, key order included, in about half the time
            varied = lines[i].copy()
            varied["context"], varied["context_types"] = both
            item = dict.copy(case)  # a plain dict, as {**case} was, even if the drawn case is a subclass
            item["id"], item["request"] = f"{prefix}{count}", varied
            yield item
        shell += 1


def _shell(shell: int, sizes: list[int]) -> Iterator[tuple[int, ...]]:
    """Every index tuple (index ``p`` below ``sizes[p]``) whose largest index is ``shell``, each once: the first
    position holding ``shell`` is ``p``, positions before it are below ``shell``, those after at most ``shell``."""
    for p, size in enumerate(sizes):
        if shell < size:
            yield from product(*[range(min(shell, n)) for n in sizes[:p]], (shell,),
                               *[range(min(shell + 1, n)) for n in sizes[p + 1:]])


def _context_key(choice: tuple[dict, dict]) -> tuple:
    """What makes a context new (keys come in the drawn case's order, so no sorting is needed)."""
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in choice[0].items())


_ARNS: dict[tuple[str, int, bool, int], str] = {}


def _arn(action: Action, type_index: int, other_names: bool, names: dict[str, str]) -> str:
    """``resource_for`` with the drawn case's names or the other set, memoised (a handful of names, many draws)."""
    key = (action.name, type_index % max(1, len(action.resource_types)), other_names, id(names))
    arn = _ARNS.get(key)
    if arn is None:
        if len(_ARNS) > 65536:
            _ARNS.clear()
        arn = _ARNS[key] = resource_for(action, type_index, _NAMES_B if other_names else names)
    return arn
