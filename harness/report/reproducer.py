"""A short boto3 script that shows a divergence.

- A scenario becomes the calls themselves (``iam:CreateUser`` -> ``iam.create_user(**params)``), made against an
  endpoint given on the command line (the emulator under test; loopback by default), as root with the emulator's
  root credentials, then as the principals with the credentials the scenario saved. Each call prints its outcome
  beside the model's.
- A decision case becomes a call of IAM's policy simulator (``SimulateCustomPolicy``), which answers the same
  question about identity policies, a boundary, a resource policy and a request context without changing anything;
  it needs an AWS account, so it runs only when the user points it at one. SCPs, RCPs, session and VPC endpoint
  policies are beyond what that API takes, and the script says so.
"""

from __future__ import annotations

import json
import pprint
from typing import Any

from harness.report.results import Divergence

_SCENARIO_RUNNER = '''
import json, sys, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
ROOT = {"aws_access_key_id": sys.argv[2] if len(sys.argv) > 2 else "testing",
        "aws_secret_access_key": sys.argv[3] if len(sys.argv) > 3 else "testing"}
saved = {}

def creds(who):
    if who == "root":
        return dict(ROOT)
    if isinstance(who, dict):
        base = dict(saved.get(who.get("handle"), {}))
        base.update({k: v for k, v in who.items() if k != "handle"})
        return {"aws_access_key_id": base.get("AccessKeyId"), "aws_secret_access_key": base.get("SecretAccessKey"),
                "aws_session_token": base.get("SessionToken")}
    c = saved.get(who, {})
    return {"aws_access_key_id": c.get("AccessKeyId"), "aws_secret_access_key": c.get("SecretAccessKey"),
            "aws_session_token": c.get("SessionToken")}

def resolve(value):
    if isinstance(value, dict) and set(value) == {"$saved"}:
        handle, _, field = value["$saved"].partition(".")
        return saved[handle][field]
    if isinstance(value, dict) and ("Statement" in value or "Version" in value):
        return json.dumps(value)
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value

def flatten(result):
    out = dict(result)
    for key in ("AccessKey", "Credentials", "AssumedRoleUser"):
        out.update(result.get(key) or {})
    return out

for number, step in enumerate(STEPS):
    if "advance" in step:
        print(f"step {number}: wait {step['advance']} s (the emulator's clock must move on)")
        time.sleep(step["advance"])
        continue
    service, operation = step["call"].split(":")
    method = "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
    client = boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1",
                          config=Config(retries={"max_attempts": 0}), **creds(step["as"]))
    try:
        result = getattr(client, method)(**resolve(step.get("params") or {}))
        outcome = "ok"
        if step.get("save"):
            saved[step["save"]] = flatten(result)
    except ClientError as exc:
        outcome = {"error": exc.response["Error"]["Code"]}
    print(f"step {number}: {step['call']} as {step['as']!r}: {outcome!r}  (model: {step.get('expect')!r})")
'''


def scenario_script(scenario: dict, note: str) -> str:
    steps = pprint.pformat(scenario.get("steps", []), width=110, sort_dicts=False)
    return (f"# {note}\n# Usage: python repro.py [ENDPOINT_URL [ROOT_ACCESS_KEY_ID ROOT_SECRET]]\n"
            f"# Scenario {scenario.get('id')!r} (account {scenario.get('account')}).\n"
            f"STEPS = {steps}\n{_SCENARIO_RUNNER}")


_TYPES = {"string": "string", "stringList": "stringList", "numeric": "numeric", "boolean": "boolean", "date": "date",
          "ip": "ip", "binary": "binary"}


def case_script(case: dict, note: str) -> str:
    request = case.get("request") or {}
    types = request.get("context_types") or {}
    entries = []
    for key, value in (request.get("context") or {}).items():
        values = value if isinstance(value, list) else [value]
        kind = types.get(key, "stringList" if isinstance(value, list) else "string")
        if isinstance(value, list) and not kind.endswith("List"):
            kind += "List"
        entries.append({"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": kind})
    args: dict[str, Any] = {
        "PolicyInputList": [json.dumps(p) for p in (case.get("identity_policies") or []) + (case.get("group_policies") or [])],
        "ActionNames": [request.get("action")],
        "ResourceArns": [request.get("resource", "*")],
    }
    if case.get("permission_boundary") is not None:
        args["PermissionsBoundaryPolicyInputList"] = [json.dumps(case["permission_boundary"])]
    if case.get("resource_policy") is not None:
        args["ResourcePolicy"] = json.dumps(case["resource_policy"])
        owner = request.get("resource_account") or (str(request.get("principal") or "").split(":") + [""] * 5)[4]
        if owner:
            args["ResourceOwner"] = f"arn:aws:iam::{owner}:root"
    if request.get("principal") and str(request["principal"]).startswith("arn:"):
        args["CallerArn"] = request["principal"]
    if entries:
        args["ContextEntries"] = entries
    beyond = [k for k in ("scps", "rcps", "session_policy", "vpc_endpoint_policies") if case.get(k)]
    caveat = f"# Not expressible in SimulateCustomPolicy, so left out: {', '.join(beyond)}.\n" if beyond else ""
    return (f"# {note}\n# AWS's own policy simulator answers the same question (it changes nothing in the account).\n"
            f"# Run with credentials of an AWS account you choose; the model says {case.get('expected')!r}.\n"
            f"# Offline, the model's answer: iamspec decide case.jsonl  (the case below, one line)\n{caveat}"
            "import boto3\n\n"
            f"ARGS = {pprint.pformat(args, width=110, sort_dicts=False)}\n"
            "result = boto3.client('iam').simulate_custom_policy(**ARGS)\n"
            "for r in result['EvaluationResults']:\n"
            "    print(r['EvalActionName'], r['EvalResourceName'], r['EvalDecision'])\n")


def reproducer(d: Divergence) -> str:
    note = f"{d.id}: {d.feature} ({d.kind}); model {json.dumps(d.model)}, target {json.dumps(d.target)}"
    if d.scenario is not None:
        return scenario_script(d.scenario, note)
    if d.case is not None:
        return case_script(d.case, note)
    return f"# {note}\n"
