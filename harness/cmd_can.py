"""``iamspec can PRINCIPAL ACTION [RESOURCE] --details DETAILS.json``: can this principal of a real account do this?

DETAILS.json is the output of ``aws iam get-account-authorization-details`` (the dump PMapper and cloudsplaining
read). The principal's policies in force (its own, its groups', its boundary; for ``sts:AssumeRole`` the role's
trust policy) and the request context AWS would derive are evaluated by the model. Exit 0 when allowed, 1 when
denied, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

from spec.errors import IamError
from spec.identity.importer import can_do, load_authorization_details


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("can", help="can a principal of an imported account do an action on a resource?")
    p.add_argument("principal", help="a user or role ARN of the account")
    p.add_argument("action", help="service:Action")
    p.add_argument("resource", nargs="?", default="*", help="the resource ARN (default *)")
    p.add_argument("--details", required=True,
                   help="the JSON of `aws iam get-account-authorization-details`")
    p.add_argument("--context", action="append", default=[], metavar="KEY=VALUE",
                   help="a request-context key (repeatable; overrides what is derived)")
    p.add_argument("--explain", action="store_true", help="list the statements that applied")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    context: dict[str, str] = {}
    for item in args.context:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"error: --context takes KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        context[key] = value
    try:
        world = load_authorization_details(args.details)
        decision = can_do(world, args.principal, args.action, args.resource, context)
    except (IamError, OSError, ValueError) as err:
        code = err.code if isinstance(err, IamError) else "ValidationError"
        print(f"error {code}: {getattr(err, 'message', err)}", file=sys.stderr)
        return 2
    by = f" (decided by: {', '.join(decision.by)})" if decision.by else ""
    print(f"{decision.decision}{by}: {args.principal} -> {args.action} on {args.resource}")
    if decision.reason:
        print(f"because: {decision.reason}")
    if args.explain:
        for t in decision.trace:
            print(f"  {t.effect:5} {t.kind:8} {t.policy}.Statement[{t.statement}]" + (f" Sid={t.sid}" if t.sid else ""))
    return 0 if decision.decision == "Allow" else 1
