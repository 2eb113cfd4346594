"""The whole identity state: accounts, STS sessions, S3 buckets, the organization and the clock.

``World`` is a value. Every operation maps a world to a new world (or raises ``IamError`` and the caller keeps the
old one), so "a failed operation changes nothing" holds by construction and is checked by the stateful tests.
Lookups raise AWS's ``NoSuchEntity`` with AWS's message (IAM API Reference, Common Errors and each operation's
Errors section, https://docs.aws.amazon.com/IAM/latest/APIReference/).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spec.errors import IamError
from spec.identity.clock import DEFAULT_START
from spec.identity.entities import (
    AccessKey,
    Account,
    Bucket,
    Group,
    ManagedPolicy,
    Organization,
    Role,
    Session,
    User,
)
from spec.identity.frozen import EMPTY, FrozenMap


@dataclass(frozen=True)
class World:
    accounts: FrozenMap[str, Account]
    main: str  # the scenario's account
    now: int = DEFAULT_START
    serial: int = 0  # feeds the deterministic ID generator
    sessions: FrozenMap[str, Session] = EMPTY  # access key ID -> session
    buckets: FrozenMap[str, Bucket] = EMPTY
    org: Organization | None = None
    aws_policies: FrozenMap[str, ManagedPolicy] = EMPTY  # AWS managed policies imported with an account, by ARN

    def account(self, account_id: str) -> Account:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise IamError("NoSuchEntity", f"account {account_id} is not part of this model") from None

    def with_account(self, account: Account) -> World:
        return replace(self, accounts=self.accounts.set(account.account_id, account))

    def next_serial(self) -> tuple[World, int]:
        """A fresh serial number for an identifier, and the world that remembers it was used."""
        return replace(self, serial=self.serial + 1), self.serial + 1


def new_world(main: str, others: tuple[str, ...] = (), start: int = DEFAULT_START,
              org: Organization | None = None) -> World:
    """An empty world: the given accounts with no users, groups, roles or policies; the clock at ``start``."""
    accounts = FrozenMap((a, Account(a)) for a in (main, *others))
    return World(accounts=accounts, main=main, now=start, org=org)


def find_user(account: Account, name: str) -> User:
    """The user named ``name``; names are matched without regard to case, as they are unique that way."""
    user = account.users.get(name.lower())
    if user is None:
        raise IamError("NoSuchEntity", f"The user with name {name} cannot be found.")
    return user


def find_group(account: Account, name: str) -> Group:
    group = account.groups.get(name.lower())
    if group is None:
        raise IamError("NoSuchEntity", f"The group with name {name} cannot be found.")
    return group


def find_role(account: Account, name: str) -> Role:
    role = account.roles.get(name.lower())
    if role is None:
        raise IamError("NoSuchEntity", f"The role with name {name} cannot be found.")
    return role


def find_customer_policy(account: Account, arn: str) -> ManagedPolicy:
    """A customer managed policy by its exact ARN (path and name as stored)."""
    name = arn.rsplit("/", 1)[-1]
    policy = account.policies.get(name.lower())
    if policy is None or policy.arn != arn:
        raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return policy


def role_by_id(world: World, account_id: str, role_id: str) -> Role | None:
    """The role with this unique ID, if it still exists (a role deleted and re-created has a new ID)."""
    account = world.accounts.get(account_id)
    if account is None:
        return None
    return next((r for r in account.roles.values() if r.role_id == role_id), None)


def user_by_id(world: World, account_id: str, user_id: str) -> User | None:
    account = world.accounts.get(account_id)
    if account is None:
        return None
    return next((u for u in account.users.values() if u.user_id == user_id), None)


def find_access_key(world: World, key_id: str) -> tuple[str, User | None, AccessKey] | None:
    """The owner of a long-term key: (account, user or ``None`` for the root user, key)."""
    for account in world.accounts.values():
        for key in account.root_keys:
            if key.key_id == key_id:
                return account.account_id, None, key
        for user in account.users.values():
            for key in user.keys:
                if key.key_id == key_id:
                    return account.account_id, user, key
    return None


def entity_by_arn(world: World, arn: str) -> User | Role | None:
    """The user or role a principal ARN names right now, matched exactly (the ARN's case and path as stored)."""
    from spec.identity.ids import parse_iam_arn

    parsed = parse_iam_arn(arn)
    if parsed is None or parsed[1] not in ("user", "role"):
        return None
    account = world.accounts.get(parsed[0])
    if account is None:
        return None
    table = account.users if parsed[1] == "user" else account.roles
    entity = table.get(parsed[3].lower())
    return entity if entity is not None and entity.arn == arn else None
