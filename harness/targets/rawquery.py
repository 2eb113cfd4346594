"""A call of an operation boto3 does not know (``iam:AddRoleToGroup``), sent as AWS's query protocol would carry it.

Scenarios may call operations that do not exist, to check that a target refuses them as AWS does (``InvalidAction``,
https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html). boto3 cannot make such a call, so for the
query-protocol services (IAM, STS) this module builds the form-encoded POST itself (``Action``, ``Version`` and the
scalar parameters), signs it with the client's own credentials (SigV4) and sends it through the client's own
endpoint, including its event hooks, so that an in-process mock sees it exactly as it sees boto3's requests.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

_CODE = re.compile(r"<Code>\s*([^<\s]+)\s*</Code>")


class NotSendable(Exception):
    """The call cannot be expressed as a raw query request (another protocol, nested parameters)."""


def send(client: Any, operation: str, params: dict, timeout: float) -> dict:
    """The outcome of ``operation`` sent raw: ``{"ok": true, "result": {}}``, ``{"ok": false, "error": CODE}``,
    or ``{"crash": ...}`` for a 5xx or an answer without an error code."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    model = client.meta.service_model
    if model.protocol != "query":
        raise NotSendable(f"{model.service_name} does not use the query protocol")
    form: dict[str, str] = {"Action": operation, "Version": model.api_version}
    for name, value in params.items():
        if isinstance(value, bool):
            form[name] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            form[name] = str(value)
        else:
            raise NotSendable(f"parameter {name!r} is not a scalar")
    request = AWSRequest(
        method="POST",
        url=client.meta.endpoint_url.rstrip("/") + "/",
        data=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    credentials = client._request_signer._credentials  # the client's own (None: unsigned)
    if credentials is not None:
        signing_name = model.signing_name or model.endpoint_prefix
        SigV4Auth(credentials.get_frozen_credentials(), signing_name, client.meta.region_name).add_auth(request)
    prepared = request.prepare()
    event = f"before-send.{model.service_id.hyphenize()}.{operation}"
    hooked = client.meta.events.emit_until_response(event, request=prepared)
    response = hooked[1] if hooked and hooked[1] is not None else client._endpoint.http_session.send(prepared)
    status = int(getattr(response, "status_code", 0) or 0)
    body = response.content if isinstance(getattr(response, "content", None), bytes) else b""
    text = body.decode("utf-8", "replace")
    if 200 <= status < 300:
        return {"ok": True, "result": {}}
    found = _CODE.search(text)
    if status >= 500 or not found:
        return {"crash": f"HTTP {status}: {text[:300]}"}
    return {"ok": False, "error": found.group(1)}
