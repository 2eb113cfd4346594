"""S3, as much as resource-based policies and cross-account access need: CreateBucket, PutBucketPolicy,
GetBucketPolicy, PutObject, GetObject, ListBuckets.

Rules (Amazon S3 API Reference, https://docs.aws.amazon.com/AmazonS3/latest/API/):
- bucket names are global: 3-63 characters, lower-case letters, digits, dots and hyphens, beginning and ending with
  a letter or digit, no ``..``, not an IP address (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html;
  ``InvalidBucketName``); a name another account holds is ``BucketAlreadyExists``; re-creating one's own bucket
  in us-east-1 succeeds ("For legacy compatibility ... Amazon S3 returns 200 OK", API_CreateBucket.html);
- a missing bucket is ``NoSuchBucket``; a missing key is ``NoSuchKey`` only for a caller allowed ``s3:ListBucket``,
  else ``AccessDenied`` (API_GetObject.html);
- PutBucketPolicy: a document S3 refuses is ``MalformedPolicy``; a caller outside the owner account that is
  otherwise allowed gets ``MethodNotAllowed``; the owner account's root may put and read the bucket policy even
  when the policy denies it (API_PutBucketPolicy.html);
- requests are authorized with the bucket policy as the resource-based policy, and across accounts both the
  caller's account and the bucket's must allow (iam-semantics §4.5).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from spec.errors import IamError
from spec.identity.authz import Check, decide
from spec.identity.clock import iso
from spec.identity.documents import capture, effective_text, parsed
from spec.identity.entities import Bucket
from spec.identity.ids import bucket_arn, object_arn
from spec.identity.registry import Call, operation
from spec.identity.shapes import DOC_CHARS, Field
from spec.policy import Policy, PolicyKind

BUCKET = {"Bucket": Field("str", True, 1, 255)}
KEY = Field("str", True, 1, 1024)
_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def _valid_name(name: str) -> None:
    if not _NAME.match(name) or ".." in name or _IP.match(name) or name.startswith(("xn--", "sthree-")):
        raise IamError("InvalidBucketName", "The specified bucket is not valid.")


def _bucket(call: Call) -> Bucket:
    bucket = call.world.buckets.get(call.params["Bucket"])
    if bucket is None:
        raise IamError("NoSuchBucket", "The specified bucket does not exist")
    return bucket


def _policy(call: Call, bucket: Bucket) -> Policy | None:
    return parsed(effective_text(call.world, bucket.policy), PolicyKind.RESOURCE) if bucket.policy else None


def _bucket_check(action: str, on_object: bool = False):
    def checks(call: Call):
        bucket = _bucket(call)
        arn = object_arn(bucket.name, call.params["Key"]) if on_object else bucket_arn(bucket.name)
        return (Check(action, arn, bucket.owner, _policy(call, bucket)),)
    return checks


def _create_checks(call: Call):
    _valid_name(call.params["Bucket"])
    return (Check("s3:CreateBucket", bucket_arn(call.params["Bucket"]), call.who.account),)


@operation("s3:CreateBucket", {**BUCKET, "CreateBucketConfiguration": Field("body")}, _create_checks)
def create_bucket(call: Call):
    """CreateBucket. ``CreateBucketConfiguration`` is accepted and not modelled (iamspec decision: every bucket is
    in us-east-1, and a bucket name taken is checked after authorization)."""
    name = call.params["Bucket"]
    existing = call.world.buckets.get(name)
    if existing is not None and existing.owner != call.who.account:
        raise IamError("BucketAlreadyExists", "The requested bucket name is not available.")
    if existing is None:
        bucket = Bucket(name, call.who.account, call.world.now)
        world = replace(call.world, buckets=call.world.buckets.set(name, bucket))
    else:
        world = call.world
    return world, {"Location": f"/{name}"}


def _owner_root(call: Call, bucket: Bucket) -> bool:
    return call.who.kind == "root" and call.who.account == bucket.owner


def _policy_call_checks(action: str):
    def checks(call: Call):
        bucket = _bucket(call)
        if _owner_root(call, bucket):
            return ()
        return (Check(action, bucket_arn(bucket.name), bucket.owner, _policy(call, bucket)),)
    return checks


@operation("s3:PutBucketPolicy", {**BUCKET, "Policy": Field("doc", True, 1, 20480, DOC_CHARS)},
           _policy_call_checks("s3:PutBucketPolicy"))
def put_bucket_policy(call: Call):
    bucket = _bucket(call)
    if call.who.account != bucket.owner:
        raise IamError("MethodNotAllowed", "The specified method is not allowed against this resource.")
    try:
        document = capture(call.world, call.params["Policy"], PolicyKind.RESOURCE, "MalformedPolicy")
    except IamError as err:
        raise IamError("MalformedPolicy", err.message, err.where) from None
    bucket = replace(bucket, policy=document)
    return replace(call.world, buckets=call.world.buckets.set(bucket.name, bucket)), {}


@operation("s3:GetBucketPolicy", BUCKET, _policy_call_checks("s3:GetBucketPolicy"))
def get_bucket_policy(call: Call):
    bucket = _bucket(call)
    if call.who.account != bucket.owner:
        raise IamError("MethodNotAllowed", "The specified method is not allowed against this resource.")
    if bucket.policy is None:
        raise IamError("NoSuchBucketPolicy", "The bucket policy does not exist")
    return call.world, {"Policy": effective_text(call.world, bucket.policy, display=True)}


@operation("s3:PutObject", {**BUCKET, "Key": KEY, "Body": Field("body")}, _bucket_check("s3:PutObject", True))
def put_object(call: Call):
    """PutObject. The ``ETag`` of a single-part upload is the MD5 of the body, in quotes."""
    bucket = _bucket(call)
    body = call.params.get("Body", "")
    bucket = replace(bucket, objects=bucket.objects.set(call.params["Key"], body))
    etag = '"' + hashlib.md5(body.encode()).hexdigest() + '"'
    return replace(call.world, buckets=call.world.buckets.set(bucket.name, bucket)), {"ETag": etag}


@operation("s3:GetObject", {**BUCKET, "Key": KEY}, _bucket_check("s3:GetObject", True))
def get_object(call: Call):
    bucket = _bucket(call)
    key = call.params["Key"]
    if key not in bucket.objects:
        listing = Check("s3:ListBucket", bucket_arn(bucket.name), bucket.owner, _policy(call, bucket))
        if decide(call.world, call.who, listing).decision != "Allow":
            raise IamError("AccessDenied", "Access Denied")
        raise IamError("NoSuchKey", "The specified key does not exist.")
    body = bucket.objects[key]
    return call.world, {"Body": body, "ContentLength": len(body.encode()),
                        "ETag": '"' + hashlib.md5(body.encode()).hexdigest() + '"'}


@operation("s3:ListBuckets", {}, lambda c: (Check("s3:ListAllMyBuckets", "*", c.who.account),))
def list_buckets(call: Call):
    """ListBuckets: the buckets the caller's account owns (``s3:ListAllMyBuckets`` on ``*``)."""
    own = [b for b in call.world.buckets.values() if b.owner == call.who.account]
    return call.world, {"Buckets": [{"Name": b.name, "CreationDate": iso(b.created)} for b in own]}
