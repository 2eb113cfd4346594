"""The entities of one AWS account and of STS, as immutable values (iam-semantics.md §1, §5, §6).

- users hold long-term access keys (``AKIA``, at most 2, Active or Inactive), group memberships, inline and
  attached managed policies, at most one permissions boundary and tags
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users.html);
- groups hold users only and policies; they are never nested and never a principal
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html);
- roles hold a trust policy, ``MaxSessionDuration``, policies, a boundary and tags, and never credentials
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html) -- there is no field where a
  role's key could be kept, so "a role holds no long-term key" holds by construction;
- customer managed policies keep up to 5 versions and a default one
  (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html);
- sessions are temporary credentials (``ASIA``) with an expiry
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_Credentials.html).

Names are kept as written; the maps of an account are keyed by the lower-cased name, because names are unique
without regard to case (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from spec.identity.frozen import EMPTY, FrozenMap

Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AccessKey:
    """A long-term access key of a user or of the root user."""

    key_id: str
    secret: str
    status: str  # "Active" | "Inactive"
    created: int


@dataclass(frozen=True)
class Document:
    """A stored policy document: its JSON text as given, and for resource-based policies (trust, bucket) the
    unique ID of every IAM user or role its ``Principal`` named when it was saved.

    "If your Principal element in a role trust policy contains an ARN that points to a specific IAM role, then that
    ARN transforms to the role unique principal ID when you save the policy"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""

    text: str
    principal_ids: FrozenMap[str, str] = EMPTY


@dataclass(frozen=True)
class User:
    name: str
    path: str
    user_id: str
    arn: str
    created: int
    groups: tuple[str, ...] = ()  # lower-cased group names, in the order joined
    inline: FrozenMap[str, str] = EMPTY  # inline policy name -> document text
    attached: tuple[str, ...] = ()  # managed policy ARNs, in the order attached
    boundary: str | None = None  # managed policy ARN
    keys: tuple[AccessKey, ...] = ()
    tags: Tags = ()


@dataclass(frozen=True)
class Group:
    name: str
    path: str
    group_id: str
    arn: str
    created: int
    inline: FrozenMap[str, str] = EMPTY
    attached: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    name: str
    path: str
    role_id: str
    arn: str
    created: int
    trust: Document
    max_session: int = 3600
    description: str | None = None
    inline: FrozenMap[str, str] = EMPTY
    attached: tuple[str, ...] = ()
    boundary: str | None = None
    tags: Tags = ()


@dataclass(frozen=True)
class PolicyVersion:
    version_id: str  # "v1", "v2", ...
    text: str
    created: int


@dataclass(frozen=True)
class ManagedPolicy:
    """A customer managed policy (AWS managed ones are read from the bundled corpus, see ``managed``)."""

    name: str
    path: str
    policy_id: str
    arn: str
    created: int
    updated: int
    versions: tuple[PolicyVersion, ...]
    default: str
    next_version: int
    description: str | None = None
    tags: Tags = ()

    def document(self, version_id: str | None = None) -> str:
        """The text of a version (the default one unless named)."""
        wanted = version_id or self.default
        return next(v.text for v in self.versions if v.version_id == wanted)


@dataclass(frozen=True)
class Session:
    """Temporary credentials issued by STS: a role session (AssumeRole), or a user's or the root user's
    GetSessionToken session."""

    key_id: str
    secret: str
    token: str
    kind: str  # "role" | "user" | "root"
    account: str  # the account of the role or user
    entity_id: str  # role ID (AROA...) or user ID (AIDA...): sessions follow the entity, not its name
    entity_name: str
    arn: str  # the caller ARN: assumed-role session ARN, or the user's ARN
    session_name: str | None
    issued: int
    expires: int
    policies: tuple[str, ...] = ()  # session policies: the inline one, then those passed by ARN (texts at issue)
    policy_arns: tuple[str, ...] = ()
    source_identity: str | None = None
    tags: Tags = ()  # session tags passed to AssumeRole, with the incoming transitive ones
    transitive: tuple[str, ...] = ()  # lower-cased keys of tags that pass down a role chain
    chained: bool = False  # made by role chaining: AssumeRole called with temporary credentials
    mfa: bool = False  # MFA information was included when the session was requested


@dataclass(frozen=True)
class Bucket:
    name: str
    owner: str  # account ID
    created: int
    policy: Document | None = None
    objects: FrozenMap[str, str] = EMPTY  # key -> body


@dataclass(frozen=True)
class Account:
    account_id: str
    users: FrozenMap[str, User] = EMPTY
    groups: FrozenMap[str, Group] = EMPTY
    roles: FrozenMap[str, Role] = EMPTY
    policies: FrozenMap[str, ManagedPolicy] = EMPTY  # lower-cased policy name -> customer managed policy
    root_keys: tuple[AccessKey, ...] = ()


@dataclass(frozen=True)
class Organization:
    """SCPs per member account, the organization tree as levels root first, each level a tuple of document texts
    (the ``scps`` shape of ../shared/formats/decision-case.md). The management account is exempt
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)."""

    management: str | None
    scps: FrozenMap[str, tuple[tuple[str, ...], ...]] = EMPTY
