"""The identity state's building blocks: immutability, identifiers, ARNs, the clock.

Prefixes and shapes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes
(AIDA user, AGPA group, AROA role, ANPA policy, AKIA long-term key, ASIA temporary key; unique IDs such as
``AIDACKCEVSQ6C2EXAMPLE`` are 21 characters and access key IDs such as ``AKIAIOSFODNN7EXAMPLE`` 20), ARNs:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns.
"""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest

from spec.errors import IamError
from spec.identity import ids
from spec.identity.clock import check_advance, iso, parse_iso
from spec.identity.entities import User
from spec.identity.frozen import FrozenMap
from spec.identity.managed import aws_managed_policy
from spec.identity.state import find_user, new_world


def test_frozen_map_cannot_be_changed_in_place() -> None:
    m = FrozenMap({"a": 1})
    with pytest.raises(TypeError):
        m["b"] = 2  # type: ignore[index]
    with pytest.raises(AttributeError):
        m._data = {}  # type: ignore[misc]
    assert not hasattr(m, "update") and not hasattr(m, "pop")


def test_frozen_map_set_and_remove_return_new_maps() -> None:
    m = FrozenMap({"a": 1})
    n = m.set("b", 2)
    assert dict(m) == {"a": 1} and dict(n) == {"a": 1, "b": 2}
    assert dict(n.remove("a")) == {"b": 2} and dict(n) == {"a": 1, "b": 2}
    assert FrozenMap({"x": 1}) == FrozenMap({"x": 1}) and hash(FrozenMap({"x": 1})) == hash(FrozenMap({"x": 1}))
    assert list(FrozenMap([("b", 1), ("a", 2)])) == ["b", "a"]


def test_entities_are_frozen() -> None:
    user = User("u", "/", "AIDA", "arn", 0)
    with pytest.raises(FrozenInstanceError):
        user.name = "v"  # type: ignore[misc]


@pytest.mark.parametrize(("prefix", "length"), [(ids.USER, 21), (ids.GROUP, 21), (ids.ROLE, 21), (ids.POLICY, 21),
                                                (ids.LONG_TERM_KEY, 20), (ids.TEMPORARY_KEY, 20)])
def test_identifier_prefixes_and_lengths(prefix: str, length: int) -> None:
    values = {ids.unique_id(prefix, n) for n in range(200)}
    assert len(values) == 200
    for value in values:
        assert value.startswith(prefix) and len(value) == length and re.fullmatch(r"[A-Z0-9]+", value)


def test_secret_and_token_shapes() -> None:
    assert len(ids.secret_key(1)) == 40 and ids.secret_key(1) != ids.secret_key(2)
    assert ids.session_token(1) != ids.session_token(2) and len(ids.session_token(1)) < 4096


def test_arns() -> None:
    assert ids.user_arn("123456789012", "/division_abc/subdivision_xyz/", "Bob") == \
        "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"
    assert ids.role_arn("123456789012", "/", "R") == "arn:aws:iam::123456789012:role/R"
    assert ids.session_arn("123456789012", "R", "s") == "arn:aws:sts::123456789012:assumed-role/R/s"
    assert ids.parse_iam_arn("arn:aws:iam::123456789012:user/a/b/Bob") == ("123456789012", "user", "/a/b/", "Bob")
    assert ids.parse_iam_arn("arn:aws:iam::123456789012:root") is None
    assert ids.parse_iam_arn("arn:aws:s3:::bucket") is None
    assert ids.parse_session_arn("arn:aws:sts::123456789012:assumed-role/R/s") == ("123456789012", "R", "s")
    assert ids.parse_session_arn("arn:aws:iam::123456789012:role/R") is None


def test_clock() -> None:
    assert iso(0) == "1970-01-01T00:00:00Z"
    assert parse_iso("2026-01-01T00:00:00Z") == 1_767_225_600 == parse_iso("2026-01-01T00:00:00+00:00")
    assert check_advance(5) == 5
    for bad in (-1, 1.5, "10", True):
        with pytest.raises(IamError):
            check_advance(bad)
    with pytest.raises(IamError):
        parse_iso("yesterday")


def test_lookups_ignore_case() -> None:
    """Names are unique without regard to case (reference_iam-quotas.html), so lookups find either spelling."""
    world = new_world("123456789012")
    account = world.account("123456789012")
    account = type(account)(account.account_id, account.users.set("alice", User("Alice", "/", "AIDA1", "arn", 0)))
    assert find_user(account, "ALICE").name == "Alice"
    with pytest.raises(IamError) as err:
        find_user(account, "bob")
    assert err.value.code == "NoSuchEntity"
    with pytest.raises(IamError):
        world.account("999999999999")


def test_aws_managed_policies_are_bundled() -> None:
    policy = aws_managed_policy("arn:aws:iam::aws:policy/AdministratorAccess")
    assert policy is not None and policy.name == "AdministratorAccess"
    assert '"Action": "*"' in policy.document()
    assert aws_managed_policy("arn:aws:iam::aws:policy/DoesNotExist") is None
    assert aws_managed_policy("arn:aws:iam::123456789012:policy/AdministratorAccess") is None
