"""Policy variables: ``${key}``, ``${key, 'default'}`` and the escapes ``${*}``, ``${?}``, ``${$}``.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

VARIABLES_VERSION = "2012-10-17"
_VAR = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}

Context = Mapping[str, "str | tuple[str, ...]"]


@dataclass(frozen=True)
class Variable:
    """A reference ``${key}`` to a request-context key (lower-cased: key names are case-insensitive)."""

    key: str
    default: str | None = None


@dataclass(frozen=True)
class Escaped:
    """``${*}``, ``${?}`` or ``${$}``: the literal character, never a wildcard."""

    char: str


Part = str | Variable | Escaped


@dataclass(frozen=True)
class Template:
    """A string that may hold policy variables; ``parts`` alternates pattern text and references."""

    raw: str
    parts: tuple[Part, ...]

    @property
    def has_variables(self) -> bool:
        return any(not isinstance(p, str) for p in self.parts)

    def resolve(self, context: Context) -> tuple[tuple[str, bool], ...] | None:
        """The text as ``(text, is_pattern)`` pieces with every variable replaced, or None if one cannot be.

        Rule *substitution*: a variable is replaced by the value of its key in the request context; a missing key
        takes the default when one is given. Rule *unresolvable*: "You can use any single-valued condition key as a
        variable. You can't use a multivalued condition key as a variable", and a variable with no value makes its
        string match nothing (see ``conditions`` and ``authorize`` for the consequences). Substituted values are
        literal text, never wildcards (iamspec decision: the page is silent; the escapes show that AWS keeps
        wildcards and values apart).
        """
        out: list[tuple[str, bool]] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append((part, True))
            elif isinstance(part, Escaped):
                out.append((part.char, False))
            else:
                value = context.get(part.key)
                if value is None:
                    if part.default is None:
                        return None
                    value = part.default
                if isinstance(value, tuple):
                    return None
                out.append((value, False))
        return tuple(out)

    def resolve_text(self, context: Context) -> str | None:
        """The resolved string (pattern characters kept as written), or None if unresolvable."""
        pieces = self.resolve(context)
        return None if pieces is None else "".join(text for text, _ in pieces)


def parse_template(text: str, version: str | None) -> Template:
    """Rule *where variables apply*: only under ``"Version": "2012-10-17"``; with 2008-10-17 or no Version
    "variables like ${aws:username} are treated as literal strings"."""
    if version != VARIABLES_VERSION or "${" not in text:
        return Template(text, (text,))
    parts: list[Part] = []
    pos = 0
    for m in _VAR.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        inner = m.group(1)
        if inner in _ESCAPES:
            parts.append(Escaped(_ESCAPES[inner]))
        elif (dm := _WITH_DEFAULT.match(inner)) is not None:
            parts.append(Variable(dm.group(1).lower(), dm.group(2)))
        elif inner.strip() and "," not in inner:
            parts.append(Variable(inner.strip().lower()))
        else:
            parts.append(m.group(0))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return Template(text, tuple(parts))
