"""CreateUser takes ``Tags`` ("A list of tags that you want to attach to the new user",
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html), and a tagged request carries
``aws:TagKeys`` (multivalued) and ``aws:RequestTag/key``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tagkeys)."""

from __future__ import annotations

from spec.scenario import run_scenario


def test_tagged_create_user_succeeds_and_the_tags_are_kept() -> None:
    out = run_scenario({"id": "t", "account": "123456789012", "steps": [
        {"as": "root", "call": "iam:CreateUser", "params": {"UserName": "a", "Tags": [{"Key": "team", "Value": "blue"}]}},
        {"as": "root", "call": "iam:GetUser", "params": {"UserName": "a"}}]})
    assert out[0]["ok"] is True
    assert out[1]["ok"] is True and out[1]["result"]["User"]["Tags"] == [{"Key": "team", "Value": "blue"}]


def test_request_tag_conditions_see_the_tags() -> None:
    only_blue = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"},
                               "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}]}
    steps = [
        {"as": "root", "call": "iam:CreateUser", "params": {"UserName": "admin"}},
        {"as": "root", "call": "iam:PutUserPolicy", "params": {"UserName": "admin", "PolicyName": "p",
                                                                "PolicyDocument": only_blue}},
        {"as": "root", "call": "iam:CreateAccessKey", "params": {"UserName": "admin"}, "save": "admin"},
        {"as": "admin", "call": "iam:CreateUser", "params": {"UserName": "b1", "Tags": [{"Key": "team", "Value": "blue"}]}},
        {"as": "admin", "call": "iam:CreateUser", "params": {"UserName": "r1", "Tags": [{"Key": "team", "Value": "red"}]}},
    ]
    out = run_scenario({"id": "t", "account": "123456789012", "steps": steps})
    assert out[3]["ok"] is True
    assert out[4]["ok"] is False and out[4]["error"] == "AccessDenied"
