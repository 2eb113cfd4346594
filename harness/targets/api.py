"""Runs a scenario (``formats/scenario.md``) through real boto3 clients against one API-level target.

The runner is shared by every API-level target; what differs between them (where requests go, who root is, how
state is wiped, whether enforcement must be switched off for root) is a :class:`Backend`. Each step becomes one
outcome: ``{"ok": true, "result": {...}}``, ``{"ok": false, "error": CODE}`` (a ``ClientError`` below HTTP 500),
``{"crash": ...}`` (any other exception, a 5xx, a timeout) or ``{"unsupported": ...}`` (an ``advance`` on a target
without a clock, and every step after it; a step whose credentials were never saved; an operation boto3 lacks).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from contextlib import AbstractContextManager
from typing import Any, Protocol

from harness.targets.guard import CallTimeout, call_with_timeout

Creds = dict[str, str]


class Backend(Protocol):
    """What the runner needs from a target."""

    name: str
    timeout: float
    has_clock: bool

    def reset(self, account: str) -> None: ...

    def root_credentials(self, account: str) -> Creds: ...

    def client(self, service: str, creds: Creds | None, as_root: bool, account: str) -> Any: ...

    def enforcement(self, as_root: bool) -> AbstractContextManager: ...


class StepFailed(Exception):
    """A step that cannot be sent at all; ``outcome`` is what it yields."""

    def __init__(self, outcome: dict) -> None:
        super().__init__(str(outcome))
        self.outcome = outcome


def iso(value: dt.datetime) -> str:
    """A timestamp as AWS writes it on the wire: UTC, ISO 8601, seconds, ``Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def jsonable(value: Any) -> Any:
    """A boto3 response value as plain JSON: timestamps as ISO strings, bytes as text (or base64), bodies read."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "read") and callable(value.read):  # a streaming body
        return jsonable(value.read(1 << 20))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


CREDENTIAL_FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken")


def saved_record(result: dict) -> dict:
    """What ``save`` keeps of a response: its fields, and those of its nested objects one level down (so
    ``CreateAccessKey``'s ``AccessKey.AccessKeyId`` is also ``AccessKeyId``), as the model's executor keeps them."""
    record = dict(result)
    for value in result.values():
        if isinstance(value, dict):
            for key, inner in value.items():
                record.setdefault(key, inner)
    return record


def _credentials_in(record: dict | None) -> Creds | None:
    """The credentials a saved response holds (``CreateAccessKey``, ``AssumeRole``, ...), or ``None``."""
    if not record or not record.get("AccessKeyId"):
        return None
    return {k: str(record[k]) for k in CREDENTIAL_FIELDS if record.get(k)}


def _lookup(path: list[str], value: Any) -> Any:
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(part)
    return value


class ScenarioRun:
    """The state of one scenario run: saved handles and the account."""

    def __init__(self, backend: Backend, scenario: dict) -> None:
        self.backend = backend
        self.scenario = scenario
        self.account = str(scenario.get("account") or "123456789012")
        self.saved: dict[str, dict[str, Any]] = {}  # handle -> saved_record of the response

    # -- references -----------------------------------------------------------------------------------------------
    def saved_field(self, ref: str) -> Any:
        handle, _, field = ref.partition(".")
        if handle not in self.saved or not field:
            raise StepFailed({"unsupported": f"$saved {ref!r}: no step saved the handle {handle!r}"})
        record = self.saved[handle]
        if field in record:
            return record[field]
        try:
            return _lookup(field.split("."), record)
        except KeyError:
            raise StepFailed({"unsupported": f"$saved {ref!r}: the saved response has no field {field!r}"}) from None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"$saved"} and isinstance(value["$saved"], str):
                return self.saved_field(value["$saved"])
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def credentials(self, who: Any) -> tuple[Creds | None, str | None]:
        """(credentials or ``None`` for an unsigned request, the account whose root calls or ``None``) for ``as``.

        ``"root"`` is the root of the scenario's account, ``"root@ACCOUNT"`` that of another account (the model's
        extension for cross-account set-up); a handle whose step failed, or ``null``, sends no credentials at all.
        """
        if who == "root":
            return self.backend.root_credentials(self.account), self.account
        if isinstance(who, str) and who.startswith("root@"):
            account = who[len("root@"):]
            return self.backend.root_credentials(account), account
        if who is None or isinstance(who, str):
            return (_credentials_in(self.saved.get(who)) if who is not None else None), None
        if isinstance(who, dict):
            base: Creds = {}
            if "handle" in who:
                base = dict(_credentials_in(self.saved.get(who["handle"])) or {})
            for key, value in who.items():
                if key == "handle":
                    continue
                if value is None:
                    base.pop(key, None)
                else:
                    base[key] = str(self.resolve(value))
            return base, None
        raise StepFailed({"unsupported": f"'as' must be \"root\", a handle or an object, not {who!r}"})

    # -- one step -------------------------------------------------------------------------------------------------
    def params_for(self, client: Any, operation: str, params: Any) -> dict:
        params = self.resolve(params or {})
        if not isinstance(params, dict):
            raise StepFailed({"unsupported": "'params' must be an object"})
        shape = client.meta.service_model.operation_model(operation).input_shape
        members = shape.members if shape is not None else {}
        out = {}
        for name, value in params.items():
            member = members.get(name)
            if isinstance(value, dict | list) and member is not None and member.type_name == "string":
                value = json.dumps(value)  # a policy document given as a JSON object is sent as its JSON text
            out[name] = value
        return out

    def step(self, step: dict) -> dict:
        call = step.get("call")
        if not isinstance(call, str) or ":" not in call:
            return {"unsupported": f"'call' must be 'service:Operation', not {call!r}"}
        service, operation = call.split(":", 1)
        creds, root_account = self.credentials(step.get("as"))
        as_root = root_account is not None
        client = self.backend.client(service.lower(), creds, as_root, root_account or self.account)
        if operation not in client.meta.service_model.operation_names:
            return self.send_unknown(client, service, operation, step, as_root)
        import botocore

        method = getattr(client, botocore.xform_name(operation))
        params = self.params_for(client, operation, step.get("params"))
        with self.backend.enforcement(as_root):
            outcome = self.send(method, params)
        if isinstance(step.get("save"), str) and outcome.get("ok"):
            self.saved[step["save"]] = saved_record(outcome.get("result") or {})
        return outcome

    def send_unknown(self, client: Any, service: str, operation: str, step: dict, as_root: bool) -> dict:
        """An operation boto3 does not know, sent as a raw query request (IAM, STS) to see how the target refuses it."""
        from harness.targets import rawquery

        params = self.resolve(step.get("params") or {})
        if not isinstance(params, dict):
            return {"unsupported": "'params' must be an object"}
        params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
        try:
            with self.backend.enforcement(as_root):
                return call_with_timeout(lambda: rawquery.send(client, operation, params, self.backend.timeout), self.backend.timeout + 1.0)
        except rawquery.NotSendable as exc:
            return {"unsupported": f"boto3's {service} client has no operation {operation!r} ({exc})"}
        except CallTimeout:
            return {"crash": f"no answer within {self.backend.timeout:g} s"}
        except Exception as exc:
            return {"crash": f"{type(exc).__name__}: {str(exc)[:300]}"}

    def send(self, method: Any, params: dict) -> dict:
        from botocore.exceptions import ClientError

        try:
            response = call_with_timeout(lambda: method(**params), self.backend.timeout + 1.0)
        except ClientError as exc:
            error = exc.response.get("Error", {}) if isinstance(exc.response, dict) else {}
            status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode", 0) if isinstance(exc.response, dict) else 0
            code = str(error.get("Code") or "")
            if not code or (isinstance(status, int) and status >= 500):
                return {"crash": f"HTTP {status} {code}: {str(error.get('Message', ''))[:300]}".strip()}
            return {"ok": False, "error": code}
        except CallTimeout:
            return {"crash": f"no answer within {self.backend.timeout:g} s"}
        except Exception as exc:
            return {"crash": f"{type(exc).__name__}: {str(exc)[:300]}"}
        return {"ok": True, "result": jsonable(response)}


def run_scenario(backend: Backend, scenario: dict) -> list[dict]:
    """Every step's outcome, in order; never raises."""
    steps = scenario.get("steps") if isinstance(scenario, dict) else None
    if not isinstance(steps, list):
        return [{"crash": "the scenario has no 'steps' list"}]
    run = ScenarioRun(backend, scenario)
    try:
        call_with_timeout(lambda: backend.reset(run.account), backend.timeout + 5.0)
    except Exception as exc:
        return [{"crash": f"{backend.name}: could not reset state before the scenario: {type(exc).__name__}: {exc}"} for _ in steps]
    outcomes: list[dict] = []
    stopped: str | None = None
    for index, step in enumerate(steps):
        if stopped is not None:
            outcomes.append({"unsupported": stopped})
            continue
        if not isinstance(step, dict):
            outcomes.append({"unsupported": f"step {index} is not an object"})
            continue
        if "advance" in step and "call" not in step:
            if not backend.has_clock:
                stopped = f"{backend.name} has no clock the harness can move (step {index} advances it)"
                outcomes.append({"unsupported": stopped})
            else:  # pragma: no cover - no target with a clock yet
                outcomes.append({"ok": True, "result": {}})
            continue
        try:
            outcomes.append(run.step(step))
        except StepFailed as exc:
            outcomes.append(exc.outcome)
        except Exception as exc:  # a client that cannot even be built, a translation bug: a crash row
            outcomes.append({"crash": f"{type(exc).__name__}: {str(exc)[:300]}"})
    return outcomes
