"""Evaluator loops: the model and each in-process peer behind one tiny interface, driven the fastest faithful way
each offers. The benchmark's cases are identity-only (identity policies, a principal, a request context), so each
loop hands the peer exactly that.

- ``load(case)``: the peer's own objects for one case (policies parsed or loaded, request prepared);
- ``evaluate(loaded)``: the decision, ``"Allow"``, ``"ImplicitDeny"``, ``"ExplicitDeny"``, or ``"Deny"`` for a
  peer that does not tell explicit from implicit denials;
- ``decide_line(line)``: end to end, from the case's JSON line.

The peers are imported untouched (principalmapper after the documented ``collections`` shim) and only called.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

try:  # the same JSON decoder the model's own path uses, so that every loop pays the same to read a line
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    from json import loads as _loads

from spec.authorize import authorize
from spec.case import parse_case
from spec.decide import answer_line


class Unavailable(Exception):
    """The peer cannot run here; the message says why and how to install it."""


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _policies(case: dict) -> list[dict]:
    return list(case.get("identity_policies") or []) + list(case.get("group_policies") or [])


class ModelLoop:
    """iamspec itself: ``spec.decide.answer_line`` end to end (the path ``iamspec decide`` takes), and
    ``spec.authorize.authorize`` on a parsed case with the policies loaded."""

    name = "iamspec"

    def start(self) -> None:
        pass

    def version(self) -> str | None:
        return _version("iamspec")

    def decide_line(self, line: str) -> str:
        answer = answer_line(line)
        return answer.get("decision") or "error:" + answer["error"]["code"]

    def load(self, case: dict) -> Any:
        parsed = parse_case(case)
        return parsed.request, parsed.policies

    def evaluate(self, loaded: Any) -> str:
        return authorize(*loaded).decision


class MotoLoop:
    """moto's access-control evaluator (``moto.iam.access_control.IAMPolicy``), combined across policies exactly as
    ``IAMRequestBase.check_action_permitted`` does: any DENIED denies, else any PERMITTED allows.

    ``IAMPolicy(text)`` only does ``json.loads(text)``; since the case line is already decoded, the loop builds it
    from the decoded document (same attribute the constructor sets) rather than encoding it again."""

    name = "moto"

    def start(self) -> None:
        try:
            from moto.iam import access_control
        except ImportError as exc:
            raise Unavailable(f"moto is not installed ({exc}); pip install 'iamspec[moto]'") from None
        self._ac = access_control
        self._permitted = access_control.PermissionResult.PERMITTED
        self._denied = access_control.PermissionResult.DENIED

    def version(self) -> str | None:
        return _version("moto")

    def _policy(self, doc: dict) -> Any:
        policy = object.__new__(self._ac.IAMPolicy)
        policy._policy_json = doc
        return policy

    def load(self, case: dict) -> Any:
        req = case["request"]
        return [self._policy(d) for d in _policies(case)], req["action"], req.get("resource", "*"), req.get("context") or {}

    def evaluate(self, loaded: Any) -> str:
        policies, action, resource, ctx = loaded
        permitted = False
        for policy in policies:
            result = policy.is_action_permitted(action, resource, None, ctx)
            if result == self._denied:
                return "ExplicitDeny"
            if result == self._permitted:
                permitted = True
        return "Allow" if permitted else "ImplicitDeny"

    def decide_line(self, line: str) -> str:
        return self.evaluate(self.load(_loads(line)))


class MiniStackLoop:
    """MiniStack's evaluator: ``ministack.core.iam_evaluator.parse_policy_document`` and ``evaluate``; the request
    context goes in ``EvalContext`` (source IP and TLS in their own fields, every other key in ``service_context``,
    lower-cased as its resolver looks keys up)."""

    name = "ministack"

    def start(self) -> None:
        try:
            from ministack.core import iam_evaluator
        except ImportError as exc:
            raise Unavailable(f"ministack is not installed ({exc}); pip install 'iamspec[ministack]'") from None
        self._ev = iam_evaluator

    def version(self) -> str | None:
        return _version("ministack")

    def _context(self, req: dict) -> Any:
        ctx = {str(k).lower(): v for k, v in (req.get("context") or {}).items()}
        principal = req.get("principal") or "arn:aws:iam::123456789012:user/unstated"
        parts = principal.split(":")
        return self._ev.EvalContext(
            principal_arn=principal,
            principal_type="User" if ":user/" in principal else "AssumedRole",
            principal_account=parts[4] if len(parts) > 4 else "123456789012",
            action=req["action"],
            resource_arn=req.get("resource", "*"),
            region=str(ctx.get("aws:requestedregion", "us-east-1")),
            source_ip=str(ctx.pop("aws:sourceip", "127.0.0.1")),
            secure_transport=str(ctx.pop("aws:securetransport", "false")).lower() == "true",
            service_context=ctx,
        )

    def load(self, case: dict) -> Any:
        return self._context(case["request"]), [self._ev.parse_policy_document(d) for d in _policies(case)]

    def evaluate(self, loaded: Any) -> str:
        decision = self._ev.evaluate(*loaded).decision
        return "ExplicitDeny" if decision == "Deny" else decision

    def decide_line(self, line: str) -> str:
        return self.evaluate(self.load(_loads(line)))


def _principalmapper_shim() -> None:
    """principalmapper 1.1.5 imports ``collections.Mapping``, gone since Python 3.10 (nccgroup/PMapper#106)."""
    import collections
    import collections.abc

    for name in ("Mapping", "MutableMapping"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


class PrincipalMapperLoop:
    """principalmapper's local simulation: the caller as a ``Node`` whose attached policies are the case's
    identity policies, asked with ``query_interface.local_check_authorization_full`` (a boolean: it does not tell
    explicit from implicit denials, so its denials are ``"Deny"``)."""

    name = "principalmapper"

    def start(self) -> None:
        _principalmapper_shim()
        try:
            from principalmapper.common import Node, Policy
            from principalmapper.querying import query_interface
        except ImportError as exc:
            raise Unavailable(f"principalmapper is not installed ({exc}); pip install 'iamspec[principalmapper]'") from None
        import logging

        logging.getLogger("principalmapper").setLevel(logging.WARNING)
        self._node, self._policy, self._qi = Node, Policy, query_interface

    def version(self) -> str | None:
        return _version("principalmapper")

    _TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                      "Action": "sts:AssumeRole"}]}

    def load(self, case: dict) -> Any:
        req = case["request"]
        principal = req.get("principal") or "arn:aws:iam::123456789012:user/unstated"
        policies = [self._policy(f"arn:aws:iam::aws:policy/bench-{i}", f"bench-{i}", d)
                    for i, d in enumerate(_policies(case))]
        is_role = ":role/" in principal
        node = self._node(principal, "AIDABENCHMARK0000001", policies, [], self._TRUST if is_role else None,
                          None, 0, False, False, None, False, {})
        return node, req["action"], req.get("resource", "*"), dict(req.get("context") or {})

    def evaluate(self, loaded: Any) -> str:
        node, action, resource, ctx = loaded
        return "Allow" if self._qi.local_check_authorization_full(node, action, resource, ctx) else "Deny"

    def decide_line(self, line: str) -> str:
        return self.evaluate(self.load(_loads(line)))


class IamSimulatePipeLoop:
    """iam-simulate through the harness's own target (``harness.targets.get_target("iam-simulate")``): the case
    translated in Python, one JSON line to the Node process and one back, per decision."""

    name = "iam-simulate (harness pipe)"

    def start(self) -> None:
        try:
            from harness.targets.base import TargetUnavailable, get_target
        except ImportError as exc:
            raise Unavailable(f"harness.targets is not built ({exc})") from None
        try:
            self._target = get_target("iam-simulate", timeout=60.0)
            self._target.start()
        except (TargetUnavailable, ImportError, ValueError) as exc:
            raise Unavailable(str(exc)) from None

    def stop(self) -> None:
        self._target.stop()

    def version(self) -> str | None:
        return self._target.version()

    def load(self, case: dict) -> Any:
        return case

    def evaluate(self, loaded: Any) -> str:
        answer = self._target.decide(loaded)
        if "decision" in answer:
            return answer["decision"]
        return "error:" + str(answer.get("error", {}).get("code") if "error" in answer else "crash")

    def decide_line(self, line: str) -> str:
        return self.evaluate(_loads(line))


LOOPS = {
    "iamspec": ModelLoop,
    "moto": MotoLoop,
    "ministack": MiniStackLoop,
    "principalmapper": PrincipalMapperLoop,
    "iam-simulate-pipe": IamSimulatePipeLoop,
}
