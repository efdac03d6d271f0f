"""A thin S3 helper: text and JSON objects, listings, and metadata without reading bodies."""

from __future__ import annotations

import json
from typing import Any, Iterator

from botocore.exceptions import ClientError

from amts.pipeline.layout import json_bytes


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
            raise
        return {"size": meta["ContentLength"], "etag": meta["ETag"].strip('"')}

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def get_json(self, key: str) -> Any | None:
        data = self.get_bytes(key)
        return None if data is None else json.loads(data)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def put_text(self, key: str, text: str, content_type: str = "text/markdown; charset=utf-8") -> None:
        self.put_bytes(key, text.encode("utf-8"), content_type)

    def put_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json_bytes(value), "application/json")

    def list(self, prefix: str) -> Iterator[dict]:
        """Every object under a prefix as {key, size, etag}, in key order."""
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield {"key": obj["Key"], "size": obj["Size"], "etag": obj["ETag"].strip('"')}


def uri_to_bucket_key(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key
