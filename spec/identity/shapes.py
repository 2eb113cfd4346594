"""Parameter validation as the AWS front end does it, before any authorization: types, lengths, patterns.

The constraints are those of the IAM and STS API Reference (the same values as AWS's published service models,
https://docs.aws.amazon.com/IAM/latest/APIReference/ and https://docs.aws.amazon.com/STS/latest/APIReference/).
A violation is ``ValidationError`` (HTTP 400) with AWS's message shape: "1 validation error detected: Value 'x' at
'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+".
An unknown parameter is refused too (iamspec decision: the SDKs refuse it before sending; the model says
``ValidationError`` rather than guess what it meant).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spec.errors import IamError
from spec.identity.documents import as_text


@dataclass(frozen=True)
class Field:
    kind: str  # "str" | "int" | "bool" | "doc" | "tags" | "keys" | "arns" | "body"
    required: bool = False
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


NAME = r"[\w+=,.@-]+"
PATH = r"(/)|(/[\u0021-\u007E]+/)"
DOC_CHARS = r"[\u0009\u000A\u000D\u0020-\u00FF]+"
USER_NAME = Field("str", True, 1, 64, NAME)
USER_REF = Field("str", True, 1, 128, NAME)  # UserName in operations on an existing user
ROLE_NAME = Field("str", True, 1, 64, NAME)
GROUP_NAME = Field("str", True, 1, 128, NAME)
POLICY_NAME = Field("str", True, 1, 128, NAME)
PATH_FIELD = Field("str", False, 1, 512, PATH)
POLICY_PATH = Field("str", False, 1, 512, r"((/[A-Za-z0-9\.,\+@=_-]+)*)/")
ARN = Field("str", True, 20, 2048)
DOCUMENT = Field("doc", True, 1, 131072, DOC_CHARS)
TAGS = Field("tags", False, 0, 50)
DESCRIPTION = Field("str", False, 0, 1000)
MAX_SESSION = Field("int", False, 3600, 43200)
KEY_ID = Field("str", True, 16, 128, r"[\w]+")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _invalid(value: Any, name: str, constraint: str) -> IamError:
    shown = "null" if value is None else f"'{value}'"
    return IamError("ValidationError",
                    f"1 validation error detected: Value {shown} at '{_camel(name)}' failed to satisfy constraint: "
                    f"Member must {constraint}", name)


def _check_length(value: Any, name: str, f: Field, length: int) -> None:
    if f.min is not None and length < f.min:
        raise _invalid(value, name, f"have length greater than or equal to {f.min}")
    if f.max is not None and length > f.max:
        raise _invalid(value, name, f"have length less than or equal to {f.max}")


def _tag_text_ok(text: str) -> bool:
    """Tag pattern ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``: letters, separators, numbers and ``_.:/=+-@``."""
    return all(unicodedata.category(ch)[0] in "LZN" or ch in "_.:/=+-@" for ch in text)


def _tags(value: Any, name: str, f: Field) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise _invalid(value, name, "be a list of {Key, Value}")
    _check_length(value, name, f, len(value))
    out, seen = [], set()
    for i, tag in enumerate(value):
        where = f"{name}.{i + 1}.member"
        if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str) or not isinstance(tag.get("Value"), str):
            raise _invalid(tag, where, "be an object with string Key and Value")
        key, val = tag["Key"], tag["Value"]
        if not 1 <= len(key) <= 128 or not _tag_text_ok(key):
            raise _invalid(key, f"{where}.key", "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+")
        if len(val) > 256 or not _tag_text_ok(val):
            raise _invalid(val, f"{where}.value", "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*")
        if key.lower() in seen:
            raise IamError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(key.lower())
        out.append((key, val))
    return tuple(out)


def _one(value: Any, name: str, f: Field) -> Any:
    if f.kind == "tags":
        return _tags(value, name, f)
    if f.kind == "bool":
        if not isinstance(value, bool):
            raise _invalid(value, name, "be a boolean")
        return value
    if f.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(value, name, "be an integer")
        if f.min is not None and value < f.min:
            raise _invalid(value, name, f"have value greater than or equal to {f.min}")
        if f.max is not None and value > f.max:
            raise _invalid(value, name, f"have value less than or equal to {f.max}")
        return value
    if f.kind in ("keys", "arns"):
        if not isinstance(value, list):
            raise _invalid(value, name, "be a list")
        _check_length(value, name, f, len(value))
        if f.kind == "arns":  # PolicyArns: [{"arn": "..."}]
            if not all(isinstance(v, dict) and isinstance(v.get("arn"), str) and 20 <= len(v["arn"]) <= 2048
                       for v in value):
                raise _invalid(value, name, "be a list of {arn} with 20 to 2048 characters")
            return tuple(v["arn"] for v in value)
        if not all(isinstance(v, str) and 1 <= len(v) <= 128 for v in value):
            raise _invalid(value, name, "be a list of strings of 1 to 128 characters")
        return tuple(value)
    text = as_text(value) if f.kind == "doc" else value
    if f.kind == "body":
        if not isinstance(value, str):
            raise _invalid(value, name, "be a string")
        return value
    if not isinstance(text, str):
        raise _invalid(value, name, "be a string")
    _check_length(text, name, f, len(text))
    if f.enum is not None and text not in f.enum:
        raise _invalid(text, name, f"satisfy enum value set: [{', '.join(f.enum)}]")
    if f.pattern is not None and re.fullmatch(f.pattern, text, re.ASCII) is None:
        raise _invalid(text if f.kind != "doc" else "<document>", name,
                       f"satisfy regular expression pattern: {f.pattern}")
    return text


def validate(shape: Mapping[str, Field], params: Any) -> dict[str, Any]:
    """The parameters checked against the operation's shape; documents turned into their JSON text."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise IamError("ValidationError", "params must be an object")
    for name in params:
        if name not in shape:
            raise IamError("ValidationError", f"Unknown parameter {name!r}; valid parameters: {', '.join(shape)}",
                           name)
    out = {}
    for name, f in shape.items():
        if name not in params or params[name] is None:
            if f.required:
                raise _invalid(None, name, "not be null")
            continue
        out[name] = _one(params[name], name, f)
    return out
