"""A counterexample world turned into a decision case and replayed through the model.

Each layer of the world becomes a policy with an Allow and/or a Deny statement that applies (or a statement that
does not apply), the caller kind a principal, the request facts an action, a resource and a resource account; the
case's decision under ``spec.authorize`` must be the world's decision, else ``WitnessError``
(../shared/formats/decision-case.md).
"""

from __future__ import annotations

from typing import Any

import z3

from spec.smt.decision import ACCOUNT, DIRECT, NAMES, VIA_ROLE, Layer
from spec.smt.witness import replay
from spec.smt.world import World

ACCT, OTHER = "111122223333", "444455556666"
PRINCIPALS = {
    "anonymous": "anonymous", "service": "lambda.amazonaws.com",
    "provider": f"arn:aws:iam::{ACCT}:oidc-provider/oidc.example.com", "root": f"arn:aws:iam::{ACCT}:root",
    "user": f"arn:aws:iam::{ACCT}:user/alice", "role": f"arn:aws:iam::{ACCT}:role/app",
    "session": f"arn:aws:sts::{ACCT}:assumed-role/app/s1", "federated": f"arn:aws:sts::{ACCT}:federated-user/carol",
}
LINKED = {"role": f"arn:aws:iam::{ACCT}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
          "session": f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForX/s1"}
NO_MATCH = {"Effect": "Allow", "Action": "iamspec:NothingMatches", "Resource": "*"}


def _on(model: z3.ModelRef, term: z3.ExprRef) -> bool:
    return z3.is_true(model.eval(term, model_completion=True))


def _doc(model: z3.ModelRef, lyr: Layer, principal: Any = None, resource: bool = True) -> dict:
    stmts = []
    for effect, on in (("Allow", lyr.allowed), ("Deny", lyr.denied)):
        if _on(model, on):
            s: dict[str, Any] = {"Effect": effect, "Action": "*"}
            if resource:
                s["Resource"] = "*"
            if principal is not None:
                s["Principal"] = principal if effect == "Allow" else "*"
            stmts.append(s)
    if not stmts:
        stmts.append(dict(NO_MATCH, **({"Principal": "*"} if principal is not None else {})))
        if not resource:
            stmts[-1].pop("Resource")
    return {"Version": "2012-10-17", "Statement": stmts}


def world_case(w: World, model: z3.ModelRef) -> dict[str, Any]:
    """The decision case of a world's model, replayed: its decision is the world's."""
    c, ls = w.caller, w.layers
    kind = c.kind_of(model)
    linked = _on(model, c.service_linked)
    principal = None if kind == "none" else (LINKED[kind] if linked else PRINCIPALS[kind])
    if _on(model, w.trust):
        action, resource = "sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/target"
    elif _on(model, w.key_policy):
        action, resource = "kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCT}:key/k1"
    else:
        action, resource = "s3:GetObject", "arn:aws:s3:::bucket/key"
    request: dict[str, Any] = {"principal": principal, "action": action, "resource": resource}
    if _on(model, w.cross):
        request["resource_account"] = OTHER
    case: dict[str, Any] = {"id": "counterexample", "request": request}
    own_policies = kind not in ("root", "service", "provider", "anonymous")  # spec.case refuses them otherwise
    if own_policies:
        case["identity_policies"] = [_doc(model, ls.identity)] if _on(model, ls.identity.allowed) or \
            _on(model, ls.identity.denied) else []
        case["group_policies"] = [_doc(model, ls.group)] if _on(model, ls.group.allowed) or \
            _on(model, ls.group.denied) else []
        if _on(model, ls.has_boundary):
            case["permission_boundary"] = _doc(model, ls.boundary)
        if _on(model, ls.has_session):
            case["session_policy"] = _doc(model, ls.session)
    if _on(model, ls.has_resource):
        grant = model.eval(ls.resource.grant, model_completion=True).as_long()
        named = {DIRECT: "*", VIA_ROLE: {"AWS": f"arn:aws:iam::{ACCT}:role/{'AWSServiceRoleForX' if linked else 'app'}"},
                 ACCOUNT: {"AWS": ACCT}}.get(grant, {"AWS": f"arn:aws:iam::{OTHER}:user/nobody"})
        case["resource_policy"] = _doc(model, ls.resource, named, resource=False)
    for key, levels, present in (("scps", ls.scps, ls.has_scps), ("rcps", ls.rcps, ls.has_rcps)):
        if _on(model, present):
            case[key] = [{"level": f"level-{i}", "policies": [_doc(model, lv.layer)]}
                         for i, lv in enumerate(levels) if _on(model, lv.exists)]
    if _on(model, ls.has_vpce):
        case["vpc_endpoint_policies"] = [_doc(model, lv.layer, "*", resource=False)
                                         for lv in ls.vpce if _on(model, lv.exists)]
    expected = NAMES[model.eval(w.decision(), model_completion=True).as_long()]
    replay(case, expected)
    case["expected"] = expected
    return case
