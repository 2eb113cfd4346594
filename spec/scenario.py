"""The model's executor of scenarios (../shared/formats/scenario.md): a sequence of IAM, STS and S3 calls run on the
identity state machine, one outcome per step.

``run_scenario(scenario) -> list[dict]``: per step ``{"ok": true, "result": {...}}`` (the response AWS returns),
``{"ok": false, "error": "CODE"}`` (AWS's error code), ``{"ok": true, "result": {"advanced": N}}`` for ``advance``
steps, or ``{"crash": "..."}`` if the model itself failed (a bug: never counted as agreement).

How the format's keys are read here:

- ``as``: ``"root"`` is the root user of the scenario's ``account``; ``"root@ACCOUNT"`` the root user of one of the
  further ``accounts`` (model extension, for cross-account set-up); a handle is the credentials a ``save`` kept;
  ``{"handle": H, "SecretAccessKey": "wrong", "SessionToken": null}`` is H's credentials with those fields replaced
  (``null`` removes one); an object without ``handle`` is literal credentials. ``null`` (or a handle that holds no
  credentials because its step failed) is a request without credentials: IAM and STS refuse it with
  ``MissingAuthenticationToken``, S3 evaluates it as an anonymous request.
- ``save``: the response is kept under the handle, flattened one level (``CreateAccessKey``'s
  ``AccessKey.AccessKeyId`` is also ``AccessKeyId``; ``AssumeRole``'s ``Credentials.*`` and ``AssumedRoleUser.Arn``
  likewise), so ``{"$saved": "alice.AccessKeyId"}`` and ``{"$saved": "s.Arn"}`` work; dotted paths
  (``"alice.AccessKey.AccessKeyId"``) too. A reference to a handle never saved fails the step (``ValidationError``).
- ``organization`` (model extension): ``{"management_account": "...", "scps": {"ACCOUNT": [{"level": "r-root",
  "policies": [doc, ...]}, ...]}}``, the SCP levels over each member account in the shape of
  ../shared/formats/decision-case.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from spec.errors import IamError
from spec.identity.clock import DEFAULT_START, check_advance
from spec.identity.dispatch import ROOT, invoke
from spec.identity.documents import as_text, parsed
from spec.identity.entities import Organization
from spec.identity.frozen import FrozenMap
from spec.identity.state import World, new_world
from spec.policy import PolicyKind

_ACCOUNT = re.compile(r"^\d{12}$")
CREDENTIAL_FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken")


def load_scenarios(path: str | Path) -> list[dict]:
    """The scenarios of a ``.json`` file (one scenario, or a list) or a ``.jsonl`` file (one per line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise IamError("ValidationError", f"cannot read {path}: {exc.strerror}", str(path)) from None
    if path.suffix == ".jsonl":
        out = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                out.append(_json(line, f"{path}:{number}"))
    else:
        data = _json(text, str(path))
        out = data if isinstance(data, list) else [data]
    for i, scenario in enumerate(out):
        if not isinstance(scenario, dict):
            raise IamError("ValidationError", "a scenario must be a JSON object", f"{path}[{i}]")
    return out


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise IamError("ValidationError", f"not JSON: {exc}", where) from None


def _organization(raw: Any) -> Organization | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("scps", {}), dict):
        raise IamError("ValidationError", "organization must be {management_account, scps}", "organization")
    scps = {}
    for account, levels in raw.get("scps", {}).items():
        if not isinstance(levels, list):
            raise IamError("ValidationError", "SCP levels must be a list", f"organization.scps.{account}")
        texts = []
        for i, level in enumerate(levels):
            docs = level.get("policies") if isinstance(level, dict) else None
            if not isinstance(docs, list):
                raise IamError("ValidationError", "a level is {level, policies}", f"organization.scps.{account}[{i}]")
            for j, doc in enumerate(docs):
                try:
                    parsed(as_text(doc), PolicyKind.SCP)
                except IamError as err:
                    raise err.at(f"organization.scps.{account}[{i}].policies[{j}]") from None
            texts.append(tuple(as_text(d) for d in docs))
        scps[account] = tuple(texts)
    return Organization(raw.get("management_account"), FrozenMap(scps))


def start_world(scenario: dict, start: int | None = None) -> World:
    """The empty world a scenario starts from (``ValidationError`` if its accounts are not 12-digit IDs)."""
    if not isinstance(scenario, dict):
        raise IamError("ValidationError", "a scenario must be a JSON object")
    account = scenario.get("account")
    others = scenario.get("accounts") or []
    if not isinstance(others, list):
        raise IamError("ValidationError", "accounts must be a list", "accounts")
    for where, value in [("account", account)] + [(f"accounts[{i}]", a) for i, a in enumerate(others)]:
        if not isinstance(value, str) or not _ACCOUNT.match(value):
            raise IamError("ValidationError", "an account is a 12-digit ID", where)
    others = tuple(a for a in dict.fromkeys(others) if a != account)
    return new_world(account, others, DEFAULT_START if start is None else start,
                     _organization(scenario.get("organization")))


def _lookup(saved: dict[str, dict], ref: Any) -> Any:
    if not isinstance(ref, str) or "." not in ref:
        raise IamError("ValidationError", f"$saved must be \"HANDLE.FIELD\", got {ref!r}")
    handle, _, field = ref.partition(".")
    if handle not in saved:
        raise IamError("ValidationError", f"no step saved the handle {handle!r}")
    record = saved[handle]
    if field in record:
        return record[field]
    value: Any = record
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            raise IamError("ValidationError", f"the step saved as {handle!r} returned no field {field!r}")
        value = value[part]
    return value


def substitute(value: Any, saved: dict[str, dict]) -> Any:
    """``{"$saved": "H.FIELD"}`` anywhere in the parameters, replaced by that saved field."""
    if isinstance(value, dict):
        if set(value) == {"$saved"}:
            return _lookup(saved, value["$saved"])
        return {k: substitute(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    return value


def _credentials(record: dict | None) -> dict | None:
    if record is None or "AccessKeyId" not in record:
        return None
    return {k: record[k] for k in CREDENTIAL_FIELDS if k in record}


def resolve_as(who: Any, saved: dict[str, dict]) -> tuple[Any, str | None]:
    """(credentials for ``dispatch.invoke``, the root's account or ``None``) for a step's ``as``."""
    if who == ROOT:
        return ROOT, None
    if isinstance(who, str) and who.startswith("root@"):
        return ROOT, who[len("root@"):]
    if who is None or isinstance(who, str):
        return _credentials(saved.get(who)) if who is not None else None, None
    if isinstance(who, dict):
        base = dict(_credentials(saved.get(who["handle"])) or {}) if "handle" in who else {}
        for key, value in who.items():
            if key == "handle":
                continue
            if value is None:
                base.pop(key, None)
            else:
                base[key] = value
        return base, None
    raise IamError("ValidationError", f"as must be \"root\", a handle or an object, got {who!r}")


def _saved_record(result: dict) -> dict:
    record = dict(result)
    for value in result.values():
        if isinstance(value, dict):
            for key, inner in value.items():
                record.setdefault(key, inner)
    return record


def run_step(world: World, step: Any, saved: dict[str, dict]) -> tuple[World, dict]:
    """One step: the new world and its outcome. ``IamError`` becomes ``{"ok": false, "error": code}``."""
    if not isinstance(step, dict):
        raise IamError("ValidationError", "a step must be an object")
    if "advance" in step:
        seconds = check_advance(step["advance"])
        return replace(world, now=world.now + seconds), {"ok": True, "result": {"advanced": seconds}}
    if not isinstance(step.get("call"), str):
        raise IamError("ValidationError", "a step needs \"call\" (service:Operation) or \"advance\"")
    credentials, account = resolve_as(step.get("as"), saved)
    params = substitute(step.get("params") or {}, saved)
    world, result = invoke(world, credentials, step["call"], params, account)
    if isinstance(step.get("save"), str):
        saved[step["save"]] = _saved_record(result)
    return world, {"ok": True, "result": result}


def run_scenario(scenario: dict, start: int | None = None, messages: bool = False) -> list[dict]:
    """Run every step of ``scenario`` on a fresh model; one outcome per step, in order.

    ``start`` sets the clock (epoch seconds; default 2026-01-01T00:00:00Z). ``messages=True`` adds AWS's message
    to error outcomes (``"message"``), beyond the format's keys. A scenario that is not well formed as a whole
    (accounts, organization) raises ``IamError``; a step that is not well formed fails alone."""
    world = start_world(scenario, start)
    steps = scenario.get("steps")
    if not isinstance(steps, list):
        raise IamError("ValidationError", "steps must be a list", "steps")
    saved: dict[str, dict] = {}
    outcomes = []
    for step in steps:
        try:
            world, outcome = run_step(world, step, saved)
        except IamError as err:
            outcome = {"ok": False, "error": err.code}
            if messages:
                outcome["message"] = err.message
        except Exception as exc:  # a fault of the model, reported, never passed off as an AWS answer
            outcome = {"crash": f"{type(exc).__name__}: {exc}"}
        outcomes.append(outcome)
    return outcomes


def expectation_met(expect: Any, outcome: dict) -> bool:
    """Whether an outcome meets a step's ``expect`` (``"ok"`` or ``{"error": CODE}``); no ``expect``: met."""
    if expect is None:
        return "crash" not in outcome
    if expect == "ok":
        return outcome.get("ok") is True
    if isinstance(expect, dict) and "error" in expect:
        return outcome.get("ok") is False and outcome.get("error") == expect["error"]
    return False
