"""``answer_line``: one answer per input line, errors reported as data, and the run never stops.

Format: ``formats/decision-case.md`` ("A case the model must refuse (a malformed policy, a malformed request) yields
``error`` with an AWS error code and a message that a person can act on. It never stops the run: the next line is
still answered."). ``--explain`` adds ``trace``.
"""

from __future__ import annotations

import json

import pytest
from strategies import OBJ, USER, allow, case, deny, doc

from spec.decide import answer_case, answer_line


def error_of(out: dict) -> dict:
    assert "decision" not in out, out
    err = out["error"]
    assert isinstance(err["code"], str) and err["code"], out
    assert isinstance(err["message"], str) and err["message"].strip(), out
    return err


@pytest.mark.parametrize("line", ["not json", "{", '{"id": "x", ', "[1, 2, 3]", '"just a string"', "42", "null"])
def test_line_that_is_not_a_case_object(line: str) -> None:
    error_of(answer_line(line))


def test_case_without_action() -> None:
    c = case(identity=[doc(allow())], id="no-action")
    del c["request"]["action"]
    out = answer_line(json.dumps(c))
    error_of(out)
    assert out["id"] == "no-action"  # the id is readable, so it is echoed


def test_case_without_request() -> None:
    c = case(identity=[doc(allow())], id="no-request")
    del c["request"]
    out = answer_line(json.dumps(c))
    error_of(out)
    assert out["id"] == "no-request"


def test_action_not_a_string() -> None:
    c = case(identity=[doc(allow())], id="bad-action")
    c["request"]["action"] = 7
    out = answer_case(c)
    error_of(out)
    assert out["id"] == "bad-action"


def test_good_line() -> None:
    c = case(identity=[doc(allow("s3:GetObject", OBJ))], id="ok-1")
    assert answer_line(json.dumps(c)) == {"id": "ok-1", "decision": "Allow"}


def test_good_line_denied() -> None:
    c = case(identity=[doc(allow(), deny("s3:GetObject", OBJ))], id="deny-1")
    out = answer_line(json.dumps(c))
    assert out["id"] == "deny-1"
    assert out["decision"] == "ExplicitDeny"
    assert "identity" in out["by"]


def test_a_bad_line_does_not_stop_the_others() -> None:
    """A file of cases where line 2 (and line 4) are malformed: the other lines are answered normally, in order."""
    good1 = case(identity=[doc(allow("s3:GetObject", OBJ))], id="one")
    good3 = case(identity=[doc(allow("s3:PutObject", OBJ))], principal=USER, id="three")
    bad4 = case(identity=[doc({"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"})], id="four")
    good5 = case(id="five")
    lines = [json.dumps(good1), '{"id": "two", "identity_policies": [', json.dumps(good3), json.dumps(bad4),
             json.dumps(good5)]
    answers = [answer_line(line) for line in lines]
    assert len(answers) == 5
    assert answers[0] == {"id": "one", "decision": "Allow"}
    error_of(answers[1])
    assert answers[2]["id"] == "three" and answers[2]["decision"] == "ImplicitDeny"
    err = error_of(answers[3])
    assert answers[3]["id"] == "four"
    assert err["code"] == "MalformedPolicyDocument"
    assert err["where"].startswith("identity_policies[0]") and err["where"].endswith("Statement[0].Effect")
    assert answers[4]["id"] == "five" and answers[4]["decision"] == "ImplicitDeny"


def test_explain_adds_trace() -> None:
    """``--explain`` adds ``trace``: every statement that matched, with its policy kind, index, Sid and why."""
    c = case(identity=[doc(allow("s3:GetObject", OBJ, sid="ReadIt"), allow("ec2:*", "*", sid="Other"))], id="ex")
    out = answer_case(c, explain=True)
    assert out["decision"] == "Allow"
    trace = out["trace"]
    assert isinstance(trace, list) and trace
    text = json.dumps(trace)
    assert "ReadIt" in text
    assert "Other" not in text  # only statements that matched
    assert "trace" not in answer_case(c)


def test_explain_on_line() -> None:
    c = case(identity=[doc(allow(), deny("s3:GetObject", OBJ, sid="NoRead"))], id="ex2")
    out = answer_line(json.dumps(c), explain=True)
    assert out["decision"] == "ExplicitDeny"
    assert "NoRead" in json.dumps(out["trace"])


def test_expected_and_tags_are_ignored() -> None:
    """Format: ``expected``, ``tags``, ``notes``, ``source`` are ignored by the evaluator."""
    c = case(identity=[doc(allow("s3:GetObject", OBJ))], id="meta")
    c.update({"expected": "ExplicitDeny", "tags": ["x"], "notes": "n", "source": {"repo": "r"}})
    assert answer_case(c)["decision"] == "Allow"
