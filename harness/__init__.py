"""iamspec's harness: holding other IAM implementations to the model (targets, generators, conformance, reports, CLI)."""
