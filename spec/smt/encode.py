"""Statements and policies as Z3 formulas over a symbolic request.

Mirrors ``spec.statements`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html:
a statement applies when Principal, Action, Resource and Condition all match) and the layer walk of ``spec.layers``.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from spec.conditions import Clause
from spec.policy import Policy, Statement
from spec.smt import atoms, conditions, strings
from spec.smt import caller as principals
from spec.smt.context import SymKey
from spec.smt.pieces import arn_tokens, star_tokens
from spec.smt.request import SymRequest
from spec.smt.strvar import StrVar
from spec.smt.values import SymValue
from spec.variables import Escaped, Template

_NO_COLON_TEXT = z3.Star(z3.Intersect(z3.AllChar(z3.ReSort(z3.StringSort())), z3.Complement(z3.Re(":"))))


@dataclass(frozen=True)
class Applied:
    """A statement's encoding: whether it applies, and (for an Allow) how it names the caller; ``allows`` is the
    effect (a Python bool for a concrete statement, a Z3 term in the named invariants)."""

    stmt: Statement | None
    applies: z3.BoolRef
    grant: z3.ArithRef
    allows: bool | z3.BoolRef = True


def action_applies(actions: tuple[str, ...], not_action: bool, action: StrVar) -> z3.BoolRef:
    """Rule *Action/NotAction*: Action matches when one of its (lower-cased) patterns matches the lower-cased
    action; NotAction matches "everything except the specified list of actions".
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    hit = action.member(tuple(atoms.glob(p) for p in actions))
    return z3.Not(hit) if not_action else hit


def resource_applies(hits: list[z3.BoolRef] | None, not_resource: bool) -> z3.BoolRef:
    """Rule *Resource/NotResource*: a hit when one pattern matches (an unresolvable pattern never does);
    NotResource applies when none does; no element applies to the attached resource."""
    if hits is None:
        return z3.BoolVal(True)
    hit = z3.Or(*hits) if hits else z3.BoolVal(False)
    return z3.Not(hit) if not_resource else hit


def statement_applies(action: z3.BoolRef, resource: z3.BoolRef, grant: z3.ArithRef,
                      conds: z3.BoolRef) -> z3.BoolRef:
    """Rule *statement match*: every element matches and the Principal names the caller."""
    return z3.And(action, resource, grant != principals.NONE, conds)


class Encoder:
    """Encodes statements over one request; ``approximate`` is set when an encoding narrowed the request space."""

    def __init__(self, req: SymRequest, abstract: bool = False) -> None:
        self.req = req
        # ``abstract``: every test that needs string reasoning (a policy variable's text, a case-insensitive match)
        # becomes a free Boolean named after the test, so the same test in two policies is the same Boolean. This
        # admits more than the real requests: a question it answers "no such request" is answered for real.
        self.abstract = abstract
        self._cache: dict[tuple[int, bool], Applied] = {}

    # ---- policy variables --------------------------------------------------------------------------------
    def _resolve(self, template: Template) -> tuple[z3.BoolRef, list[strings.Piece]]:
        """Rule *substitution* (``spec.variables.Template.resolve``): a variable takes its key's single value,
        the default when the key is absent, and makes the text unresolvable when the key is absent without a
        default or holds a list."""
        ok: list[z3.BoolRef] = []
        pieces: list[strings.Piece] = []
        for part in template.parts:
            if isinstance(part, str):
                pieces.append((part, True))
            elif isinstance(part, Escaped):
                pieces.append((part.char, False))
            else:
                key = self.req.keys[part.key]
                value = key.single.s if key.concrete or self.abstract else key.single.mark_string()
                if part.default is None:
                    ok.append(key.is_single)
                else:
                    ok.append(z3.Or(key.is_single, key.is_absent))
                    value = z3.If(key.is_single, value, strings.sval(part.default))
                pieces.append((value, False))
        return (z3.simplify(z3.And(*ok)) if ok else z3.BoolVal(True)), self._fold(pieces)

    @staticmethod
    def _fold(pieces: list[strings.Piece]) -> list[strings.Piece]:
        """Constant symbolic pieces (a concrete request) become Python text."""
        out: list[strings.Piece] = []
        for text, is_pattern in pieces:
            if not isinstance(text, str):
                simple = z3.simplify(text)
                if z3.is_string_value(simple):
                    text = strings.text_of(simple)
            out.append((text, is_pattern))
        return out

    def _restrict(self, term: z3.SeqRef, regex: z3.ReRef) -> None:
        self.req.restrictions.append(z3.InRe(term, regex))

    # ---- Resource ----------------------------------------------------------------------------------------
    def template_matches(self, template: Template) -> z3.BoolRef:
        """Rule *unresolvable variable*: "the resource that includes a policy variable with no value will not
        match any resource"."""
        ok, pieces = self._resolve(template)
        if z3.is_false(ok):
            return ok
        if all(isinstance(t, str) for t, _ in pieces):  # every variable is known: a plain pattern
            tokens = tuple(tok for text, pat in pieces for tok in (atoms.glob(text) if pat else atoms.literal(text)))
            return z3.And(ok, self.req.resource.member((tokens,)))
        if self.abstract:
            return z3.And(ok, z3.Bool(f"abstract.resource[{template.raw}]"),
                          self.req.resource.member((star_tokens(template, True),)))
        return z3.And(ok, z3.InRe(self.req.resource.text(), strings.glob_pieces(pieces)))

    def resource(self, stmt: Statement) -> z3.BoolRef:
        if stmt.resources is None:
            return resource_applies(None, stmt.not_resource)
        if not stmt.not_resource and any(t.raw == "*" for t in stmt.resources):
            return z3.BoolVal(True)
        plain = tuple(atoms.glob(t.raw) for t in stmt.resources if not t.has_variables)
        hits = [self.req.resource.member(plain)] if plain else []
        hits += [self.template_matches(t) for t in stmt.resources if t.has_variables]
        return resource_applies(hits, stmt.not_resource)

    # ---- Condition ---------------------------------------------------------------------------------------
    def _variable_test(self, clause: Clause, template: Template, v: SymValue) -> z3.BoolRef:
        """A policy value with variables (string and ARN operators; ``spec.conditions.Clause.tests``): for
        StringLike and the ARN operators substituted text and ``${*}`` stay literal; StringEquals and
        StringEqualsIgnoreCase compare the joined text."""
        ok, pieces = self._resolve(template)
        positive, family = clause.operator.positive, clause.operator.family
        if all(isinstance(t, str) for t, _ in pieces):  # a concrete request: every piece is known
            if positive == "StringEqualsIgnoreCase":
                return z3.And(ok, conditions.ignore_case_test("".join(t for t, _ in pieces))(v))
            pattern = self._const_pattern(clause, pieces)
            return z3.And(ok, v.member((pattern,))) if pattern is not None else z3.BoolVal(False)
        if self.abstract:
            free = z3.Bool(f"abstract.condition[{clause.label}|{template.raw}|{v.name}]")
            if positive in ("StringLike", "StringEquals"):  # every instance matches the pattern with "*" for each variable
                return z3.And(ok, free, v.member((star_tokens(template, positive == "StringLike"),)))
            return z3.And(ok, free)
        if family == "arn":
            return z3.And(ok, self._arn_pieces(pieces, v))
        if positive == "StringLike":
            return z3.And(ok, z3.InRe(v.mark_string(), strings.glob_pieces(pieces)))
        joined = z3.Concat(*[strings.sval(t) if isinstance(t, str) else t for t, _ in pieces]) \
            if len(pieces) > 1 else pieces[0][0]
        if positive == "StringEquals":
            return z3.And(ok, v.mark_string() == joined)
        # StringEqualsIgnoreCase. Approximation: the texts restricted to printable ASCII, where str.lower() is
        # ASCII lowering.
        ascii_text = z3.Star(z3.Range(" ", "~"))
        self._restrict(v.mark_string(), ascii_text)
        for t, _ in pieces:
            if not isinstance(t, str):
                self._restrict(t, ascii_text)
        return z3.And(ok, strings.ascii_lower(v.mark_string()) == strings.ascii_lower(joined))

    @staticmethod
    def _const_pattern(clause: Clause, pieces: list[strings.Piece]) -> atoms.Pattern | None:
        """The pattern of resolved pieces, all known (``spec.patterns.compile_arn_like_pieces`` and
        ``spec.conditions._literal_like``)."""
        positive, family = clause.operator.positive, clause.operator.family
        if family == "arn":
            return arn_tokens(pieces)
        if positive == "StringLike" and not all(p for _, p in pieces):
            return tuple(t for text, pat in pieces for t in (atoms.glob(text) if pat else atoms.literal(text)))
        joined = "".join(t for t, _ in pieces)
        if positive == "StringLike":
            return atoms.glob(joined)
        return atoms.literal(joined)

    def _arn_pieces(self, pieces: list[strings.Piece], v: SymValue) -> z3.BoolRef:
        """ARN operators with symbolic substituted text. Approximation: that text is restricted to hold no ``:``,
        so that the six parts come from the policy text alone."""
        for t, _ in pieces:
            if not isinstance(t, str):
                self._restrict(t, _NO_COLON_TEXT)
        if len(pieces) == 1 and pieces[0] == ("*", True):
            return z3.BoolVal(True)
        parts: list[list[strings.Piece]] = [[]]
        for text, is_pattern in pieces:
            if isinstance(text, str):
                chunks = text.split(":")
                for i, chunk in enumerate(chunks):
                    if i and len(parts) < 6:
                        parts.append([])
                    elif i:
                        parts[-1].append((":", False))
                    if chunk:
                        parts[-1].append((chunk, is_pattern))
            else:
                parts[-1].append((text, False))
        if len(parts) != 6:
            return z3.BoolVal(False)
        regexes = [z3.Intersect(strings.glob_pieces(p), strings.NO_COLON) for p in parts[:5]]
        regexes.append(strings.glob_pieces(parts[5]))
        glued = [regexes[0]]
        for r in regexes[1:]:
            glued += [z3.Re(":"), r]
        return z3.InRe(v.mark_string(), z3.Concat(*glued))

    def _hits(self, clause: Clause) -> callable:
        """The positive tests of a value against the clause's policy values (``Clause.tests``)."""
        op = clause.operator
        patterns, tests, dynamic = [], [], []
        for t in clause.values:
            if op.variables and t.has_variables:
                dynamic.append(t)
            elif op.family in ("string", "arn"):
                pattern = conditions.value_pattern(clause, t.raw)
                variants = strings.case_variants(t.raw.lower()) if pattern == "ignore-case" else None
                if variants is not None:  # the few spellings that lower-case to the value
                    patterns += [atoms.literal(v) for v in variants]
                elif pattern == "ignore-case" and self.abstract:
                    tests.append(lambda v, raw=t.raw: z3.Bool(f"abstract.ignore_case[{raw.lower()}|{v.name}]")
                                 if v.symbolic else conditions.ignore_case_test(raw)(v))
                elif pattern == "ignore-case":
                    tests.append(conditions.ignore_case_test(t.raw))
                elif pattern is not None:
                    patterns.append(pattern)
            else:
                tests.append(conditions.typed_test(op.family, op.positive, t.raw))
        group = tuple(sorted(set(patterns)))

        def hits(v: SymValue) -> list[z3.BoolRef]:
            out = [v.member(group)] if group else []
            out += [test(v) for test in tests]
            out += [self._variable_test(clause, t, v) for t in dynamic]
            return out
        return hits

    def clause(self, clause: Clause) -> z3.BoolRef:
        key: SymKey = self.req.keys[clause.key]
        hits = (lambda _v: []) if clause.operator.family == "null" else self._hits(clause)
        return conditions.key_truth(clause, key, hits)

    def conditions(self, stmt: Statement) -> z3.BoolRef:
        return conditions.all_hold([self.clause(c) for c in stmt.conditions])

    # ---- Principal, statement, policy ----------------------------------------------------------------------
    def grant(self, stmt: Statement, bounded: bool = False) -> z3.ArithRef:
        """How the statement names the caller (``spec.statements.principal_grant``); identity-side statements
        apply to the principal they are attached to. Rule *NotPrincipal and boundaries*: "The NotPrincipal element
        with a Deny effect will always deny any IAM principal that has a permissions boundary policy attached"
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
        if stmt.principal is not None:
            return principals.grant_for(stmt.principal, self.req.caller)
        if stmt.not_principal is not None:
            if bounded and not stmt.allows:
                return z3.IntVal(principals.DIRECT)
            return z3.If(principals.not_principal_excludes(stmt.not_principal, self.req.caller),
                         principals.NONE, principals.DIRECT)
        return z3.IntVal(principals.DIRECT)

    def statement(self, stmt: Statement, bounded: bool = False) -> Applied:
        found = self._cache.get((id(stmt), bounded))
        if found is None or found.stmt is not stmt:
            grant = self.grant(stmt, bounded)
            action = action_applies(stmt.actions, stmt.not_action, self.req.action)
            # Elements that are already false (a concrete request) leave the rest unencoded.
            resource = self.resource(stmt) if not z3.is_false(action) else action
            conds = self.conditions(stmt) if not (z3.is_false(resource) or z3.is_false(action)) \
                else z3.BoolVal(False)
            applies = statement_applies(action, resource, grant, conds)
            found = Applied(stmt, applies, grant, stmt.allows)
            self._cache[(id(stmt), bounded)] = found
        return found

    def policy(self, policy: Policy, bounded: bool = False) -> list[Applied]:
        return [self.statement(s, bounded) for s in policy.statements]
