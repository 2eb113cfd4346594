"""The caller as Z3 terms: the kind of principal read from the request's principal string, and how a Principal or
NotPrincipal element names it.

Mirrors ``spec.callers.parse_caller`` and ``spec.principals`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html). Every kind is a
regular-expression membership of the principal string ``p`` written after the model's own expressions (Python's
``\\w`` and ``\\d`` as Unicode classes, ``$`` also before a final newline), so a concrete principal folds to constants
and a symbolic one needs no auxiliary variables.
"""

from __future__ import annotations

import re
from functools import lru_cache

import z3

from spec.principals import PrincipalSpec
from spec.smt.strings import MAX_CHAR, sval

NONE, ACCOUNT, VIA_ROLE, DIRECT = 0, 1, 2, 3  # spec.principals.Grant
_ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):[^:]*:(?P<account>[^:]*):(?P<resource>.*)$")
_PROVIDER_HOSTS = ("accounts.google.com", "graph.facebook.com", "www.amazon.com")
RE = z3.ReSort(z3.StringSort())


@lru_cache(maxsize=4096)
def char_class(pattern: str, within: frozenset[str] | None = None) -> z3.ReRef:
    """The characters a one-character Python expression (``r"\\w"``, ``r"\\d"``) matches, as a Z3 union; only
    those of ``within`` when given (a concrete principal uses no other character)."""
    rx = re.compile(pattern)
    pool = range(MAX_CHAR + 1) if within is None else sorted(ord(ch) for ch in within)
    codes = [c for c in pool if rx.fullmatch(chr(c))]
    if not codes:
        return z3.Empty(RE)
    ranges, start, prev = [], codes[0], codes[0]
    for c in codes[1:]:
        if c != prev + 1:
            ranges.append((start, prev))
            start = c
        prev = c
    ranges.append((start, prev))
    return z3.Union(*[z3.Range(chr(a), chr(b)) for a, b in ranges])


def _lit(text: str) -> z3.ReRef:
    return z3.Re(sval(text))


def _cat(*parts: z3.ReRef) -> z3.ReRef:
    return z3.Concat(*parts) if len(parts) > 1 else parts[0]


@lru_cache(maxsize=4096)
def _pieces(within: frozenset[str] | None = None) -> dict[str, z3.ReRef]:
    name_char = char_class(r"[\w+=,.@-]", within)
    name = z3.Plus(name_char)
    printable = z3.Star(z3.Range("!", "~"))
    not_nl = z3.Intersect(z3.AllChar(RE), z3.Complement(z3.Re("\n")))
    lower = z3.Union(z3.Range("a", "z"), z3.Re("-"))
    partition = z3.Union(_lit("aws"), _lit("aws-cn"), _lit("aws-us-gov"), _cat(_lit("aws-iso"), z3.Star(lower)))
    alnum = z3.Union(z3.Range("a", "z"), z3.Range("0", "9"))
    service = _cat(alnum, z3.Star(z3.Union(alnum, z3.Re("."), z3.Re("-"))), z3.Re("."),
                   z3.Union(_lit("amazonaws.com"), _lit("amazonaws.com.cn"), _lit("amazon.com")), z3.Option(z3.Re("\n")))
    return {"name": name, "name_char": name_char, "path": z3.Option(_cat(printable, z3.Re("/"))),
            "rest": z3.Plus(not_nl), "partition": partition, "digits": z3.Loop(char_class(r"\d", within), 12, 12),
            "service": service}


def _arn(pc: dict[str, z3.ReRef], svc: str, resource: z3.ReRef, account: z3.ReRef | None = None,
         partition: z3.ReRef | None = None) -> z3.ReRef:
    """``arn:PARTITION:SVC::ACCOUNT:RESOURCE`` as ``spec.callers._IAM_ARN`` reads it."""
    return _cat(z3.Re("arn:"), partition if partition is not None else pc["partition"], z3.Re(":"),
                z3.Union(z3.Re("iam"), z3.Re("sts")) if svc == "either" else _lit(svc), z3.Re("::"),
                account if account is not None else pc["digits"], z3.Re(":"), resource, z3.Option(z3.Re("\n")))


class SymCaller:
    """The request's principal: ``None`` (not stated), a concrete string, or symbolic (``symbolic=True``); the
    kinds are those of ``spec.callers.CallerKind``. ``valid`` says the model accepts the principal at all."""

    def __init__(self, name: str, principal: str | None = None, symbolic: bool = False) -> None:
        self.constraints: list[z3.BoolRef] = []
        self.fixed_none = principal is None and not symbolic
        self.none = z3.BoolVal(self.fixed_none) if not symbolic else z3.Bool(f"{name}.none")
        self.p = z3.String(f"{name}.p") if symbolic else sval(principal or "")
        pc = self.pc = _pieces(None if symbolic else frozenset(principal or ""))
        some = z3.Not(self.none)
        self.anonymous = z3.And(some, self.p == sval("anonymous"))
        self.service = z3.And(some, z3.InRe(self.p, pc["service"]))
        self.provider_host = z3.And(some, z3.Not(self.service), z3.Or(*[self.p == sval(h) for h in _PROVIDER_HOSTS]))
        name, path = pc["name"], pc["path"]
        self.root = self._member(_arn(pc, "iam", z3.Re("root")))
        self.user = self._member(_arn(pc, "iam", _cat(z3.Re("user/"), path, name)))
        self.role = self._member(_arn(pc, "iam", _cat(z3.Re("role/"), path, name)))
        self.session = self._member(_arn(pc, "sts", _cat(z3.Re("assumed-role/"), name, z3.Re("/"), name)))
        self.federated = self._member(_arn(pc, "sts", _cat(z3.Re("federated-user/"), name)))
        self.provider_arn = self._member(_arn(pc, "iam", _cat(z3.Union(z3.Re("saml-provider/"), z3.Re("oidc-provider/")),
                                                          pc["rest"])))
        self.provider = z3.Or(self.provider_host, self.provider_arn)
        self.has_account = z3.Or(self.root, self.user, self.role, self.session, self.federated, self.provider_arn)
        self.valid = z3.Or(self.none, self.anonymous, self.service, self.provider, self.root, self.user, self.role,
                           self.session, self.federated)
        linked = z3.Concat(_lit("AWSServiceRoleFor"), z3.Star(pc["name_char"]))
        self.service_linked = z3.Or(
            self._member(_arn(pc, "iam", _cat(z3.Re("role/aws-service-role/"), z3.Star(z3.Range("!", "~"))))),
            z3.And(self.role, self._member(_arn(pc, "iam", _cat(z3.Re("role/"), path, linked)))),
            z3.And(self.session, self._member(_arn(pc, "sts", _cat(z3.Re("assumed-role/"), linked, z3.Re("/"), name)))))
        self.service_linked = z3.And(z3.Or(self.role, self.session), self.service_linked)
        self.is_session = z3.Or(self.role, self.session, self.federated)
        self.outside = z3.Or(self.service, self.anonymous, self.provider)  # no identity policies of their own
        self.account = z3.SubString(self.p, z3.IndexOf(self.p, sval(":"), 4) + 6, 12)
        if symbolic:
            self.constraints.append(self.valid)

    def _member(self, regex: z3.ReRef) -> z3.BoolRef:
        return z3.And(z3.Not(self.none), z3.InRe(self.p, regex))

    def names(self, values: frozenset[str]) -> z3.BoolRef:
        """The caller's principal string is one of ``values``."""
        if not values:
            return z3.BoolVal(False)
        return z3.And(z3.Not(self.none), z3.Or(*[self.p == sval(v) for v in sorted(values)]))

    def names_account(self, spec: PrincipalSpec) -> z3.BoolRef:
        """``PrincipalSpec.names_account``: the caller's account is listed bare, or its root ARN (in the caller's
        partition) is listed."""
        out = []
        if spec.accounts:
            accounts = sorted(spec.accounts)
            pc = self.pc
            out.append(self._member(_arn(pc, "either", pc["rest"], z3.Union(*[_lit(a) for a in accounts])
                                         if len(accounts) > 1 else _lit(accounts[0]))))
        for value in sorted(spec.aws):
            m = _ARN.match(value)
            if m and m["service"] == "iam" and m["resource"] == "root" and value.split(":")[3] == "":
                out.append(self._member(_arn(self.pc, "either", self.pc["rest"], _lit(m["account"]), _lit(m["partition"]))))
        return z3.And(self.has_account, z3.Or(*out)) if out else z3.BoolVal(False)

    def names_role(self, spec: PrincipalSpec) -> z3.BoolRef:
        """``principals._names_role``: a role ARN (any path) in the element names the calling role, or the role of
        the calling session, in the caller's partition and account."""
        out = []
        pc = self.pc
        for value in sorted(spec.aws):
            m = _ARN.match(value)
            if m and m["service"] == "iam" and m["resource"].startswith("role/"):
                acct, part, role = _lit(m["account"]), _lit(m["partition"]), m["resource"].rsplit("/", 1)[-1]
                out.append(z3.Or(
                    z3.And(self.role, self._member(_arn(pc, "iam", _cat(z3.Re("role/"), pc["path"], _lit(role)), acct,
                                                        part))),
                    z3.And(self.session, self._member(_arn(pc, "sts", _cat(z3.Re("assumed-role/"), _lit(role),
                                                                       z3.Re("/"), pc["name"]), acct, part)))))
        return z3.Or(*out) if out else z3.BoolVal(False)


def grant_for(spec: PrincipalSpec, c: SymCaller) -> z3.ArithRef:
    """Rule *whom a Principal names* (``spec.principals.grant_for``): ``"*"`` is everyone; a service or identity
    provider is named by ``Service``/``Federated``; a user, session or federated-user ARN names that caller
    (DIRECT); a role ARN names the sessions of that role (VIA_ROLE); an account names every principal of it
    (ACCOUNT, "does not limit permissions to only the root user")."""
    if spec.wildcard:
        return z3.IntVal(DIRECT)
    outside = z3.Or(c.service, c.provider)
    return z3.If(z3.Or(c.none, c.anonymous), NONE,
                 z3.If(outside, z3.If(c.names(spec.service | spec.federated), DIRECT, NONE),
                       z3.If(z3.And(c.names(spec.aws), z3.Not(c.role), z3.Not(c.root)), DIRECT,
                             z3.If(c.names_role(spec), VIA_ROLE,
                                   z3.If(c.names_account(spec), ACCOUNT, NONE)))))


def not_principal_excludes(spec: PrincipalSpec, c: SymCaller) -> z3.BoolRef:
    """Rule *NotPrincipal* (``spec.principals.not_principal_excludes``): a caller is exempt only when each of its
    identities (account, role, session; or account, user) is listed."""
    if spec.wildcard:
        return z3.BoolVal(True)
    role_chain = z3.And(c.names_role(spec), z3.Or(c.role, c.names(spec.aws)))
    return z3.If(z3.Or(c.service, c.provider), c.names(spec.service | spec.federated),
                 z3.If(z3.Or(c.none, c.anonymous), False,
                       z3.If(z3.Not(c.names_account(spec)), False,
                             z3.If(c.root, True,
                                   z3.If(z3.Or(c.role, c.session), role_chain, c.names(spec.aws))))))
