"""iamspec's Z3 encoding of the model (``spec``): the same semantics as formulas, named invariants with proofs, and
questions about policies answered with witnesses replayed through the model. Imports ``spec`` and ``z3`` only.

The request and its parts:

- ``request``     the symbolic request (action, resource, caller, resource account, context keys) or a concrete one.
- ``strvar``      a string of the request: matched against pattern lists, solved over atoms or as a Z3 string.
- ``tokens``      IAM globs and ArnLike patterns as tokens; containment and minimisation of pattern lists.
- ``atoms``       the finitely many regions of a string over pattern lists (a shared-prefix automaton walk).
- ``strings``     Z3 strings and regular expressions: exact constants, globs, case-insensitive values, alphabets.
- ``caller``      the caller's kind from its principal string; how Principal/NotPrincipal name it.
- ``who``         any caller as a choice among representatives of what the policies can tell apart.
- ``context``     context keys: presence, single value or bounded list; the keys a query needs.
- ``values``      a context value's readings (number, date, IP as 128-bit vector, boolean, bytes).

The semantics:

- ``conditions``  condition operators, missing keys, IfExists, set operators (rule combinators over Z3 terms).
- ``pieces``      patterns with policy variables.
- ``encode``      statements and policies over a request.
- ``decision``    the layers and the decision across every policy kind (rule functions over layer results).
- ``concrete``    the encoding evaluated on one concrete request (checked against the model by the tests).

Proofs:

- ``world``               symbolic worlds: any caller kind, any outcome of each layer.
- ``invariants``          named decision-level invariants; ``role_invariants`` assuming roles and sessions;
  ``clause_invariants`` statement and condition ones.
- ``transitions``         IAM/STS identity operations as a transition relation; inductive invariants.
- ``prove``               PROVED / REFUTED (with a replayed counterexample) / UNKNOWN, per invariant.
- ``counterexample``      a refuting world as a decision case, replayed.
- ``mutants``, ``mutant_patches``, ``mutation``   deliberately wrong semantics and the kill-rate runner.

Questions:

- ``compare``     two policies: equivalent / more / less / incomparable, with replayed witnesses; ``slicing`` keeps
  the statements a witness can meet.
- ``questions``   check-no-new-access, always-allows, always-denies, is-public; ``assume`` who-can-assume.
- ``witness``     decoding a Z3 model into a decision-case request, and replaying it (a witness that does not replay
  raises ``WitnessError``).
"""
