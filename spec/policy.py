"""The policy grammar: parse documents as IAM stores them into immutable values, and refuse what IAM refuses.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and the element pages
named in each rule. A refusal is ``MalformedPolicyDocument`` with *where* (a JSON path inside the document).
"""

from __future__ import annotations

import enum
import json
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from spec.conditions import Clause, parse_condition_block
from spec.errors import IamError, malformed
from spec.patterns import compile_action_set
from spec.principals import PrincipalSpec, parse_principal
from spec.variables import Template, parse_template

VERSIONS = ("2008-10-17", "2012-10-17")
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                   "Condition"}
_SID = re.compile(r"^[A-Za-z0-9]*$")


def _never(_: str) -> bool:
    return False


class PolicyKind(enum.Enum):
    """The kinds of policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html)."""

    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"
    RESOURCE = "resource"
    TRUST = "trust"
    VPCE = "vpce"

    @property
    def is_iam(self) -> bool:
        """Documents IAM itself stores and validates (identity policies, boundaries, trust policies, session
        policies) and Organizations' SCPs and RCPs; resource-based and endpoint policies belong to other services."""
        return self not in (PolicyKind.RESOURCE, PolicyKind.VPCE)

    @property
    def names_principals(self) -> bool:
        """Rule *Principal by kind*: "Principal ... is required in resource-based policies ... and in trust
        policies for IAM roles. It must not be included in identity-based policies." RCPs and VPC endpoint
        policies are resource-side and carry a Principal too."""
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP, PolicyKind.VPCE)


@dataclass(frozen=True)
class Statement:
    """One statement. ``actions``/``resources`` hold the Action or NotAction (Resource or NotResource) list;
    ``resources`` is None when the statement has neither (allowed in resource-based and trust policies, where
    it means the resource the policy is attached to)."""

    index: int
    sid: str | None
    effect: str
    principal: PrincipalSpec | None
    not_principal: PrincipalSpec | None
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[Template, ...] | None
    not_resource: bool
    conditions: tuple[Clause, ...]
    action_match: Callable[[str], bool] = field(default=_never, compare=False, repr=False)
    any_resource: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "action_match", compile_action_set(self.actions))
        object.__setattr__(self, "any_resource", self.resources is None or (
            not self.not_resource and any(t.raw == "*" for t in self.resources)))

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"


@dataclass(frozen=True)
class Policy:
    """A parsed policy. ``by_service`` indexes the statements whose Action names a service prefix exactly;
    ``any_service`` holds those with a wildcard in the prefix, ``"*"`` or NotAction (built once, at parse)."""

    version: str | None
    statements: tuple[Statement, ...]
    kind: PolicyKind
    id: str | None = None
    by_service: dict[str, tuple[Statement, ...]] = field(default_factory=dict, compare=False, repr=False)
    any_service: tuple[Statement, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.statements and not self.by_service and not self.any_service:
            by_service, any_service = index_by_service(self.statements)
            object.__setattr__(self, "by_service", by_service)
            object.__setattr__(self, "any_service", any_service)


def index_by_service(statements: tuple[Statement, ...]) -> tuple[dict[str, tuple[Statement, ...]],
                                                                  tuple[Statement, ...]]:
    """Statements indexed by the service prefix of their actions (see ``Policy``)."""
    exact: dict[str, list[Statement]] = {}
    wild: list[Statement] = []
    for stmt in statements:
        prefixes = {a.partition(":")[0] for a in stmt.actions}
        if stmt.not_action or any(p == "*" or "*" in p or "?" in p for p in prefixes):
            wild.append(stmt)
            continue
        for prefix in prefixes:
            exact.setdefault(prefix, []).append(stmt)
    return {k: tuple(v) for k, v in exact.items()}, tuple(wild)


def _strings(value: Any, where: str, element: str) -> tuple[str, ...]:
    """Rule *string or list*: "If the element takes an array ... but only one value is included, the brackets are
    optional"."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise malformed(f"{element} must not be an empty list", where)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise malformed(f"{element} values must be strings", f"{where}[{i}]" if isinstance(value, list) else where)
    return tuple(items)


def _parse_actions(value: Any, where: str, element: str) -> tuple[str, ...]:
    """Rule *action form*: ``"*"`` or ``service:ActionName``; IAM refuses an action without a service prefix
    ("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.").
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"""
    actions = _strings(value, where, element)
    for i, action in enumerate(actions):
        service, sep, name = action.partition(":")
        if action != "*" and (not sep or not service or not name):
            raise malformed(f"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.: {action!r}",
                            f"{where}[{i}]" if isinstance(value, list) else where)
    return tuple(a.lower() for a in actions)


def _parse_resources(value: Any, where: str, element: str, version: str | None) -> tuple[Template, ...]:
    """Rule *resource form*: ``"*"`` or an ARN ("Resource ... must be in ARN format or "*"").
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"""
    resources = _strings(value, where, element)
    for i, resource in enumerate(resources):
        if resource != "*" and not resource.startswith("arn:"):
            raise malformed(f'Resource {resource} must be in ARN format or "*".',
                            f"{where}[{i}]" if isinstance(value, list) else where)
    return tuple(parse_template(r, version) for r in resources)


def _parse_statement(raw: Any, index: int, where: str, kind: PolicyKind, version: str | None) -> Statement:
    if not isinstance(raw, dict):
        raise malformed("each Statement must be an object", where)
    for key in raw:
        if key not in _STATEMENT_KEYS:
            raise malformed(f"Statement has an unknown field {key}", f"{where}.{key}")
    sid = raw.get("Sid")
    if sid is not None and (not isinstance(sid, str) or (kind.is_iam and not _SID.match(sid))):
        # Rule *Sid*: in IAM, letters and digits only; other services (S3, SQS, SNS, KMS) set their own rules
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
        raise malformed("Statement IDs (SID) must be alpha-numeric", f"{where}.Sid")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        # Rule: "Valid values for Effect are Allow and Deny. The Effect value is case sensitive."
        raise malformed("Effect must be Allow or Deny (case-sensitive)" if "Effect" in raw else "Missing Effect",
                        f"{where}.Effect" if "Effect" in raw else where)
    principal = not_principal = None
    if "Principal" in raw and "NotPrincipal" in raw:
        raise malformed("Statement has both Principal and NotPrincipal", where)
    if kind.names_principals:
        if "Principal" in raw:
            principal = parse_principal(raw["Principal"], f"{where}.Principal")
        elif "NotPrincipal" in raw:
            if kind in (PolicyKind.TRUST, PolicyKind.RCP):
                # "You cannot use the NotPrincipal element in an IAM identity-based policy or in an IAM role trust
                # policy"; SCPs and RCPs do not support it either (NotPrincipal page).
                raise malformed(f"NotPrincipal is not allowed in a {kind.value} policy", f"{where}.NotPrincipal")
            not_principal = parse_principal(raw["NotPrincipal"], f"{where}.NotPrincipal")
        elif kind in (PolicyKind.RESOURCE, PolicyKind.TRUST):
            raise malformed("Missing required field Principal", where)
    else:
        for element in ("Principal", "NotPrincipal"):
            if element in raw:
                raise malformed(f"Has prohibited field {element}", f"{where}.{element}")
    if ("Action" in raw) == ("NotAction" in raw):
        raise malformed("Statement must have exactly one of Action or NotAction", where)
    act_el = "Action" if "Action" in raw else "NotAction"
    actions = _parse_actions(raw[act_el], f"{where}.{act_el}", act_el)
    resources = None
    if "Resource" in raw and "NotResource" in raw:
        raise malformed("Statement has both Resource and NotResource", where)
    res_el = "Resource" if "Resource" in raw else "NotResource" if "NotResource" in raw else None
    if kind is PolicyKind.TRUST and res_el:
        raise malformed(f"Has prohibited field {res_el}", f"{where}.{res_el}")
    if res_el:
        resources = _parse_resources(raw[res_el], f"{where}.{res_el}", res_el, version)
    elif kind not in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.VPCE):
        # Rule: "Statements must include either a Resource or a NotResource element" (identity-side kinds).
        raise malformed("Policy statement must contain resources.", where)
    conditions = parse_condition_block(raw["Condition"], f"{where}.Condition", version) if "Condition" in raw else ()
    return Statement(index, sid, effect, principal, not_principal, actions, act_el == "NotAction",
                     resources, res_el == "NotResource", conditions)


def parse_policy(doc: dict | str, kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
    """Parse and validate one document of the given kind; raise ``MalformedPolicyDocument`` with where and why.

    Rules: the top level has only ``Version``, ``Id`` and ``Statement``; ``Version`` is one of the two dates
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html); ``Statement`` is an
    object or a non-empty list of objects; "In IAM, the Sid value must be unique within a JSON policy"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
    """
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError as exc:
            raise malformed(f"Syntax errors in policy: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise malformed("a policy document must be a JSON object")
    for key in doc:
        if key not in ("Version", "Id", "Statement"):
            raise malformed(f"Policy has an unknown field {key}", key)
    version = doc.get("Version")
    if "Version" in doc and version not in VERSIONS:
        raise malformed(f"The policy failed legacy parsing: unknown Version {version!r}", "Version")
    if "Statement" not in doc:
        raise malformed("Missing required field Statement")
    raw = doc["Statement"]
    if isinstance(raw, dict):
        items, paths = [raw], ["Statement"]
    elif isinstance(raw, list) and raw:
        items, paths = raw, [f"Statement[{i}]" for i in range(len(raw))]
    else:
        raise malformed("Statement must be an object or a non-empty list of objects", "Statement")
    statements = tuple(_parse_statement(s, i, paths[i], kind, version) for i, s in enumerate(items))
    sids = [s.sid for s in statements if s.sid] if kind.is_iam else []
    if len(sids) != len(set(sids)):
        dup = next(s for s in statements if s.sid and sids.count(s.sid) > 1)
        raise malformed(f"Statement IDs (SID) in a single policy must be unique: {dup.sid}", f"{paths[dup.index]}.Sid")
    policy_id = doc.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise malformed("Id must be a string", "Id")
    by_service, any_service = index_by_service(statements)
    return Policy(version, statements, kind, policy_id, by_service, any_service)


_CACHE: OrderedDict[tuple[str | bytes, PolicyKind], Policy] = OrderedDict()
_CACHE_SIZE = 4096


def parse_cached(doc: Any, kind: PolicyKind) -> Policy:
    """``parse_policy`` with a bounded cache keyed by the document's JSON text: a policy that recurs across
    requests (a managed policy, a bucket policy) is parsed and compiled once. Policies are immutable values, so
    sharing them is safe."""
    try:
        key = (doc if isinstance(doc, str) else orjson.dumps(doc), kind)
    except (TypeError, ValueError, orjson.JSONEncodeError):
        return parse_policy(doc, kind)
    found = _CACHE.get(key)
    if found is None:
        found = parse_policy(doc, kind)
        _CACHE[key] = found
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def try_parse(doc: Any, kind: PolicyKind, where: str) -> Policy:
    """``parse_cached`` with errors located under ``where`` (a path in a larger input)."""
    try:
        return parse_cached(doc, kind)
    except IamError as err:
        raise err.at(where) from None
