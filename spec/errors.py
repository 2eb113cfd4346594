"""The one refusal of the model: an AWS error code, a message a person can act on, and where it arose."""

from __future__ import annotations


class IamError(Exception):
    """A request or document the model refuses, as AWS would refuse it.

    ``code`` is AWS's error code (``MalformedPolicyDocument``, ``ValidationError``, ``NoSuchEntity``, ...),
    ``message`` says why, ``where`` is a JSON path into the input (``identity_policies[0].Statement[1].Effect``)
    or ``None``.
    """

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        super().__init__(f"{code}: {message}" + (f" (at {where})" if where else ""))
        self.code = code
        self.message = message
        self.where = where

    def at(self, prefix: str) -> IamError:
        """The same error, located under ``prefix`` (``prefix.where``)."""
        where = prefix if not self.where else (prefix + ("" if self.where.startswith("[") else ".") + self.where)
        return IamError(self.code, self.message, where)

    def as_json(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.where:
            out["where"] = self.where
        return out


def malformed(message: str, where: str | None = None) -> IamError:
    """``MalformedPolicyDocument`` (HTTP 400): "the policy document was malformed" (IAM API Reference, Common Errors)."""
    return IamError("MalformedPolicyDocument", message, where)
