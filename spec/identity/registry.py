"""The table of operations: each API call the model knows, its parameter shape, what it must be authorized for,
and the transition it makes.

An operation is two pure functions of a ``Call``: ``checks`` (the authorizations the call needs: action, resource
ARN, resource policy, the call's own condition keys) and ``apply`` (the new world and AWS's response, or an
``IamError``). The dispatcher (``dispatch.py``) runs them in AWS's order: authenticate, validate, authorize, act.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from spec.identity.auth import Identity
from spec.identity.authz import Check
from spec.identity.shapes import Field
from spec.identity.state import World


@dataclass(frozen=True)
class Call:
    world: World
    who: Identity
    params: Mapping[str, Any]

    @property
    def account(self):
        """The caller's account: where IAM calls act."""
        return self.world.account(self.who.account)


Checks = Callable[[Call], tuple[Check, ...]]
Apply = Callable[[Call], tuple[World, dict]]


@dataclass(frozen=True)
class Operation:
    name: str  # "iam:CreateUser"
    shape: Mapping[str, Field]
    checks: Checks
    apply: Apply


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, shape: Mapping[str, Field], checks: Checks) -> Callable[[Apply], Apply]:
    """Register ``apply`` as the transition of ``name``."""

    def register(apply: Apply) -> Apply:
        OPERATIONS[name] = Operation(name, dict(shape), checks, apply)
        return apply

    return register


def no_checks(_: Call) -> tuple[Check, ...]:
    """Calls that no policy can deny (sts:GetCallerIdentity, sts:GetSessionToken)."""
    return ()
