"""Any caller, as a choice among finitely many representatives: the principals the policies name, and for every
kind of principal one that they do not name, in each account and partition they mention and in one they do not.

A caller matters to the decision only through its kind, whether its ARN is one a policy lists, whether its account
(or its root ARN in its partition) is listed, its role's name against listed role ARNs, and whether it is a
service-linked role (``spec.principals``). Callers alike in all of these decide alike, so one representative per
class loses no request. Each representative is a concrete ``SymCaller`` (its tests fold to constants); this caller
is the representative that the integer ``pick`` selects, and every test is a set of picks.
"""

from __future__ import annotations

import re

import z3

from spec.callers import parse_caller
from spec.errors import IamError
from spec.policy import Policy
from spec.principals import PrincipalSpec
from spec.smt.caller import SymCaller
from spec.smt.strings import sval

_ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):[^:]*:(?P<account>[^:]*):(?P<resource>.*)$")
_ACCOUNT = re.compile(r"^\d{12}$")


def _specs(policies: list[Policy]) -> list[PrincipalSpec]:
    return [spec for p in policies for s in p.statements for spec in (s.principal, s.not_principal) if spec]


def representatives(policies: list[Policy], exclude_accounts: frozenset[str] = frozenset()) -> list[str]:
    """The principal strings that stand for every caller (see the module docstring)."""
    specs = _specs(policies)
    names = {v for sp in specs for v in sp.aws | sp.service | sp.federated}
    accounts = {a for sp in specs for a in sp.accounts}
    partitions = {"aws"}
    roles = {"unnamed-role"}
    for value in names:
        m = _ARN.match(value)
        if m and _ACCOUNT.match(m["account"] or ""):
            accounts.add(m["account"])
            partitions.add(m["partition"])
            if m["service"] == "iam" and m["resource"].startswith("role/"):
                roles.add(m["resource"].rsplit("/", 1)[-1])
            if m["service"] == "sts" and m["resource"].startswith("assumed-role/"):
                roles.add(m["resource"].split("/")[1])
    fresh = "999999999999"
    while fresh in accounts or fresh in exclude_accounts:
        fresh = str(int(fresh) - 1).zfill(12)
    accounts = (accounts | {fresh}) - exclude_accounts
    out = set(names) | {"anonymous", "unnamed.amazonaws.com", "accounts.google.com"}
    for part in partitions:
        for acct in accounts:
            base = f"arn:{part}:iam::{acct}"
            out |= {f"{base}:root", f"{base}:user/unnamed-user", f"arn:{part}:sts::{acct}:federated-user/unnamed",
                    f"{base}:oidc-provider/unnamed.example.com",
                    f"{base}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForUnnamed"}
            for role in roles:
                out |= {f"{base}:role/{role}", f"arn:{part}:sts::{acct}:assumed-role/{role}/unnamed-session"}
    valid = []
    for p in sorted(out):
        try:
            parse_caller(p)
        except IamError:
            continue
        acct = p.split(":")[4] if p.count(":") >= 5 else None
        if acct not in exclude_accounts:
            valid.append(p)
    return valid


class ChoiceCaller:
    """A caller chosen among representatives, with the interface of ``SymCaller``."""

    def __init__(self, name: str, principals: list[str]) -> None:
        self.principals = principals
        self.reps = [SymCaller(f"{name}.rep{i}", p) for i, p in enumerate(principals)]
        self.pick = z3.Int(f"{name}.pick")
        self.constraints = [self.pick >= 0, self.pick < len(principals)]
        self.fixed_none = False
        self.none = z3.BoolVal(False)
        for attr in ("anonymous", "service", "provider", "root", "user", "role", "session", "federated",
                     "service_linked", "is_session", "outside", "has_account", "valid"):
            setattr(self, attr, self._where(lambda r, a=attr: getattr(r, a)))
        self.p = self._value(lambda r: r.p)
        self.account = self._value(lambda r: r.account)

    def _where(self, test) -> z3.BoolRef:
        picks = [i for i, r in enumerate(self.reps) if z3.is_true(z3.simplify(test(r)))]
        if not picks:
            return z3.BoolVal(False)
        if len(picks) == len(self.reps):
            return z3.BoolVal(True)
        return z3.Or(*[self.pick == i for i in picks])

    def _value(self, get) -> z3.SeqRef:
        out = sval("")
        for i, r in enumerate(self.reps):
            out = z3.If(self.pick == i, z3.simplify(get(r)), out)
        return out

    def names(self, values: frozenset[str]) -> z3.BoolRef:
        return self._where(lambda r: r.names(values))

    def names_account(self, spec: PrincipalSpec) -> z3.BoolRef:
        return self._where(lambda r: r.names_account(spec))

    def names_role(self, spec: PrincipalSpec) -> z3.BoolRef:
        return self._where(lambda r: r.names_role(spec))
