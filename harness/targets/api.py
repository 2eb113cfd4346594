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

    def client(self, service: str, creds: Creds, as_root: bool, account: str) -> Any: ...

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


def _credentials_in(result: dict) -> Creds | None:
    """The credentials a call returned (``CreateAccessKey``'s ``AccessKey``, STS's ``Credentials``)."""
    for key in ("AccessKey", "Credentials"):
        found = result.get(key)
        if isinstance(found, dict) and found.get("AccessKeyId"):
            creds = {k: str(found[k]) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken") if found.get(k)}
            return creds
    return None


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
        self.saved: dict[str, dict[str, Any]] = {}

    # -- references -----------------------------------------------------------------------------------------------
    def saved_field(self, ref: str) -> Any:
        handle, _, field = ref.partition(".")
        if handle not in self.saved:
            raise StepFailed({"unsupported": f"$saved {ref!r}: handle {handle!r} was never saved (its step failed or is missing)"})
        entry = self.saved[handle]
        if not field:
            return entry["creds"]
        if field in entry["creds"]:
            return entry["creds"][field]
        try:
            return _lookup(field.split("."), entry["result"])
        except KeyError:
            raise StepFailed({"unsupported": f"$saved {ref!r}: the saved result has no field {field!r}"}) from None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"$saved"} and isinstance(value["$saved"], str):
                return self.saved_field(value["$saved"])
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def credentials(self, who: Any) -> tuple[Creds, bool]:
        """(credentials, is_root) for a step's ``as``."""
        if who is None or who == "root":
            return self.backend.root_credentials(self.account), True
        if isinstance(who, str):
            if who not in self.saved:
                raise StepFailed({"unsupported": f"credentials {who!r} were never saved (their step failed or is missing)"})
            return dict(self.saved[who]["creds"]), False
        if isinstance(who, dict):
            base: Creds = {}
            if "handle" in who:
                handle = who["handle"]
                if handle == "root":
                    base = dict(self.backend.root_credentials(self.account))
                elif handle in self.saved:
                    base = dict(self.saved[handle]["creds"])
                else:
                    raise StepFailed({"unsupported": f"credentials {handle!r} were never saved"})
            for key in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
                if key in who:
                    if who[key] is None:
                        base.pop(key, None)
                    else:
                        base[key] = str(self.resolve(who[key]))
            return base, False
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
        creds, as_root = self.credentials(step.get("as", "root"))
        client = self.backend.client(service.lower(), creds, as_root, self.account)
        if operation not in client.meta.service_model.operation_names:
            return {"unsupported": f"boto3's {service} client has no operation {operation!r}"}
        import botocore

        method = getattr(client, botocore.xform_name(operation))
        params = self.params_for(client, operation, step.get("params"))
        with self.backend.enforcement(as_root):
            outcome = self.send(method, params)
        if "save" in step and outcome.get("ok"):
            result = outcome.get("result") or {}
            found = _credentials_in(result)
            if found is not None:
                self.saved[str(step["save"])] = {"creds": found, "result": result}
        return outcome

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
