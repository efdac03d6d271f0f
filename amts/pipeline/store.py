"""A thin S3 helper: text and JSON objects, listings, and metadata without reading bodies."""

from __future__ import annotations

import json
import os
from typing import Any, Iterator

from botocore.exceptions import ClientError

from amts.pipeline.layout import json_bytes

_DENIED = ("AccessDenied", "403", "Forbidden")


class AccessDenied(Exception):
    """S3 refused a step: the message names the function, the IAM action and the key (the state's error name
    is this class's name, so the report and the execution history carry all three)."""

    def __init__(self, action: str, bucket: str, key: str):
        function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "this step")
        super().__init__(f"{function} is not allowed {action} on s3://{bucket}/{key}")
        self.function, self.action, self.key = function, action, key


class Store:
    def __init__(self, s3: Any, bucket: str):
        self.s3 = s3
        self.bucket = bucket

    def head(self, key: str) -> dict | None:
        """Size and ETag of an object, or None when it does not exist."""
        try:
            meta = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            self._raise_if_denied(exc, "s3:GetObject", key)
            raise
        return {"size": meta["ContentLength"], "etag": meta["ETag"].strip('"')}

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            self._raise_if_denied(exc, "s3:GetObject", key)
            raise

    def _raise_if_denied(self, exc: ClientError, action: str, key: str) -> None:
        if exc.response.get("Error", {}).get("Code") in _DENIED:
            raise AccessDenied(action, self.bucket, key) from exc

    def get_json(self, key: str) -> Any | None:
        data = self.get_bytes(key)
        return None if data is None else json.loads(data)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except ClientError as exc:
            self._raise_if_denied(exc, "s3:PutObject", key)
            raise

    def put_text(self, key: str, text: str, content_type: str = "text/markdown; charset=utf-8") -> None:
        self.put_bytes(key, text.encode("utf-8"), content_type)

    def put_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json_bytes(value), "application/json")

    def list(self, prefix: str) -> Iterator[dict]:
        """Every object under a prefix as {key, size, etag}, in key order."""
        paginator = self.s3.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    yield {"key": obj["Key"], "size": obj["Size"], "etag": obj["ETag"].strip('"')}
        except ClientError as exc:
            self._raise_if_denied(exc, "s3:ListBucket", prefix)
            raise


def uri_to_bucket_key(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key
