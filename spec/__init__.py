"""iamspec's model of AWS IAM: what IAM means, in plain Python (no solver, no network).

Modules, one concept each:

- ``errors``      the refusal every layer raises: an AWS error code, a message and where.
- ``policy``      the policy grammar: parse and validate documents into immutable values.
- ``patterns``    IAM wildcards, action and resource matching, ARN segments.
- ``operators``   condition operators, one rule each.
- ``conditions``  a Condition block against a request context: IfExists, set qualifiers, missing keys.
- ``variables``   policy variables ``${key}``, defaults and unresolvable variables.
- ``principals``  the Principal/NotPrincipal element against a caller, and what kind of caller it is.
- ``request``     the request: principal, action, resource, context.
- ``authorize``   request + the policies in force -> Allow | ImplicitDeny | ExplicitDeny, with a trace.
- ``case``        decision cases (the JSON format of ../shared/formats/decision-case.md).
- ``decide``      one case line in, one answer line out.
"""
