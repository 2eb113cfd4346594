"""The identity model: users, groups, roles, access keys, sessions and the clock, with the IAM, STS and S3 calls
as transitions of an immutable state (iam-semantics §1, §5, §6, §7).

Modules, one concept each:

- ``frozen``      the immutable mapping the state is built from (copy-on-write).
- ``clock``       the model's own clock: epoch seconds, ISO 8601.
- ``ids``         unique IDs (AIDA/AGPA/AROA/ANPA), access keys (AKIA/ASIA), secrets, tokens and ARNs.
- ``entities``    users, groups, roles, managed policies, sessions, buckets, accounts, the organization.
- ``state``       the world (accounts, sessions, buckets, clock) and lookups that raise ``NoSuchEntity``.
- ``managed``     AWS managed policies, lazily from ``data/managed-policies.jsonl.gz``.
- ``documents``   policy documents: JSON text, size quotas, principal unique IDs.
- ``shapes``      parameter validation (``ValidationError``), before any authorization.
- ``auth``        credentials -> the calling principal (``InvalidClientTokenId``, ``ExpiredToken``, ...).
- ``context``     the request context AWS derives (aws:username, aws:userid, aws:PrincipalArn, ...).
- ``authz``       the policies in force for a caller, and the decision of ``spec.authorize``.
- ``registry``    the table of operations: shape, checks, transition.
- ``iam_users``, ``iam_roles``, ``iam_inline``, ``iam_managed``, ``iam_attach``, ``iam_keys``, ``sts``, ``s3``:
  the operations.
- ``dispatch``    one call: authenticate, validate, authorize, transition.
- ``importer``    ``aws iam get-account-authorization-details`` JSON -> a world; "can X do Y on Z".

Scenarios (../shared/formats/scenario.md) are run by ``spec.scenario``.
"""
