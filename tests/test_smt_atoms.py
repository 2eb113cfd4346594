"""Atoms of a string variable (spec.smt.atoms) against brute force: every atom's example really has the atom's
vector (which patterns lists it matches), and every vector that some short string has is an atom.

The expectation is computed here by Python's ``re`` on the glob semantics of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html (``*`` any sequence,
``?`` one character) and of ArnLike (each of the six colon-separated parts matched separately,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
"""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from spec.smt import atoms

ALPHABET = "ab:"


def _regex(glob: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob), re.DOTALL)


def _arn_match(pattern: str, value: str) -> bool:
    if pattern == "*":
        return True
    p, v = pattern.split(":", 5), value.split(":", 5)
    return len(p) == 6 and len(v) == 6 and all(_regex(x).fullmatch(y) for x, y in zip(p, v, strict=True))


def _matches(kind: str, pattern: str, s: str) -> bool:
    return _arn_match(pattern, s) if kind == "arn" else _regex(pattern).fullmatch(s) is not None


globs = st.text(alphabet="ab:*?", min_size=0, max_size=5)
lists = st.lists(st.tuples(st.sampled_from(["glob", "glob", "arn"]), st.lists(globs, min_size=1, max_size=3)),
                 min_size=1, max_size=4)


def _tokens(kind: str, pattern: str) -> atoms.Pattern | None:
    return atoms.arn_like(pattern) if kind == "arn" else atoms.glob(pattern)


@settings(max_examples=int(__import__("os").environ.get("IAMSPEC_ATOMS_EXAMPLES", "150")), deadline=None)
@given(lists)
def test_atoms_match_brute_force(spec: list) -> None:
    token_lists = []
    for kind, pats in spec:
        token_lists.append(tuple(t for p in pats if (t := _tokens(kind, p)) is not None))
    got = atoms.compute(token_lists, "text")
    if got is None:  # a region seen only through literal patterns: the caller falls back to Z3 strings
        return

    def vector(s: str) -> tuple[bool, ...]:
        return tuple(any(_matches(kind, p, s) for p in pats if _tokens(kind, p) is not None) for kind, pats in spec)

    for vec, example in zip(got.vectors, got.examples, strict=True):
        assert vector(example) == vec, (example, vec)
    seen = {vector("".join(chars)) for n in range(0, 7) for chars in itertools.product(ALPHABET, repeat=n)}
    assert seen <= set(got.vectors), seen - set(got.vectors)


def test_typical_lists_have_atoms() -> None:
    resources = [(atoms.glob("arn:aws:ec2:*:*:instance/*"), atoms.glob("arn:aws:ec2:*:*:volume/*")),
                 (atoms.glob("arn:aws:s3:::b/*"),), (atoms.glob("*"),), (atoms.literal("arn:aws:s3:::b/k"),)]
    got = atoms.compute(resources, "any")
    assert got is not None and (False, False, True, False) in got.vectors
    assert (False, True, True, True) in got.vectors and (True, False, True, False) in got.vectors


def test_action_shape_and_case() -> None:
    got = atoms.compute([(atoms.glob("s3:get*"),), (atoms.glob("s3:getobject"),)], "action")
    assert got is not None
    for example in got.examples:
        service, sep, name = example.partition(":")
        assert sep and service and name and ":" not in name and example == example.lower()
    assert (True, True) in got.vectors and (True, False) in got.vectors and (False, False) in got.vectors
